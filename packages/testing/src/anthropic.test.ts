import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './anthropic.js';
import type { FakeLmServer } from './types.js';

let server: FakeLmServer | undefined;
afterEach(() => server?.close());

describe('startFakeAnthropic', () => {
  it('answers the Messages API through the real SDK, with usage', async () => {
    server = await startFakeAnthropic({ reply: () => 'Hello there. STOP here' });
    const client = new Anthropic({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 });
    const res = await client.messages.create({
      model: 'claude-x',
      max_tokens: 64,
      system: 'sys',
      stop_sequences: ['STOP'],
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(res.content).toEqual([{ type: 'text', text: 'Hello there. ' }]);
    expect(res).toMatchObject({
      stop_reason: 'stop_sequence',
      stop_sequence: 'STOP',
      usage: { input_tokens: 2, output_tokens: 2 },
    });
  });

  it('forces a tool call whose input fills the tool schema', async () => {
    server = await startFakeAnthropic();
    const client = new Anthropic({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 });
    const res = await client.messages.create({
      model: 'claude-x',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [
        {
          name: 'weather',
          input_schema: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          },
        },
      ],
      tool_choice: { type: 'any' },
    });
    expect(res.stop_reason).toBe('tool_use');
    expect(res.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'weather',
      input: { city: expect.any(String) },
    });
  });

  it('fills an output_config json_schema format', async () => {
    server = await startFakeAnthropic();
    const client = new Anthropic({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 });
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const res = await client.messages.create({
      model: 'claude-x',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Number?' }],
      output_config: { format: { type: 'json_schema', schema } },
    });
    const text = res.content[0]?.type === 'text' ? res.content[0].text : '';
    expect(Number.isInteger(JSON.parse(text).n)).toBe(true);
  });

  it('throttles with 429, retry-after and Anthropic error bodies; demands a key', async () => {
    server = await startFakeAnthropic({
      rateLimit: { requestsPerSecond: 1, retryAfterSeconds: 2 },
    });
    const client = new Anthropic({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 });
    const ask = () =>
      client.messages.create({
        model: 'c',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'x' }],
      });
    await ask();
    const error = await ask().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')).toBe(
      '2',
    );
    const raw = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{}' });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
  });
});
