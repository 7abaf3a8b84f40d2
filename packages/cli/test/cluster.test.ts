import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type FakeLmServer,
  type FakeRequest,
  startFakeOpenAI,
  startTestRedis,
  type TestRedis,
  testRedisSource,
} from '@dgt/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  jobsInHand,
  killWorker,
  ownDatabase,
  startWorkerProcess,
  type WorkerProcess,
  writeClusterOverride,
} from './cluster-processes.js';
import { lineCount, REPO, readJsonl, runCli, startCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const DATA = 'out/examples/geography_qa/data.jsonl';

const source = testRedisSource();
if (source.kind === 'none') console.warn(`skipping cluster tests: ${source.skipReason}`);

/**
 * Every request gets a question of its own, so a record in the output twice can only come from
 * the run committing one reply twice (or two calls sharing one cache entry), never from the
 * server repeating itself; and no dedup step is configured to hide it.
 */
function uniqueReply(req: FakeRequest): string {
  return JSON.stringify({
    question: `Which place is number ${req.index}.${req.choice}?`,
    answer: `Place ${req.index}`,
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function questions(records: Record<string, unknown>[]): string[] {
  return records.map((r) => String(r.question));
}

/** The task's data holds exactly `target` records, no question twice. */
async function expectExactly(dir: string, target: number) {
  const records = await readJsonl(path.join(dir, DATA));
  expect(records).toHaveLength(target);
  expect(new Set(questions(records)).size).toBe(target);
  return records;
}

describe.skipIf(source.kind === 'none')('dgt run --queue with dgt worker processes', () => {
  let redis: TestRedis;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = ownDatabase(await startTestRedis(source), 2);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function project(server: FakeLmServer, target: number) {
    const dir = await tempDir();
    // A model of its own: the Redis request cache shared by the tests holds nothing for it.
    await writeClusterOverride(dir, server.baseURL, { model_id_or_path: `m-${randomUUID()}` });
    await writeFile(path.join(dir, 'task.yaml'), await readFile(GEOGRAPHY, 'utf8'));
    const args = [
      'run',
      '--task-paths',
      'task.yaml',
      '--config-path',
      'override.yaml',
      '--num-outputs-to-generate',
      String(target),
      '--output-dir',
      'out',
      '--queue',
      redis.url,
    ];
    return { dir, args };
  }

  /** Starts the coordinator, killed at the end of the test if still running. */
  function coordinator(dir: string, args: string[]) {
    const run = startCli(args, { cwd: dir });
    cleanups.push(async () => {
      run.child.kill('SIGKILL');
      await run.done;
    });
    return run;
  }

  async function workers(dir: string, count: number, concurrency = 2): Promise<WorkerProcess[]> {
    const started = await Promise.all(
      Array.from({ length: count }, () =>
        startWorkerProcess(dir, ['--queue', redis.url, '--concurrency', String(concurrency)]),
      ),
    );
    for (const worker of started) cleanups.push(() => killWorker(worker));
    return started;
  }

  it('makes exactly N records with no repeats when a worker is killed with -9 mid-run', async () => {
    const server = await startFakeOpenAI({ latencyMs: 150, reply: uniqueReply });
    cleanups.push(() => server.close());
    const target = 80;
    const { dir, args } = await project(server, target);
    const pool = await workers(dir, 3);
    const run = coordinator(dir, args);

    // Mid-run: some records committed, and a worker holds jobs.
    await waitFor(async () => (await lineCount(path.join(dir, DATA))) >= 15, 'first records');
    await waitFor(() => jobsInHand(pool[0]!).length > 0, 'a job in hand of worker 0');
    const lost = jobsInHand(pool[0]!);
    await killWorker(pool[0]!);

    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const records = await expectExactly(dir, target);
    expect(await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl'))).toEqual(
      records,
    );
    // The killed worker's jobs were finished by the others (BullMQ's stalled-job recovery).
    const rescued = pool.slice(1).map((w) => w.stderr());
    for (const id of lost)
      expect(rescued.join('\n')).toMatch(new RegExp(`job ${id} of .* outputs`));
    // The survivors took part (the killed one may have finished nothing before it died).
    for (const worker of pool.slice(1)) expect(worker.stderr()).toMatch(/outputs in/);
  }, 120_000);

  it('drops the late result of a worker presumed dead (stopped, then resumed)', async () => {
    const server = await startFakeOpenAI({ latencyMs: 400, reply: uniqueReply });
    cleanups.push(() => server.close());
    const target = 60;
    const { dir, args } = await project(server, target);
    const [paused] = await workers(dir, 1, 1);
    const run = coordinator(dir, args);
    await waitFor(() => jobsInHand(paused!).length > 0, 'a job in hand');
    const [held] = jobsInHand(paused!);
    // Frozen past its lock: BullMQ presumes it dead and gives its job to the other worker.
    paused!.child.kill('SIGSTOP');
    cleanups.push(async () => void paused!.child.kill('SIGCONT'));
    const [rescuer] = await workers(dir, 1, 1);
    await waitFor(
      () => new RegExp(`job ${held} of .* outputs`).test(rescuer!.stderr()),
      'the rescuer to finish the held job',
    );
    // Back to life while the run goes on: it finishes the job too, late. BullMQ refuses the
    // completion of a worker that lost the job's lock; the coordinator would drop a second
    // result for the job id anyway.
    paused!.child.kill('SIGCONT');
    await waitFor(
      () => new RegExp(`job ${held} of .*(outputs|failed)`).test(paused!.stderr()),
      'the late finish',
    );
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    await expectExactly(dir, target);
  }, 120_000);

  it('waits for workers, and takes in workers that join mid-run', async () => {
    const server = await startFakeOpenAI({ latencyMs: 300, reply: uniqueReply });
    cleanups.push(() => server.close());
    const target = 60;
    const { dir, args } = await project(server, target);
    const run = coordinator(dir, args);
    // No worker yet: the coordinator says so and queues one job, not the whole task.
    let stderr = '';
    run.child.stderr!.on('data', (chunk) => (stderr += chunk));
    await waitFor(
      () => /no dgt worker serves public\/examples\/geography_qa/.test(stderr),
      'the notice',
    );
    expect(server.stats.requests).toBe(0);
    const first = await startWorkerProcess(dir, [
      '--queue',
      redis.url,
      '--builders',
      'public/examples/geography_qa',
    ]);
    cleanups.push(() => killWorker(first));
    await waitFor(async () => (await lineCount(path.join(dir, DATA))) >= 10, 'first records');
    const [second] = await workers(dir, 1, 2);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(await readJsonl(path.join(dir, DATA))).toHaveLength(target);
    expect(second!.stderr()).toMatch(/outputs in/);
    expect(result.stderr).toMatch(/workers of public\/examples\/geography_qa take 3 jobs at once/);
  }, 120_000);

  it('resumes after the coordinator is killed with -9 and ends with exactly N', async () => {
    const server = await startFakeOpenAI({ latencyMs: 200, reply: uniqueReply });
    cleanups.push(() => server.close());
    const target = 60;
    const { dir, args } = await project(server, target);
    await workers(dir, 3);
    const first = coordinator(dir, args);
    await waitFor(async () => (await lineCount(path.join(dir, DATA))) >= 20, 'first records');
    first.child.kill('SIGKILL');
    await first.done;

    const again = await runCli(args, { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    await expectExactly(dir, target);
  }, 120_000);

  it('a rerun on the cluster makes no LM request twice (shared cache, stable keys)', async () => {
    const server = await startFakeOpenAI({ latencyMs: 20, reply: uniqueReply });
    cleanups.push(() => server.close());
    const { dir, args: base } = await project(server, 40);
    // Examples from seeds only: which earlier outputs a prompt shows would depend on when
    // attempts commit, and a prompt that differs is rightly a new request.
    const args = [...base, '--machine-batch-size', '0'];
    await workers(dir, 3);
    const first = await runCli(args, { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const before = await readJsonl(path.join(dir, DATA));
    const calls = server.stats.requests;

    // --restart: every job is new, made by whichever worker takes it; every prompt is cached.
    const again = await runCli([...args, '--restart'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(server.stats.requests).toBe(calls);
    // The same records (in the order their attempts happened to complete).
    expect(questions(await readJsonl(path.join(dir, DATA))).sort()).toEqual(
      questions(before).sort(),
    );
  }, 120_000);

  it('sends the LM requests of a worker started with --base-url to its own server', async () => {
    const configured = await startFakeOpenAI({ latencyMs: 5, reply: uniqueReply });
    const local = await startFakeOpenAI({ latencyMs: 5, reply: uniqueReply });
    cleanups.push(
      () => configured.close(),
      () => local.close(),
    );
    const { dir, args } = await project(configured, 20);
    const worker = await startWorkerProcess(dir, [
      '--queue',
      redis.url,
      '--base-url',
      local.baseURL,
    ]);
    cleanups.push(() => killWorker(worker));
    const result = await runCli(args, { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    await expectExactly(dir, 20);
    expect(configured.stats.requests).toBe(0);
    expect(local.stats.requests).toBeGreaterThanOrEqual(20);
  }, 120_000);

  it('keeps 429s rare with three workers sharing a 20 requests/s limit', async () => {
    const server = await startFakeOpenAI({
      latencyMs: 30,
      reply: uniqueReply,
      rateLimit: { requestsPerSecond: 20, retryAfterSeconds: 0.2 },
    });
    cleanups.push(() => server.close());
    const dir = await tempDir();
    await writeClusterOverride(dir, server.baseURL, {
      model_id_or_path: `m-${randomUUID()}`,
      // A limit set a little under the server's, as the guide advises.
      requests_per_minute: 1080,
      max_concurrency: 8,
    });
    await writeFile(path.join(dir, 'task.yaml'), await readFile(GEOGRAPHY, 'utf8'));
    await workers(dir, 3, 4);
    const result = await runCli(
      [
        'run',
        '--task-paths',
        'task.yaml',
        '--config-path',
        'override.yaml',
        '--num-outputs-to-generate',
        '100',
        '--output-dir',
        'out',
        '--queue',
        redis.url,
      ],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(await readJsonl(path.join(dir, DATA))).toHaveLength(100);
    console.log(`429s: ${server.stats.rejected} of ${server.stats.requests} requests`);
    // Without the shared limit three workers would each send at up to 18/s: most would be 429s.
    expect(server.stats.rejected).toBeLessThanOrEqual(Math.ceil(server.stats.requests * 0.03));
  }, 120_000);
});

describe('examples/cluster/docker-compose.yml', () => {
  it('parses, and its dgt commands use flags the CLI has', async () => {
    const file = path.join(REPO, 'examples/cluster/docker-compose.yml');
    const compose = parseYaml(await readFile(file, 'utf8'), { merge: true }) as {
      services: Record<string, { command: string[]; environment?: Record<string, string> }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['coordinator', 'redis', 'worker']);
    for (const name of ['worker', 'coordinator']) {
      const service = compose.services[name]!;
      expect(service.environment?.DGT_QUEUE_URL).toBe('redis://redis:6379');
      const [, , , command, ...args] = service.command;
      const help = await runCli([command!, '--help'], { cwd: REPO });
      for (const flag of args.filter((a) => a.startsWith('--')))
        expect(help.stdout).toContain(flag);
    }
    // The coordinator's task is a real example.
    expect(existsSync(path.join(REPO, 'examples/geography-qa/task.yaml'))).toBe(true);
  });
});
