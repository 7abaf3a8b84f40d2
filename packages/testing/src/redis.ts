import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The environment variable naming a Redis that tests use instead of starting their own. */
export const TEST_REDIS_URL_ENV = 'DGT_TEST_REDIS_URL';

/**
 * Where tests get Redis from: `url` (a running Redis, from `DGT_TEST_REDIS_URL`), or `binary`
 * (a `redis-server` to start per test file), or `skipReason` when neither exists outside CI.
 */
export type TestRedisSource =
  | { kind: 'url'; url: string }
  | { kind: 'binary'; binary: string }
  | { kind: 'none'; skipReason: string };

function onPath(name: string, env: Record<string, string | undefined>): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return undefined;
}

function inCi(env: Record<string, string | undefined>): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * Decides where tests get Redis from. In CI (`CI` set) a missing Redis is an error, so tests
 * that need it can never be skipped there silently; elsewhere they are skipped with the reason.
 */
export function testRedisSource(
  env: Record<string, string | undefined> = process.env,
): TestRedisSource {
  const url = env[TEST_REDIS_URL_ENV];
  if (url) return { kind: 'url', url };
  const binary = onPath('redis-server', env);
  if (binary) return { kind: 'binary', binary };
  if (inCi(env)) {
    throw new Error(
      `Tests need Redis: set ${TEST_REDIS_URL_ENV} or install redis-server (apt-get install -y redis-server). .ci/run does both.`,
    );
  }
  return {
    kind: 'none',
    skipReason: `no Redis: ${TEST_REDIS_URL_ENV} is unset and redis-server is not installed (apt-get install -y redis-server)`,
  };
}

/** A Redis for a test: its URL, and `stop` to call when done (a no-op for a shared one). */
export type TestRedis = { url: string; stop(): Promise<void> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

async function startServer(binary: string): Promise<TestRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-redis-'));
  for (let attempt = 0; ; attempt++) {
    // The port is free when asked for; another process may take it before Redis binds it, so
    // a failed start is retried on another port.
    const port = await freePort();
    const child: ChildProcess = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline && !(await answersPing(port))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!exited && Date.now() < deadline) {
      return {
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            const gone = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            await gone;
          }
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    if (attempt >= 2) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server (${binary}) did not start on 127.0.0.1:${port}`);
    }
  }
}

/**
 * A Redis for a test: the one `DGT_TEST_REDIS_URL` names (shared by all tests: use keys no
 * other test uses), else a fresh `redis-server` on a free port with its own temporary folder.
 * Pair with {@link testRedisSource} to skip when there is none.
 */
export async function startTestRedis(
  source: TestRedisSource = testRedisSource(),
): Promise<TestRedis> {
  if (source.kind === 'url') return { url: source.url, stop: async () => undefined };
  if (source.kind === 'binary') return startServer(source.binary);
  throw new Error(`Redis is not available: ${source.skipReason}`);
}
