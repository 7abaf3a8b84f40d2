import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './openai.js';
import { scriptedReplies } from './scripted-replies.js';

describe('scriptedReplies', () => {
  it('answers each request by the first matching rule, counting per rule, else by default', async () => {
    const server = await startFakeOpenAI({
      reply: scriptedReplies([
        { when: 'scene', reply: '{"scenario": "A trip."}' },
        { when: /^You play/, reply: (_req, n) => `Question ${n + 1}?` },
        { when: (req) => req.body.temperature === 0, reply: { text: 'cold' } },
      ]),
    });
    try {
      const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'k' });
      const ask = async (content: string, temperature = 1) =>
        (
          await client.chat.completions.create({
            model: 'm',
            temperature,
            messages: [{ role: 'user', content }],
          })
        ).choices[0]!.message.content;
      expect(await ask('set the scene')).toBe('{"scenario": "A trip."}');
      expect(await ask('You play the user')).toBe('Question 1?');
      expect(await ask('You play the user again')).toBe('Question 2?');
      expect(await ask('anything', 0)).toBe('cold');
      expect(await ask('anything else')).toMatch(/\w+/);
    } finally {
      await server.close();
    }
  });
});
