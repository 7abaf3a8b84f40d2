import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import openaiBlock from '../openai.js';
import { callBlock, makeBlock } from '../test-utils.js';
import { Endpoint, joinEndpoint } from './endpoint.js';

const rows = (n: number, tag = 'q') =>
  Array.from({ length: n }, (_, i) => ({ input: `${tag}${i}` }) as Record<string, unknown>);

describe('shared endpoint', () => {
  it('shares one concurrency budget across blocks talking to the same server and key', async () => {
    const server = await startFakeOpenAI({ latencyMs: 20 });
    const config = {
      type: 'openai',
      model_id_or_path: 'm',
      base_url: server.baseURL,
      max_concurrency: 3,
      cache: 'off',
    };
    const a = await makeBlock(openaiBlock, config);
    const b = await makeBlock(openaiBlock, { ...config, name: 'judge' });
    await Promise.all([callBlock(a, rows(12, 'a')), callBlock(b, rows(12, 'b'))]);
    expect(server.stats).toMatchObject({ completed: 24, maxInFlight: 3 });
    await Promise.all([a.close?.(), b.close?.()]);
    await server.close();
  });

  it('keeps separate budgets for different keys', () => {
    const one = joinEndpoint('openai', 'http://x', 'key-1', { maxConcurrency: 2 });
    const two = joinEndpoint('openai', 'http://x', 'key-2', { maxConcurrency: 2 });
    const again = joinEndpoint('openai', 'http://x', 'key-1', { maxConcurrency: 5 });
    expect(one.endpoint).not.toBe(two.endpoint);
    expect(again.endpoint).toBe(one.endpoint);
    expect(one.endpoint.state.limit).toBe(5);
    expect(one.endpoint.id).not.toContain('key-1');
    for (const e of [one, two, again]) e.release();
  });

  it('spaces requests to stay within requests_per_minute', async () => {
    const server = await startFakeOpenAI();
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model_id_or_path: 'm',
      base_url: server.baseURL,
      requests_per_minute: 1200, // 20 per second
      max_concurrency: 16,
      cache: 'off',
    });
    const started = performance.now();
    await callBlock(block, rows(11));
    // One request may go at once; the other ten need 10/20 s.
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    expect(server.stats.completed).toBe(11);
    await block.close?.();
    await server.close();
  });

  it('waits for the token budget (tokens_per_minute)', async () => {
    const endpoint = new Endpoint('test');
    // 60,000 tokens a minute = 1,000 a second; the bucket holds 10,000.
    const release = endpoint.register({ maxConcurrency: 8, tokensPerMinute: 60_000 });
    const first = await endpoint.acquire(10_000);
    const started = performance.now();
    // The server reports fewer tokens than estimated: the difference is given back.
    first.done({ kind: 'ok', tokens: 9_800 });
    const second = await endpoint.acquire(500);
    second.done({ kind: 'ok', tokens: 500 });
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(450);
    release();
  });

  it('halves the window and pauses on a throttle, then grows back after successes', async () => {
    const endpoint = new Endpoint('aimd');
    const release = endpoint.register({ maxConcurrency: 16 });
    const leases = await Promise.all(Array.from({ length: 16 }, () => endpoint.acquire(1)));
    for (const lease of leases.slice(0, 4)) lease.done({ kind: 'ok' });
    leases[4]?.done({ kind: 'throttled', retryAfterMs: 200 });
    // Echoes of the same overload (requests issued before the cut) do not cut again.
    leases[5]?.done({ kind: 'throttled', retryAfterMs: 200 });
    expect(endpoint.state.window).toBe(8);
    expect(endpoint.state.pausedForMs).toBeGreaterThan(100);
    expect(endpoint.state.requestsPerSecond).toBeCloseTo(3.6, 5);
    for (const lease of leases.slice(6)) lease.done({ kind: 'ok' });
    const started = performance.now();
    for (let i = 0; i < 8; i++) (await endpoint.acquire(1)).done({ kind: 'ok' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(endpoint.state.window).toBeGreaterThan(8);
    expect(endpoint.state.requestsPerSecond).toBeGreaterThan(3.6);
    release();
  });

  it('gets every request through a server limited to 20 requests/s, wasting few on 429s', async () => {
    const server = await startFakeOpenAI({ rateLimit: { requestsPerSecond: 20 } });
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model_id_or_path: 'm',
      base_url: server.baseURL,
      max_concurrency: 32,
      retry_initial_delay: 0.05,
      cache: 'off',
    });
    const out = rows(50);
    const { events } = await callBlock(block, out);
    expect(out.every((r) => typeof r.result === 'string')).toBe(true);
    expect(events.every((e) => e.ok)).toBe(true);
    expect(server.stats.completed).toBe(50);
    expect(server.stats.rejected).toBeLessThan(80);
    await block.close?.();
    await server.close();
  });
});
