import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { discoverPlugins, planRun } from '@dgt/core';
import {
  type FakeLmServer,
  startFakeOpenAI,
  startTestRedis,
  type TestRedis,
  testRedisSource,
} from '@dgt/testing';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILDER_JOB_VERSION,
  type BuilderJob,
  builderQueueName,
} from '../src/worker/builder-job.js';
import { ownDatabase, startWorkerProcess } from './cluster-processes.js';
import { BIN, REPO, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const BUILDER = 'public/examples/geography_qa';

const source = testRedisSource();
if (source.kind === 'none') console.warn(`skipping dgt worker tests: ${source.skipReason}`);

describe.skipIf(source.kind === 'none')('dgt worker (preview)', () => {
  let redis: TestRedis;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = ownDatabase(await startTestRedis(source), 3);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /**
   * A project using the fake server, and builder jobs for it as a coordinator would make them:
   * from the planned run (merged builder config, validated block configs, the task's seeds).
   */
  async function setUp(server: FakeLmServer) {
    const dir = await tempDir();
    // A model name of its own: a Redis shared by the test run holds no cached answer for it.
    const model = `m-${randomUUID()}`;
    await writeFile(
      path.join(dir, 'override.yaml'),
      `databuilders:\n  ${BUILDER}:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: ${model}\n        base_url: ${server.baseURL}\n        max_concurrency: 4\n`,
    );
    await writeFile(path.join(dir, 'task.yaml'), await readFile(GEOGRAPHY, 'utf8'));
    const registry = await discoverPlugins({
      projectRoot: dir,
      fallbackRoots: [path.join(REPO, 'packages/cli')],
    });
    const plan = await planRun({
      taskPaths: ['task.yaml'],
      configPath: 'override.yaml',
      cwd: dir,
      registry,
      env: {},
    });
    const planned = plan.builders[0]!;
    const task = planned.tasks[0]!;
    const name = task.loaded.config.task_name;
    const job = (attempt: number, rows: number): BuilderJob => ({
      version: BUILDER_JOB_VERSION,
      builderId: planned.id,
      unit: `${name}#${attempt}`,
      config: { ...planned.config, blocks: planned.blockConfigs },
      attempt,
      randomSeed: task.settings.randomSeed,
      batch: task.seeds.slice(0, rows).map((seed) => ({ ...seed, task_name: name })),
      tasks: { [name]: task.loaded.config as Record<string, unknown> },
      taskLocations: {
        [name]: {
          file: task.loaded.file,
          baseDir: task.loaded.baseDir,
          outputDir: task.settings.taskDir,
        },
      },
      examples: {
        [name]: {
          seeds: task.seeds,
          accepted: [],
          seedBatchSize: task.settings.seedBatchSize,
          machineBatchSize: task.settings.machineBatchSize,
        },
      },
    });
    // The coordinator's side, as the test plays it: BullMQ's own producer and event stream.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(builderQueueName(planned.id), { connection });
    const events = new QueueEvents(builderQueueName(planned.id), { connection });
    await events.waitUntilReady();
    cleanups.push(
      async () => connection.disconnect(),
      () => queue.close(),
      () => events.close(),
    );
    return { dir, name, job, queue, events };
  }

  it('executes builder jobs put on the queue and returns their outputs', async () => {
    const server = await startFakeOpenAI({ latencyMs: 20 });
    cleanups.push(() => server.close());
    const { dir, name, job, queue, events } = await setUp(server);
    const worker = await startWorkerProcess(dir, ['--queue', redis.url, '--concurrency', '2']);
    cleanups.push(async () => {
      worker.child.kill('SIGKILL');
      await worker.exit;
    });

    const jobs = await Promise.all([1, 2, 3].map((n) => queue.add('call', job(n, 4))));
    const results = await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 60_000)));
    for (const result of results) {
      expect(result.outputs.length).toBeGreaterThan(0);
      for (const output of result.outputs) {
        expect(output).toMatchObject({ task_name: name, is_seed: false });
        expect(typeof output.question).toBe('string');
        expect(typeof output.answer).toBe('string');
      }
      // The job's own LM requests come back as events, for the coordinator to count.
      const requests = result.events.filter((e: { type: string }) => e.type === 'lm-request');
      expect(requests).toHaveLength(4);
    }
    // 3 jobs × 4 rows, each one request at the server.
    expect(server.stats.completed).toBe(12);
    expect(worker.stderr()).toMatch(/job \d+ of public\/examples\/geography_qa: \d+ outputs/);
  });

  it('finishes the job in hand on SIGTERM before it exits', async () => {
    const server = await startFakeOpenAI({ latencyMs: 1_500 });
    cleanups.push(() => server.close());
    const { dir, job, queue, events } = await setUp(server);
    const worker = await startWorkerProcess(dir, ['--queue', redis.url]);
    cleanups.push(async () => {
      worker.child.kill('SIGKILL');
      await worker.exit;
    });

    const added = await queue.add('call', job(1, 2));
    const deadline = Date.now() + 20_000;
    while (server.stats.inFlight === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(server.stats.inFlight).toBeGreaterThan(0);
    worker.child.kill('SIGTERM');
    const result = await added.waitUntilFinished(events, 30_000);
    expect(result.outputs.length).toBeGreaterThan(0);
    expect(await worker.exit).toBe(0);
    expect(worker.stderr()).toMatch(/finishing the jobs in hand/);
  });

  it('hands the job of a worker killed with -9 to another worker', async () => {
    const server = await startFakeOpenAI({ latencyMs: 1_500 });
    cleanups.push(() => server.close());
    const { dir, job, queue, events } = await setUp(server);
    const args = ['--queue', redis.url];
    const doomed = await startWorkerProcess(dir, args);
    cleanups.push(async () => {
      doomed.child.kill('SIGKILL');
      await doomed.exit;
    });
    const added = await queue.add('call', job(1, 2));
    const deadline = Date.now() + 20_000;
    while (!doomed.stderr().includes(`job ${added.id} `) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    // It holds the job: its requests are at the server.
    expect(doomed.stderr()).toContain(`job ${added.id} of ${BUILDER}: attempt 1`);
    doomed.child.kill('SIGKILL');
    await doomed.exit;

    const rescuer = await startWorkerProcess(dir, args);
    cleanups.push(async () => {
      rescuer.child.kill('SIGKILL');
      await rescuer.exit;
    });
    const result = await added.waitUntilFinished(events, 50_000);
    expect(result.outputs.length).toBeGreaterThan(0);
    expect(rescuer.stderr()).toContain(`job ${added.id} of ${BUILDER}: attempt 1`);
  }, 60_000);

  it('refuses to start without a queue or for a builder it does not have', async () => {
    const dir = await tempDir();
    const none = spawn(process.execPath, [BIN, 'worker'], { cwd: dir, env: { PATH: '' } });
    let stderr = '';
    none.stderr.on('data', (c) => (stderr += c));
    expect(await new Promise((r) => none.on('close', r))).toBe(2);
    expect(stderr).toMatch(/dgt worker needs the queue/);

    const unknown = spawn(
      process.execPath,
      [BIN, 'worker', '--queue', redis.url, '--builders', 'acme/nothing'],
      { cwd: dir, env: { PATH: '' } },
    );
    stderr = '';
    unknown.stderr.on('data', (c) => (stderr += c));
    expect(await new Promise((r) => unknown.on('close', r))).toBe(2);
    expect(stderr).toMatch(/--builders names "acme\/nothing"/);
  });
});
