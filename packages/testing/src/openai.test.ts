import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeOpenAI } from './openai.js';
import type { FakeLmServer, FakeRequest, FakeServerOptions } from './types.js';

let servers: FakeLmServer[] = [];

async function start(options?: FakeServerOptions) {
  const server = await startFakeOpenAI(options);
  servers.push(server);
  const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test-key', maxRetries: 0 });
  return { server, client };
}

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const user = (content: string) => [{ role: 'user' as const, content }];

describe('startFakeOpenAI', () => {
  it('answers chat completions in the real response shape', async () => {
    const { client } = await start();
    const res = await client.chat.completions.create({
      model: 'gpt-fake',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Name a river.' },
      ],
    });
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('gpt-fake');
    expect(typeof res.created).toBe('number');
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.choices[0]?.message.content).toMatch(/^[A-Z].+[.?]$/);
    expect(res.usage?.prompt_tokens).toBe(6);
    expect(res.usage?.completion_tokens).toBeGreaterThan(3);
    expect(res.usage?.total_tokens).toBe(
      (res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0),
    );
  });

  it('answers legacy completions, one choice per prompt and n', async () => {
    const { client } = await start();
    const res = await client.completions.create({ model: 'm', prompt: 'Once upon a time', n: 2 });
    expect(res.object).toBe('text_completion');
    expect(res.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(res.choices[0]?.text).not.toBe(res.choices[1]?.text);
    const batched = await client.completions.create({ model: 'm', prompt: ['a b', 'c d e'] });
    expect(batched.choices).toHaveLength(2);
    expect(batched.usage?.prompt_tokens).toBe(5);
  });

  it('returns n distinct chat choices', async () => {
    const { client } = await start();
    const res = await client.chat.completions.create({ model: 'm', messages: user('Hi'), n: 3 });
    const texts = res.choices.map((c) => c.message.content);
    expect(new Set(texts).size).toBe(3);
  });

  it('returns JSON valid against a requested json_schema', async () => {
    const { client, server } = await start();
    const shape = z.object({
      question: z.string(),
      answer: z.string(),
      difficulty: z.enum(['easy', 'hard']),
      year: z.number().int().min(1900).max(2000),
    });
    const schema = z.toJSONSchema(shape) as Record<string, unknown>;
    for (let i = 0; i < 5; i++) {
      const res = await client.chat.completions.create({
        model: 'm',
        messages: user('Make a question'),
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'qa', schema, strict: false },
        },
      });
      const parsed = shape.parse(JSON.parse(res.choices[0]?.message.content ?? ''));
      expect(parsed.question).toMatch(/\?$/);
    }
    expect(server.requests[0]?.schema).toEqual(schema);
    expect(server.requests[0]?.json).toBe(true);
    const plain = await client.chat.completions.create({
      model: 'm',
      messages: user('JSON please'),
      response_format: { type: 'json_object' },
    });
    expect(typeof JSON.parse(plain.choices[0]?.message.content ?? '')).toBe('object');
  });

  it('cuts replies at stop sequences and max_tokens', async () => {
    const { client } = await start({ reply: () => 'one two three. four five six' });
    const stopped = await client.chat.completions.create({
      model: 'm',
      messages: user('x'),
      stop: ['.'],
    });
    expect(stopped.choices[0]?.message.content).toBe('one two three');
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
    const limited = await client.chat.completions.create({
      model: 'm',
      messages: user('x'),
      max_completion_tokens: 2,
    });
    expect(limited.choices[0]?.message.content).toBe('one two');
    expect(limited.choices[0]?.finish_reason).toBe('length');
    expect(limited.usage?.completion_tokens).toBe(2);
    const legacy = await client.completions.create({ model: 'm', prompt: 'x', max_tokens: 4 });
    expect(legacy.choices[0]?.text).toBe('one two three. four');
  });

  it('gives a custom reply the parsed request', async () => {
    const seen: FakeRequest[] = [];
    const { client } = await start({
      reply: (req) => {
        seen.push(req);
        return `echo: ${req.prompt}`;
      },
    });
    const body = { model: 'm', messages: user('same') };
    await client.chat.completions.create(body);
    const res = await client.chat.completions.create(body);
    expect(res.choices[0]?.message.content).toBe('echo: same');
    expect(seen.map((r) => [r.path, r.index, r.sameBodyCount])).toEqual([
      ['/v1/chat/completions', 0, 0],
      ['/v1/chat/completions', 1, 1],
    ]);
  });

  it('serves injected faults in order, then recovers', async () => {
    const { client, server } = await start({
      faults: [
        { status: 500, times: 2 },
        { status: 503, retryAfterSeconds: 3 },
      ],
    });
    const call = () => client.chat.completions.create({ model: 'm', messages: user('x') });
    await expect(call()).rejects.toMatchObject({ status: 500, error: { type: 'server_error' } });
    await expect(call()).rejects.toMatchObject({ status: 500 });
    const third = await call().catch((e: unknown) => e);
    expect(third).toBeInstanceOf(OpenAI.APIError);
    expect((third as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((third as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('3');
    await expect(call()).resolves.toBeDefined();
    expect(server.stats).toMatchObject({ requests: 4, completed: 1, rejected: 3, inFlight: 0 });
  });

  it('takes faults from a function of the request', async () => {
    const { client } = await start({
      faults: (req) =>
        req.prompt.includes('bad')
          ? { status: 400, body: '{"error":{"message":"nope"}}' }
          : undefined,
    });
    await expect(
      client.chat.completions.create({ model: 'm', messages: user('bad one') }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('nope'),
    });
    await expect(
      client.chat.completions.create({ model: 'm', messages: user('good') }),
    ).resolves.toBeDefined();
  });

  it('rate-limits with 429 and Retry-After beyond the allowed rate', async () => {
    const { client, server } = await start({ rateLimit: { requestsPerSecond: 2 } });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        client.chat.completions.create({ model: 'm', messages: user(`q${i}`) }),
      ),
    );
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(rejected).toHaveLength(3);
    for (const r of rejected) {
      expect(r.reason).toBeInstanceOf(OpenAI.RateLimitError);
      expect(Number(r.reason.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.reason.error).toMatchObject({ code: 'rate_limit_exceeded' });
    }
    expect(server.stats).toMatchObject({ requests: 5, completed: 2, rejected: 3 });
  });

  it('delays replies by latencyMs and counts requests in flight', async () => {
    const { client, server } = await start({ latencyMs: 60 });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        client.chat.completions.create({ model: 'm', messages: user(`q${i}`) }),
      ),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(server.stats).toMatchObject({ requests: 4, completed: 4, inFlight: 0, maxInFlight: 4 });
    // The server was busy from the first request to the last reply: at least one latency.
    const { firstRequestMs = 0, lastReplyMs = 0 } = server.stats;
    expect(lastReplyMs - firstRequestMs).toBeGreaterThanOrEqual(55);
    server.reset();
    expect(server.stats).toMatchObject({ requests: 0, completed: 0, maxInFlight: 0 });
    expect(server.stats.firstRequestMs).toBeUndefined();
    expect(server.requests).toHaveLength(0);
  });

  it('replies deterministically: same body alike across servers, varied within one', async () => {
    const body = { model: 'm', messages: user('Tell me about rivers'), temperature: 0.7 };
    const a = await start();
    const b = await start();
    const a1 = (await a.client.chat.completions.create(body)).choices[0]?.message.content;
    const a2 = (await a.client.chat.completions.create(body)).choices[0]?.message.content;
    const b1 = (await b.client.chat.completions.create(body)).choices[0]?.message.content;
    const b2 = (await b.client.chat.completions.create(body)).choices[0]?.message.content;
    expect(a1).toBe(b1);
    expect(a2).toBe(b2);
    expect(a1).not.toBe(a2);
  });

  it('lists models and answers bad requests in the OpenAI error shape', async () => {
    const { client } = await start({ models: ['alpha', 'beta'] });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['alpha', 'beta']);
    await expect(
      client.chat.completions.create({ model: 'm', messages: [] }),
    ).rejects.toMatchObject({
      status: 400,
      error: { type: 'invalid_request_error' },
    });
  });
});
