import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFakeOpenAI, startTestRedis, type TestRedis, testRedisSource } from '@dgt/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killWorker, ownDatabase, startWorkerProcess } from './cluster-processes.js';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const FINAL = 'examples/geography_qa/final_data.jsonl';

const source = testRedisSource();
if (source.kind === 'none') console.warn(`skipping --queue cache tests: ${source.skipReason}`);

describe.skipIf(source.kind === 'none')('dgt run --queue: the request cache in Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = ownDatabase(await startTestRedis(source), 4);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** A project folder of its own (its own SQLite cache folder too), as on another machine. */
  async function project(baseURL: string, model: string): Promise<string> {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'override.yaml'),
      `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: ${model}\n        base_url: ${baseURL}\n        max_concurrency: 8\n`,
    );
    await writeFile(path.join(dir, 'task.yaml'), await readFile(GEOGRAPHY, 'utf8'));
    return dir;
  }

  const run = (dir: string, extra: string[], env: Record<string, string> = {}) =>
    runCli(
      [
        'run',
        '--task-paths',
        'task.yaml',
        '--config-path',
        'override.yaml',
        '--output-dir',
        'out',
        '--num-outputs-to-generate',
        '30',
        ...extra,
      ],
      { cwd: dir, env },
    );

  it('a rerun from another folder and process makes no request at all', async () => {
    const server = await startFakeOpenAI({ latencyMs: 5 });
    let stopWorker: () => Promise<void> = async () => undefined;
    try {
      // A model name of its own: a Redis shared by the test run holds no answer for it yet.
      const model = `m-${randomUUID()}`;
      const first = await project(server.baseURL, model);
      const second = await project(server.baseURL, model);
      // A run given a queue is a coordinator: a worker (another process) makes its calls.
      const worker = await startWorkerProcess(first, ['--queue', redis.url, '--concurrency', '2']);
      stopWorker = () => killWorker(worker);
      const a = await run(first, ['--queue', redis.url]);
      expect(a.stderr).not.toMatch(/warning|error/i);
      expect(a.code).toBe(0);
      expect(server.stats.completed).toBeGreaterThanOrEqual(30);

      server.reset();
      // DGT_QUEUE_URL does what --queue does.
      const b = await run(second, [], { DGT_QUEUE_URL: redis.url });
      expect(b.code).toBe(0);
      expect(server.stats.requests).toBe(0);
      expect(await readJsonl(path.join(second, 'out', FINAL))).toEqual(
        await readJsonl(path.join(first, 'out', FINAL)),
      );
    } finally {
      await stopWorker();
      await server.close();
    }
  });

  it('a Redis that cannot be reached stops the run at once, naming it without its password', async () => {
    const dir = await project('http://127.0.0.1:9/v1', 'm');
    // Port 9 (discard) has nothing listening on 127.0.0.1.
    const result = await run(dir, ['--queue', 'redis://:s3cret-pw@127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Cannot reach Redis at redis:\/\/\*\*\*@127\.0\.0\.1:9/);
    expect(result.stderr).not.toContain('s3cret-pw');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a --queue that is not a Redis URL is a usage error', async () => {
    const dir = await project('http://127.0.0.1:9/v1', 'm');
    const result = await run(dir, ['--queue', 'localhost:6379']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--queue must be a Redis URL such as redis:\/\/localhost:6379/);
  });
});
