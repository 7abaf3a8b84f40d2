import { isDgtError } from '@dgt/core';
import { type FakeLmServer, type FakeServerOptions, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import openaiBlock from './openai.js';
import { callBlock, makeBlock } from './test-utils.js';

let servers: FakeLmServer[] = [];

async function setup(options: FakeServerOptions = {}, config: Record<string, unknown> = {}) {
  const server = await startFakeOpenAI(options);
  servers.push(server);
  const block = await makeBlock(openaiBlock, {
    type: 'openai',
    model_id_or_path: 'fake-model',
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

describe('openai block', () => {
  it('is a branded lm block definition', () => {
    expect(openaiBlock).toMatchObject({
      specificationVersion: 'v1',
      kind: 'block-definition',
      role: 'lm',
    });
  });

  it('writes result and usage for chat rows and emits one event per request', async () => {
    const { block, server } = await setup({ reply: (req) => `Reply to: ${req.prompt}` });
    const rows: Record<string, unknown>[] = [
      { input: 'Name a river.', task_name: 'geo', reference: 'keep me' },
      {
        input: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      },
    ];
    const { rows: out, events } = await callBlock(block, rows);
    expect(out[0]).toBe(rows[0]);
    expect(rows[0]).toMatchObject({ result: 'Reply to: Name a river.', reference: 'keep me' });
    expect(rows[0]?.usage).toEqual({ prompt_tokens: 3, completion_tokens: 5 });
    expect(rows[1]).toMatchObject({ result: 'Reply to: Be brief.\nHi' });
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.task === 'geo')).toMatchObject({
      type: 'lm-request',
      block: 'generator',
      provider: 'openai',
      model: 'fake-model',
      ok: true,
      cached: false,
      retries: 0,
      promptTokens: 3,
      completionTokens: 5,
    });
  });

  it('uses the completions endpoint for method completion', async () => {
    const { block, server } = await setup();
    const rows: Record<string, unknown>[] = [{ input: 'Once upon a time' }];
    await callBlock(block, rows, { method: 'completion' });
    expect(server.requests[0]?.path).toBe('/v1/completions');
    expect(server.requests[0]?.body.prompt).toBe('Once upon a time');
    expect(typeof rows[0]?.result).toBe('string');
  });

  it('asks for structured output and parses the reply', async () => {
    const { block, server } = await setup();
    const shape = z.object({ question: z.string(), answer: z.string(), year: z.number().int() });
    const schema = z.toJSONSchema(shape) as Record<string, unknown>;
    const rows: Record<string, unknown>[] = Array.from({ length: 4 }, (_, i) => ({
      input: `Make question ${i}`,
    }));
    await callBlock(block, rows, { responseSchema: { name: 'qa', schema } });
    for (const row of rows)
      expect(shape.parse(row.parsed)).toEqual(JSON.parse(row.result as string));
    expect(server.requests[0]?.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'qa', schema, strict: false },
    });
  });

  it('leaves parsed undefined when the reply is not JSON', async () => {
    const { block } = await setup({ reply: () => 'not json at all' });
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows, { responseSchema: { name: 'x', schema: { type: 'object' } } });
    expect(rows[0]?.result).toBe('not json at all');
    expect(rows[0]).not.toHaveProperty('parsed');
  });

  it('merges decoding params: aliases, per-row gen_kwargs and pass-through extras', async () => {
    const { block, server } = await setup(
      {},
      {
        temperature: 0.2,
        max_new_tokens: 50,
        random_seed: 7,
        top_k: 5,
        stop_sequences: 'END',
        input_map: { a: 'b' },
      },
    );
    await callBlock(block, [
      { input: 'a' },
      {
        input: 'b',
        gen_kwargs: { temperature: 0.9, max_tokens: 5, stop_sequences: ['x'], max_retries: 9 },
      },
    ]);
    const [a, b] = [...server.requests]
      .sort((x, y) => x.prompt.localeCompare(y.prompt))
      .map((r) => r.body);
    expect(a).toMatchObject({
      model: 'fake-model',
      temperature: 0.2,
      max_tokens: 50,
      seed: 7,
      top_k: 5,
      stop: ['END'],
    });
    expect(b).toMatchObject({ temperature: 0.9, max_tokens: 5, seed: 7, stop: ['x'] });
    for (const body of [a, b]) {
      for (const key of [
        'input_map',
        'name',
        'type',
        'max_retries',
        'max_new_tokens',
        'base_url',
        'api_key',
      ]) {
        expect(body).not.toHaveProperty(key);
      }
    }
  });

  it('returns all n replies in results', async () => {
    const { block } = await setup({}, { n: 3 });
    const rows: Record<string, unknown>[] = [{ input: 'Tell me something' }];
    await callBlock(block, rows);
    const results = rows[0]?.results as string[];
    expect(results).toHaveLength(3);
    expect(new Set(results).size).toBe(3);
    expect(rows[0]?.result).toBe(results[0]);
  });

  it('waits as long as Retry-After says on 429', async () => {
    const { block } = await setup(
      { faults: [{ status: 429, retryAfterSeconds: 0.25 }] },
      { retry_initial_delay: 0 },
    );
    const started = performance.now();
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    const { events } = await callBlock(block, rows);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(events[0]).toMatchObject({ ok: true, retries: 1 });
  });

  it('gets every row through a rate-limited server', async () => {
    const { block, server } = await setup(
      { rateLimit: { requestsPerSecond: 10 } },
      { max_concurrency: 20 },
    );
    const rows: Record<string, unknown>[] = Array.from({ length: 15 }, (_, i) => ({
      input: `q${i}`,
    }));
    await callBlock(block, rows);
    expect(rows.every((r) => typeof r.result === 'string')).toBe(true);
    expect(server.stats.rejected).toBeGreaterThan(0);
    expect(server.stats.completed).toBe(15);
  });

  it('records a request that fails after all retries on its row, without failing the batch', async () => {
    const { block } = await setup(
      { faults: (req) => (req.prompt === 'doomed' ? { status: 500 } : undefined) },
      { max_retries: 2 },
    );
    const rows: Record<string, unknown>[] = [
      { input: 'doomed', task_name: 't' },
      { input: 'fine' },
    ];
    const { events } = await callBlock(block, rows);
    expect(rows[0]?.result).toBeUndefined();
    expect(rows[0]?.error).toMatch(/\(after 2 retries\): HTTP 500/);
    expect(typeof rows[1]?.result).toBe('string');
    expect(events.find((e) => e.task === 't')).toMatchObject({
      ok: false,
      retries: 2,
      error: rows[0]?.error,
    });
  });

  it('fails the run fast, naming the URL, when the server was never reachable', async () => {
    const dead = await startFakeOpenAI();
    await dead.close();
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model: 'm',
      base_url: dead.baseURL,
      max_retries: 4,
      retry_initial_delay: 0.01,
    });
    const started = Date.now();
    const error = await callBlock(block, [{ input: 'x' }, { input: 'y' }]).catch((e: unknown) => e);
    expect(isDgtError(error) && error.code).toBe('LM_UNREACHABLE');
    expect((error as Error).message).toContain(`cannot reach ${dead.baseURL}`);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Later calls to the same server fail at once, without trying again.
    const again = await callBlock(block, [{ input: 'z' }]).catch((e: unknown) => e);
    expect(isDgtError(again) && again.code).toBe('LM_UNREACHABLE');
  });

  it('retries a network error of a server that has answered before, and records the failure', async () => {
    const server = await startFakeOpenAI();
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model: 'm',
      base_url: server.baseURL,
      max_retries: 1,
      retry_initial_delay: 0.01,
    });
    await callBlock(block, [{ input: 'warm up' }]);
    await server.close();
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    const { events } = await callBlock(block, rows);
    expect(rows[0]?.error).toMatch(/\(after 1 retry\): cannot reach .*Connection error/);
    expect(events[0]).toMatchObject({ ok: false, retries: 1 });
  });

  it('accepts call_limit as the concurrency alias', async () => {
    const { block, server } = await setup({ latencyMs: 30 }, { call_limit: 2 });
    await callBlock(
      block,
      Array.from({ length: 6 }, (_, i) => ({ input: `q${i}` })),
    );
    expect(server.stats.maxInFlight).toBe(2);
  });

  it('never reveals the API key in row errors or events', async () => {
    const key = 'sk-secret-abc123';
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${key}` } });
    const { block } = await setup({ faults: [{ status: 401, body }] }, { api_key: key });
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    const { events } = await callBlock(block, rows);
    expect(rows[0]?.error).toMatch(/HTTP 401: Incorrect API key provided: \*\*\*/);
    expect(JSON.stringify({ rows, events })).not.toContain(key);
  });

  it('falls back to OPENAI_BASE_URL and a placeholder key for local servers', async () => {
    const server = await startFakeOpenAI({ reply: () => 'from env' });
    servers.push(server);
    const block = await makeBlock(
      openaiBlock,
      { type: 'openai', model: 'm' },
      // An empty OPENAI_API_KEY= (as a .env template leaves it) is no key: the placeholder is sent.
      { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: '' },
    );
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows);
    expect(rows[0]?.result).toBe('from env');
    expect(rows[0]?.error).toBeUndefined();
  });

  it('rejects configuration mistakes with DgtErrors naming the block and key', async () => {
    const missingModel = await makeBlock(openaiBlock, {
      type: 'openai',
      base_url: 'http://127.0.0.1:1/v1',
    }).catch((e) => e);
    expect(isDgtError(missingModel)).toBe(true);
    expect(missingModel).toMatchObject({
      code: 'INVALID_BLOCK_CONFIG',
      message: expect.stringContaining('"generator"'),
    });
    expect(missingModel.message).toContain('model_id_or_path');
    const noKey = await makeBlock(openaiBlock, { type: 'openai', model: 'gpt-4o-mini' }).catch(
      (e) => e,
    );
    expect(noKey).toMatchObject({
      code: 'MISSING_CREDENTIALS',
      message: expect.stringContaining('OPENAI_API_KEY'),
    });
    const withEnvKey = await makeBlock(
      openaiBlock,
      { type: 'openai', model: 'gpt-4o-mini' },
      { OPENAI_API_KEY: 'sk-x' },
    );
    expect(withEnvKey.role).toBe('lm');
  });
});
