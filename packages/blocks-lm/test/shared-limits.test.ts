import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeOpenAI, startTestRedis, type TestRedis, testRedisSource } from '@dgt/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./fixtures/send-requests.mjs', import.meta.url));

const source = testRedisSource();
if (source.kind === 'none') console.warn(`skipping shared-limits tests: ${source.skipReason}`);

type Outcome = { failed: number };

/**
 * Starts the fixture in `count` child processes (separate Nodes, as on separate machines), and
 * once every one has its block ready, lets them all send at the same moment.
 */
async function sendFromProcesses(settings: Record<string, unknown>[]): Promise<Outcome[]> {
  const children = settings.map((s) => {
    const child = spawn(process.execPath, [SCRIPT, JSON.stringify(s)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        if (out.startsWith('ready\n')) resolve();
      });
      child.on('close', () => reject(new Error(`fixture exited early: ${err}`)));
    });
    const done = new Promise<Outcome>((resolve, reject) => {
      child.on('close', (code) => {
        if (code === 0) resolve(JSON.parse(out.slice('ready\n'.length)));
        else reject(new Error(`fixture exited ${code}: ${err}`));
      });
    });
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const { child } of children) child.stdin.write('go\n');
  return Promise.all(children.map((c) => c.done));
}

describe.skipIf(source.kind === 'none')('three processes sharing one Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis(source);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('keep a server allowing 20 requests a second within its rate: almost no 429s', async () => {
    const server = await startFakeOpenAI({
      latencyMs: 40,
      rateLimit: { requestsPerSecond: 20, retryAfterSeconds: 1 },
    });
    try {
      const outcomes = await sendFromProcesses(
        ['a', 'b', 'c'].map((prefix) => ({
          baseURL: server.baseURL,
          sharedStateUrl: redis.url,
          count: 40,
          prefix,
          // Each process is told the server's whole budget, as users copy one config.
          block: { requests_per_minute: 1200, max_concurrency: 16 },
        })),
      );
      expect(outcomes.map((o) => o.failed)).toEqual([0, 0, 0]);
      expect(server.stats.completed).toBe(120);
      // The server's sliding window is the referee: a 429 is a second that went over 20.
      expect(server.stats.rejected).toBeLessThanOrEqual(3);
      // Measured at the server: 120 requests at 20 a second take at least 119 / 20 s (each
      // process alone, at the 20 it was told, would make it 2 s).
      const { firstRequestMs = 0, lastReplyMs = 0 } = server.stats;
      expect(server.stats.completed / ((lastReplyMs - firstRequestMs) / 1000)).toBeLessThan(20.5);
    } finally {
      await server.close();
    }
  });

  it('keep max_concurrency across the processes', async () => {
    const server = await startFakeOpenAI({ latencyMs: 60 });
    try {
      const outcomes = await sendFromProcesses(
        ['a', 'b', 'c'].map((prefix) => ({
          baseURL: server.baseURL,
          sharedStateUrl: redis.url,
          count: 20,
          prefix,
          block: { max_concurrency: 4 },
        })),
      );
      expect(outcomes.map((o) => o.failed)).toEqual([0, 0, 0]);
      expect(server.stats.completed).toBe(60);
      expect(server.stats.maxInFlight).toBe(4);
    } finally {
      await server.close();
    }
  });
});
