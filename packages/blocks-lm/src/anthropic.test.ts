import { isDgtError } from '@dgt/core';
import { type FakeLmServer, type FakeServerOptions, startFakeAnthropic } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import anthropicBlock from './anthropic.js';
import { callBlock, makeBlock } from './test-utils.js';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function setup(options: FakeServerOptions = {}, config: Record<string, unknown> = {}) {
  const server = await startFakeAnthropic(options);
  servers.push(server);
  const block = await makeBlock(
    anthropicBlock,
    {
      type: 'anthropic',
      model_id_or_path: 'claude-haiku-4-5',
      base_url: server.baseURL,
      retry_initial_delay: 0.01,
      ...config,
    },
    { ANTHROPIC_API_KEY: 'sk-ant-test' },
  );
  return { server, block };
}

describe('anthropic block', () => {
  it('sends system, stop and max_tokens the Messages API way and reports usage and cost', async () => {
    const { block, server } = await setup(
      { reply: () => 'Paris is the capital. END more' },
      { max_new_tokens: 50, stop_sequences: ['END'], temperature: 0.2, seed: 3 },
    );
    const rows: Record<string, unknown>[] = [
      {
        input: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Capital of France?' },
        ],
        task_name: 'geo',
      },
    ];
    const { events } = await callBlock(block, rows);
    expect(rows[0]?.result).toBe('Paris is the capital. ');
    expect(server.requests[0]?.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      temperature: 0.2,
      stop_sequences: ['END'],
    });
    expect(events[0]).toMatchObject({ provider: 'anthropic', ok: true, promptTokens: 5 });
    expect(events[0]?.costUsd).toBeGreaterThan(0);
  });

  it('maps a response schema to output_config.format and validates the reply', async () => {
    const { block, server } = await setup();
    const shape = z.object({ question: z.string(), year: z.number().int() });
    const schema = z.toJSONSchema(shape) as Record<string, unknown>;
    const rows: Record<string, unknown>[] = [{ input: 'q' }];
    await callBlock(block, rows, { responseSchema: { name: 'qa', schema } });
    expect(shape.parse(rows[0]?.parsed)).toBeTruthy();
    expect(server.requests[0]?.body.output_config).toEqual({
      format: { type: 'json_schema', schema },
    });
  });

  it('maps tools and a forced tool choice, and reads tool_use blocks', async () => {
    const { block, server } = await setup();
    const rows: Record<string, unknown>[] = [
      {
        input: 'Weather in Oslo?',
        gen_kwargs: {
          tools: [
            {
              name: 'get_weather',
              input_schema: { type: 'object', properties: { city: { type: 'string' } } },
            },
          ],
          tool_choice: { type: 'tool', name: 'get_weather' },
        },
      },
    ];
    await callBlock(block, rows);
    expect(server.requests[0]?.body.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(rows[0]?.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^toolu_/),
        name: 'get_weather',
        arguments: { city: expect.any(String) },
      },
    ]);
  });

  it('sends a completion prompt as one user message and makes n requests for n replies', async () => {
    const { block, server } = await setup({}, { n: 2 });
    const rows: Record<string, unknown>[] = [{ input: 'Once upon a time' }];
    await callBlock(block, rows, { method: 'completion' });
    expect(server.stats.requests).toBe(2);
    expect(server.requests[0]?.body.messages).toEqual([
      { role: 'user', content: 'Once upon a time' },
    ]);
    expect(rows[0]?.results).toHaveLength(2);
  });

  it('waits out 429 with retry-after and retries overloaded (529) answers', async () => {
    const { block, server } = await setup({
      faults: [
        { status: 429, retryAfterSeconds: 0.1 },
        { status: 529, retryAfterSeconds: 0.05 },
      ],
    });
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    const { events } = await callBlock(block, rows);
    expect(typeof rows[0]?.result).toBe('string');
    expect(events[0]).toMatchObject({ ok: true, retries: 2 });
    expect(server.stats).toMatchObject({ requests: 3, completed: 1 });
  });

  it('records a refused request with the API error message', async () => {
    const { block } = await setup({ faults: [{ status: 400 }] });
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows);
    expect(rows[0]?.error).toMatch(/anthropic request failed: HTTP 400: injected fault/);
  });

  it('needs a key', async () => {
    const error = await makeBlock(anthropicBlock, { type: 'anthropic', model: 'c' }).catch(
      (e: unknown) => e,
    );
    expect(isDgtError(error) && error.code).toBe('MISSING_CREDENTIALS');
    expect(String(error)).toMatch(/ANTHROPIC_API_KEY/);
  });

  it('retries a malformed (non-JSON or truncated) reply', async () => {
    const { block } = await setup({
      faults: [
        { status: 200, body: '<html>gateway</html>', times: 1 },
        { status: 200, body: '{"id":"msg_1","content":[', times: 1 },
      ],
    });
    const rows: Record<string, unknown>[] = [{ input: 'hi' }];
    const { events } = await callBlock(block, rows);
    expect(typeof rows[0]?.result).toBe('string');
    expect(events[0]).toMatchObject({ ok: true, retries: 2 });
  });
});
