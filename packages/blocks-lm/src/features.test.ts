import { type FakeLmServer, type FakeServerOptions, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import openaiBlock from './openai.js';
import { callBlock, makeBlock } from './test-utils.js';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function setup(options: FakeServerOptions = {}, config: Record<string, unknown> = {}) {
  const server = await startFakeOpenAI(options);
  servers.push(server);
  const block = await makeBlock(openaiBlock, {
    type: 'openai',
    model_id_or_path: 'fake-model',
    base_url: server.baseURL,
    ...config,
  });
  return { server, block };
}

const qa = z.object({ question: z.string(), answer: z.string() });
const schema = z.toJSONSchema(qa) as Record<string, unknown>;
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
};

describe('structured output', () => {
  it('repairs a reply that does not match the schema with one follow-up request', async () => {
    const { block, server } = await setup({
      reply: (req) =>
        req.prompt.includes('not valid')
          ? JSON.stringify({ question: 'Q?', answer: 'A' })
          : JSON.stringify({ question: 'Q?' }),
    });
    const rows: Record<string, unknown>[] = [{ input: 'make one' }];
    const { events } = await callBlock(block, rows, { responseSchema: { name: 'qa', schema } });
    expect(rows[0]?.parsed).toEqual({ question: 'Q?', answer: 'A' });
    expect(rows[0]).not.toHaveProperty('parse_error');
    expect(events).toHaveLength(2);
    const repair = server.requests[1]?.body.messages as Array<{ role: string; content: string }>;
    expect(repair.at(-2)).toEqual({ role: 'assistant', content: '{"question":"Q?"}' });
    expect(repair.at(-1)?.content).toMatch(/must have required property 'answer'/);
    const usage = rows[0]?.usage as { prompt_tokens: number };
    expect(usage.prompt_tokens).toBe(events[0]!.promptTokens + events[1]!.promptTokens);
  });

  it('leaves parsed unset, with the reason, when the repair fails too', async () => {
    const { block, server } = await setup({ reply: () => 'no json here' });
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows, { responseSchema: { name: 'qa', schema } });
    expect(server.stats.requests).toBe(2);
    expect(rows[0]).not.toHaveProperty('parsed');
    expect(rows[0]?.parse_error).toMatch(/not valid JSON/);
    expect(rows[0]?.result).toBe('no json here');
    expect(rows[0]).not.toHaveProperty('error');
  });

  it('needs no repair for a valid reply', async () => {
    const { block, server } = await setup();
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows, { responseSchema: { name: 'qa', schema } });
    expect(qa.parse(rows[0]?.parsed)).toBeTruthy();
    expect(server.stats.requests).toBe(1);
  });
});

describe('tools and logprobs', () => {
  it('writes tool calls with parsed arguments', async () => {
    const { block, server } = await setup();
    const rows: Record<string, unknown>[] = [
      { input: 'Weather in Oslo?', gen_kwargs: { tools: [weather], tool_choice: 'required' } },
    ];
    await callBlock(block, rows);
    const calls = rows[0]?.tool_calls as Array<{ name: string; arguments: { city: string } }>;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: 'get_weather', id: expect.any(String) });
    expect(typeof calls[0]?.arguments.city).toBe('string');
    expect(server.requests[0]?.body).toMatchObject({ tools: [weather], tool_choice: 'required' });
  });

  it('takes tools from the call options and scripted tool calls from the server', async () => {
    const { block, server } = await setup({
      reply: () => ({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Lima' } }] }),
    });
    const rows: Record<string, unknown>[] = [{ input: 'Weather?' }];
    await callBlock(block, rows, {
      tools: [weather.function],
      toolChoice: 'auto',
    } as Record<string, unknown>);
    expect(rows[0]?.tool_calls).toEqual([
      expect.objectContaining({ name: 'get_weather', arguments: { city: 'Lima' } }),
    ]);
    expect(server.requests[0]?.body.tool_choice).toBe('auto');
    expect(server.requests[0]?.body.tools).toEqual([weather]);
  });

  it('writes token log-probabilities for chat and completion', async () => {
    const { block } = await setup(
      { reply: () => 'two words' },
      { logprobs: true, top_logprobs: 2 },
    );
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows);
    expect(rows[0]?.logprobs).toEqual([
      expect.objectContaining({ token: 'two ', logprob: expect.any(Number) }),
      expect.objectContaining({ token: 'words', top_logprobs: expect.any(Array) }),
    ]);
    const completion: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, completion, { method: 'completion' });
    expect(completion[0]?.logprobs).toHaveLength(2);
  });
});
