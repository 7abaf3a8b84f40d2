import { randomUUID } from 'node:crypto';
import { startTestRedis, type TestRedis, testRedisSource } from '@dgt/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoint, type EndpointLimits, type Lease } from './endpoint.js';
import { SharedEndpoint } from './shared-endpoint.js';

const source = testRedisSource();
if (source.kind === 'none') console.warn(`skipping shared endpoint tests: ${source.skipReason}`);

// Two "processes": each has its own local endpoint and its own Redis connection, as two
// processes on two machines would; only the endpoint id (provider, URL, key) is the same.
describe.skipIf(source.kind === 'none')('SharedEndpoint', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startTestRedis(source);
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis?.stop();
  });

  function processes(
    count: number,
    limits: EndpointLimits,
    options: { url?: string; leaseTtlMs?: number } = {},
  ): SharedEndpoint[] {
    // A fresh id per test: a Redis shared by the test run never holds this test's keys already.
    const id = `openai|http://127.0.0.1/${randomUUID()}|-`;
    return Array.from({ length: count }, () => {
      const local = new Endpoint(id);
      local.register(limits);
      const client = new Redis(options.url ?? redis.url, { maxRetriesPerRequest: 2 });
      client.on('error', () => undefined);
      clients.push(client);
      return new SharedEndpoint(local, client, options.leaseTtlMs ?? 60_000);
    });
  }

  it('keeps max_concurrency across processes', async () => {
    const [a, b] = processes(2, { maxConcurrency: 3 });
    let held = 0;
    let peak = 0;
    const use = async (endpoint: SharedEndpoint) => {
      const lease = await endpoint.acquire(1);
      held++;
      peak = Math.max(peak, held);
      await new Promise((r) => setTimeout(r, 15));
      held--;
      lease.done({ kind: 'ok' });
    };
    await Promise.all([
      ...Array.from({ length: 12 }, () => use(a!)),
      ...Array.from({ length: 12 }, () => use(b!)),
    ]);
    // Each process alone would allow 3 at once: 6 together.
    expect(peak).toBe(3);
  });

  it('keeps requests_per_minute across processes', async () => {
    const [a, b] = processes(2, { maxConcurrency: 50, requestsPerMinute: 1200 });
    const started = performance.now();
    const admitted: number[] = [];
    const use = async (endpoint: SharedEndpoint) => {
      const lease = await endpoint.acquire(1);
      admitted.push(performance.now() - started);
      lease.done({ kind: 'ok' });
    };
    await Promise.all([
      ...Array.from({ length: 15 }, () => use(a!)),
      ...Array.from({ length: 15 }, () => use(b!)),
    ]);
    // 20 a second, one at a time: the 30th request cannot start before ~1.45 s. Each process
    // alone would let its 15 go in about 0.65 s.
    expect(Math.max(...admitted)).toBeGreaterThan(1_200);
  });

  it('pauses every process for the Retry-After one of them was given', async () => {
    const [a, b] = processes(2, { maxConcurrency: 4 });
    const lease: Lease = await a!.acquire(1);
    lease.done({ kind: 'throttled', retryAfterMs: 400 });
    // The pause is written on a's connection: a round trip on it means Redis has it.
    await clients.at(-2)!.ping();
    const started = performance.now();
    (await b!.acquire(1)).done({ kind: 'ok' });
    expect(performance.now() - started).toBeGreaterThan(300);
  });

  it('gives up waiting when the signal aborts, and the slot it waited for stays free', async () => {
    const [a, b] = processes(2, { maxConcurrency: 1 });
    const first = await a!.acquire(1);
    const controller = new AbortController();
    const waiting = b!.acquire(1, controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 30);
    await expect(waiting).rejects.toThrow('stop');
    first.done({ kind: 'ok' });
    // Admitted at once: the aborted waiter holds no slot.
    const next = await Promise.race([
      b!.acquire(1),
      new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 2_000)),
    ]);
    expect(next).not.toBe('stuck');
    (next as Lease).done({ kind: 'ok' });
  });

  it('frees the slots of a process that died holding them when their lease runs out', async () => {
    const [dead, alive] = processes(2, { maxConcurrency: 2 }, { leaseTtlMs: 400 });
    // Never released, as when the process is killed mid-request.
    await dead!.acquire(1);
    // The other process keeps sending, two at a time if it can, well past the dead one's lease.
    let held = 0;
    let peak = 0;
    const started = performance.now();
    const sender = async () => {
      while (performance.now() - started < 1_200) {
        const lease = await alive!.acquire(1);
        peak = Math.max(peak, ++held);
        await new Promise((r) => setTimeout(r, 20));
        held--;
        lease.done({ kind: 'ok' });
      }
    };
    await Promise.all([sender(), sender()]);
    expect(peak).toBe(2);
  });

  // Needs a Redis of its own to stop: a redis-server binary (CI installs one).
  const own = testRedisSource({ ...process.env, DGT_TEST_REDIS_URL: '' });
  it.skipIf(own.kind !== 'binary')(
    'fails waiting requests with QUEUE_UNREACHABLE when Redis goes away, instead of hanging',
    async () => {
      const server = await startTestRedis(own);
      const [a] = processes(1, { maxConcurrency: 1 }, { url: server.url });
      const first = await a!.acquire(1);
      const waiting = a!.acquire(1);
      await server.stop();
      first.done({ kind: 'ok' });
      await expect(waiting).rejects.toMatchObject({ code: 'QUEUE_UNREACHABLE' });
    },
  );
});
