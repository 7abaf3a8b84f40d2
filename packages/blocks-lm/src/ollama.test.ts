import { type FakeLmServer, type FakeServerOptions, startFakeOllama } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import ollamaBlock from './ollama.js';
import { callBlock, makeBlock } from './test-utils.js';

let servers: FakeLmServer[] = [];

async function setup(options: FakeServerOptions = {}, config: Record<string, unknown> = {}) {
  const server = await startFakeOllama(options);
  servers.push(server);
  const block = await makeBlock(ollamaBlock, {
    type: 'ollama',
    model_id_or_path: 'llama3.2:1b',
    base_url: server.baseURL,
    retry_initial_delay: 0.01,
    ...config,
  });
  return { server, block };
}

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('ollama block', () => {
  it('chats without streaming and reports Ollama usage', async () => {
    const { block, server } = await setup({ reply: () => 'The river is long.' });
    const rows: Record<string, unknown>[] = [{ input: 'Name a long river', task_name: 'geo' }];
    const { events } = await callBlock(block, rows);
    expect(rows[0]).toMatchObject({
      result: 'The river is long.',
      usage: { prompt_tokens: 4, completion_tokens: 4 },
    });
    expect(server.requests[0]).toMatchObject({
      path: '/api/chat',
      body: { model: 'llama3.2:1b', stream: false },
    });
    expect(events).toEqual([
      expect.objectContaining({
        provider: 'ollama',
        task: 'geo',
        ok: true,
        promptTokens: 4,
        completionTokens: 4,
      }),
    ]);
  });

  it('uses /api/generate for method completion', async () => {
    const { block, server } = await setup();
    const rows: Record<string, unknown>[] = [{ input: 'Once upon a time' }];
    await callBlock(block, rows, { method: 'completion' });
    expect(server.requests[0]).toMatchObject({
      path: '/api/generate',
      body: { prompt: 'Once upon a time' },
    });
    expect(typeof rows[0]?.result).toBe('string');
  });

  it('sends the response schema as format and parses the reply', async () => {
    const { block, server } = await setup();
    const shape = z.object({ city: z.string(), population: z.number().int().min(0) });
    const schema = z.toJSONSchema(shape) as Record<string, unknown>;
    const rows: Record<string, unknown>[] = [{ input: 'a city' }, { input: 'another city' }];
    await callBlock(block, rows, { responseSchema: { name: 'city', schema } });
    for (const row of rows) expect(shape.safeParse(row.parsed).success).toBe(true);
    expect(server.requests[0]?.body.format).toEqual(schema);
  });

  it('maps decoding params into options, with per-row gen_kwargs winning', async () => {
    const { block, server } = await setup(
      {},
      {
        temperature: 0.1,
        max_new_tokens: 64,
        stop: ['END'],
        seed: 3,
        num_ctx: 4096,
        top_p: 0.9,
        top_k: 20,
        keep_alive: '5m',
      },
    );
    await callBlock(block, [
      { input: 'x', gen_kwargs: { temperature: 0.8, max_tokens: 8, random_seed: 11 } },
    ]);
    expect(server.requests[0]?.body).toMatchObject({
      keep_alive: '5m',
      options: {
        temperature: 0.8,
        num_predict: 8,
        stop: ['END'],
        seed: 11,
        num_ctx: 4096,
        top_p: 0.9,
        top_k: 20,
      },
    });
    expect(server.requests[0]?.body.options).not.toHaveProperty('max_tokens');
  });

  it('makes n requests for n replies', async () => {
    const { block, server } = await setup({}, { n: 2 });
    const rows: Record<string, unknown>[] = [{ input: 'Say something' }];
    const { events } = await callBlock(block, rows);
    expect(rows[0]?.results).toHaveLength(2);
    expect(new Set(rows[0]?.results as string[]).size).toBe(2);
    expect(server.stats.requests).toBe(2);
    expect(events).toHaveLength(1);
  });

  it('retries 500s and 429s, honouring Retry-After', async () => {
    const { block, server } = await setup({
      faults: [{ status: 500 }, { status: 429, retryAfterSeconds: 0.2 }],
    });
    const started = performance.now();
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    const { events } = await callBlock(block, rows);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(typeof rows[0]?.result).toBe('string');
    expect(events[0]).toMatchObject({ ok: true, retries: 2 });
    expect(server.stats).toMatchObject({ requests: 3, rejected: 2, completed: 1 });
  });

  it('records a failure after retries on the row', async () => {
    const { block } = await setup({ faults: () => ({ status: 503 }) }, { max_retries: 1 });
    const rows: Record<string, unknown>[] = [{ input: 'x' }, { input: 'y' }];
    const { events } = await callBlock(block, rows);
    for (const row of rows) {
      expect(row.result).toBeUndefined();
      expect(row.error).toMatch(/ollama request failed \(after 1 retry\): HTTP 503/);
    }
    expect(events.map((e) => e.ok)).toEqual([false, false]);
  });

  it('finds the host in OLLAMA_HOST', async () => {
    const server = await startFakeOllama({ reply: () => 'hello from env' });
    servers.push(server);
    const block = await makeBlock(
      ollamaBlock,
      { type: 'ollama', model: 'm' },
      { OLLAMA_HOST: server.url },
    );
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows);
    expect(rows[0]?.result).toBe('hello from env');
  });
});
