import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeOllama } from './ollama.js';
import type { FakeLmServer, FakeServerOptions } from './types.js';

let servers: FakeLmServer[] = [];

async function start(options?: FakeServerOptions) {
  const server = await startFakeOllama(options);
  servers.push(server);
  return { server, client: new Ollama({ host: server.baseURL }) };
}

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const user = (content: string) => [{ role: 'user', content }];

describe('startFakeOllama', () => {
  it('answers /api/chat with stream: false and usage counts', async () => {
    const { client, server } = await start();
    const res = await client.chat({
      model: 'llama-fake',
      messages: user('Name a river please'),
      stream: false,
    });
    expect(res.model).toBe('llama-fake');
    expect(res.done).toBe(true);
    expect(res.done_reason).toBe('stop');
    expect(res.message.role).toBe('assistant');
    expect(res.message.content).toMatch(/^[A-Z].+\.$/);
    expect(res.prompt_eval_count).toBe(4);
    expect(res.eval_count).toBe(res.message.content.split(/\s+/).length);
    expect(server.requests[0]?.prompt).toBe('Name a river please');
  });

  it('answers /api/generate, with the system prompt counted', async () => {
    const { client } = await start({ reply: (req) => `got ${req.prompt}` });
    const res = await client.generate({
      model: 'm',
      prompt: 'hello there',
      system: 'be brief',
      stream: false,
    });
    expect(res.response).toBe('got be brief\nhello there');
    expect(res.prompt_eval_count).toBe(4);
    expect(res.done).toBe(true);
  });

  it('streams NDJSON chunks when asked', async () => {
    const { client } = await start({ reply: () => 'alpha beta gamma' });
    const parts: string[] = [];
    let last: { done: boolean; eval_count?: number } | undefined;
    for await (const chunk of await client.chat({
      model: 'm',
      messages: user('x'),
      stream: true,
    })) {
      parts.push(chunk.message.content);
      last = chunk;
    }
    expect(parts.join('')).toBe('alpha beta gamma');
    expect(last).toMatchObject({ done: true, eval_count: 3 });
    const generated: string[] = [];
    for await (const chunk of await client.generate({ model: 'm', prompt: 'x', stream: true })) {
      generated.push(chunk.response ?? '');
    }
    expect(generated.join('')).toBe('alpha beta gamma');
  });

  it('fills a JSON schema given as format, and JSON mode', async () => {
    const { client } = await start();
    const shape = z.object({ city: z.string(), population: z.number().int().min(0) });
    const res = await client.chat({
      model: 'm',
      messages: user('A city'),
      format: z.toJSONSchema(shape),
      stream: false,
    });
    expect(shape.safeParse(JSON.parse(res.message.content)).success).toBe(true);
    const json = await client.generate({
      model: 'm',
      prompt: 'json',
      format: 'json',
      stream: false,
    });
    expect(typeof JSON.parse(json.response ?? '')).toBe('object');
  });

  it('honours num_predict and stop in options', async () => {
    const { client } = await start({ reply: () => 'one two three|four five' });
    const cut = await client.generate({
      model: 'm',
      prompt: 'x',
      stream: false,
      options: { num_predict: 2 },
    });
    expect(cut.response).toBe('one two');
    expect(cut.done_reason).toBe('length');
    const stopped = await client.generate({
      model: 'm',
      prompt: 'x',
      stream: false,
      options: { stop: ['|'], seed: 1, num_ctx: 512, temperature: 0 },
    });
    expect(stopped.response).toBe('one two three');
  });

  it('lists models and reports a version', async () => {
    const { client } = await start({ models: ['llama3.2:1b'] });
    expect((await client.list()).models.map((m) => m.name)).toEqual(['llama3.2:1b']);
    expect((await client.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('serves faults and rate limits in the Ollama error shape', async () => {
    const { client, server } = await start({
      faults: [{ status: 503, times: 1 }],
      rateLimit: { requestsPerSecond: 1, retryAfterSeconds: 2 },
    });
    const call = () => client.chat({ model: 'm', messages: user('x'), stream: false });
    await expect(call()).rejects.toMatchObject({ name: 'ResponseError', status_code: 503 });
    await expect(call()).resolves.toBeDefined();
    await expect(call()).rejects.toMatchObject({
      status_code: 429,
      error: 'rate limit exceeded, retry later',
    });
    const raw = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: user('y'), stream: false }),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('2');
    expect(await raw.json()).toEqual({ error: 'rate limit exceeded, retry later' });
    expect(server.stats).toMatchObject({ requests: 4, completed: 1, rejected: 3 });
  });

  it('replies deterministically per body and sameBodyCount', async () => {
    const a = await start();
    const b = await start();
    const req = { model: 'm', prompt: 'Describe a harbor', stream: false as const };
    const a1 = (await a.client.generate(req)).response;
    const a2 = (await a.client.generate(req)).response;
    const b1 = (await b.client.generate(req)).response;
    expect(a1).toBe(b1);
    expect(a1).not.toBe(a2);
  });
});
