import type { AttemptCall } from '@dgt/core';
import { startTestRedis, type TestRedis, testRedisSource } from '@dgt/testing';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BuilderJob, type BuilderJobResult, builderQueueName } from './builder-job.js';
import { createQueueExecutor, type QueueExecutor } from './queue-executor.js';

const source = testRedisSource();

function call(builderId: string, attempt: number): AttemptCall {
  return {
    builderId,
    config: { name: builderId, blocks: [], postprocessors: [] },
    attempt,
    unit: `t#${attempt}`,
    randomSeed: 42,
    batch: [{ task_name: 't', q: `row ${attempt}` }],
    tasks: { t: { task_name: 't' } },
    taskLocations: { t: { file: '/p/task.yaml', baseDir: '/p', outputDir: '/p/output/t' } },
    examples: {},
  };
}

describe.skipIf(source.kind === 'none')('the queue executor (coordinator side)', () => {
  let redis: TestRedis;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    // Builder ids of their own per test: queues never meet another file's workers.
    redis = await startTestRedis(source);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** A BullMQ worker standing in for `dgt worker`: counts the jobs it ran. */
  function fakeWorker(builderId: string) {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const ran: string[] = [];
    const worker = new Worker<BuilderJob, BuilderJobResult>(
      builderQueueName(builderId),
      async (job) => {
        ran.push(String(job.id));
        return {
          outputs: [{ task_name: 't', made_by: String(job.id) }],
          rejects: [],
          costs: {},
          events: [],
        };
      },
      { connection },
    );
    closers.push(async () => {
      await worker.close();
      connection.disconnect();
    });
    return ran;
  }

  async function executor(jobKey = ''): Promise<QueueExecutor> {
    const made = await createQueueExecutor({ queueUrl: redis.url, jobKey });
    closers.push(() => made.close());
    return made;
  }

  it('re-attaches a restarted coordinator to a job that finished while it was down', async () => {
    const builder = `b-${Date.now()}-reattach`;
    const ran = fakeWorker(builder);
    const first = await executor();
    const before = await first.execute(call(builder, 1), new AbortController().signal);
    await first.close();

    // The same call again (a rerun resuming the attempt with the same batch): the kept result.
    const second = await executor();
    const again = await second.execute(call(builder, 1), new AbortController().signal);
    expect(again.outputs).toEqual(before.outputs);
    expect(ran).toHaveLength(1);

    // --restart gives a fresh job key: the call runs again.
    const fresh = await executor('restart-key');
    await fresh.execute(call(builder, 1), new AbortController().signal);
    expect(ran).toHaveLength(2);
  });

  it('settles each job once: a second result for a settled job is dropped', async () => {
    const builder = `b-${Date.now()}-twice`;
    fakeWorker(builder);
    const coordinator = await executor();
    const result = await coordinator.execute(call(builder, 7), new AbortController().signal);
    const [output] = result.outputs;
    // A late completion of the same job, as the event stream would carry it.
    const raw = new Redis(redis.url);
    closers.push(async () => raw.disconnect());
    await raw.xadd(
      `bull:${builderQueueName(builder)}:events`,
      '*',
      'event',
      'completed',
      'jobId',
      String(output!.made_by),
      'returnvalue',
      JSON.stringify({
        outputs: [{ task_name: 't', made_by: 'late' }],
        rejects: [],
        costs: {},
        events: [],
      }),
    );
    const deadline = Date.now() + 5_000;
    while (coordinator.duplicatesDropped === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(coordinator.duplicatesDropped).toBe(1);
    expect(result.outputs).toEqual([{ task_name: 't', made_by: output!.made_by }]);
  });

  it('counts queued jobs against what the workers advertise', async () => {
    const builder = `b-${Date.now()}-capacity`;
    const coordinator = await executor();
    const ready = coordinator.capacity(builder);
    expect(ready).toEqual({ limit: 1, free: 0, queued: 0 });
    // No worker: the job waits, and capacity says the queue is full.
    const pending = coordinator.execute(call(builder, 1), new AbortController().signal);
    await new Promise((r) => setTimeout(r, 50));
    expect(coordinator.capacity(builder)).toEqual({ limit: 1, free: 0, queued: 1 });
    fakeWorker(builder);
    await pending;
    expect(coordinator.capacity(builder).queued).toBe(0);
  });
});
