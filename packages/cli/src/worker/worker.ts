import { DgtError, type Registry, redactUrl } from '@dgt/core';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type BuilderJob, type BuilderJobResult, builderQueueName } from './builder-job.js';
import { createJobExecutor } from './job-executor.js';

/** What a worker reports about its jobs. */
export type WorkerEvent =
  | { type: 'worker-ready'; builders: string[]; concurrency: number }
  | { type: 'job-start'; builder: string; jobId: string; attempt: number; rows: number }
  | { type: 'job-done'; builder: string; jobId: string; outputs: number; durationMs: number }
  | { type: 'job-failed'; builder: string; jobId: string; error: string };

export type WorkerOptions = {
  /** The Redis URL of the queue (`--queue`). */
  queueUrl: string;
  /** The plugins of this machine. */
  registry: Registry;
  env: Record<string, string | undefined>;
  /** Folder for block state (`BlockInitContext.outputDir`). */
  workDir: string;
  /** Builder ids to serve (`--builders`); every builder of `registry` when empty. */
  builders: readonly string[];
  /** Jobs run at once per builder (`--concurrency`). */
  concurrency: number;
  /**
   * After how long without a sign of life a job in hand counts as stalled and goes to another
   * worker (`--stalled-after`; BullMQ's lock duration and stalled-job check interval). Default
   * 30 s. A live worker renews its locks at half this period, so it must exceed the longest
   * event-loop stall of a worker.
   */
  stalledAfterMs?: number;
  onEvent?(event: WorkerEvent): void;
};

/** A running worker. */
export type RunningWorker = {
  /** The builder ids it serves. */
  readonly builders: readonly string[];
  /**
   * Stops taking jobs, waits for the jobs in hand to finish and return their results, then
   * closes the blocks and the connection. With `force`, jobs in hand are abandoned: BullMQ hands
   * them to another worker once their lock expires.
   */
  close(force?: boolean): Promise<void>;
};

async function connect(url: string): Promise<Redis> {
  // BullMQ's workers block on Redis: their connection must retry commands without limit.
  const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    throw new DgtError(
      'QUEUE_UNREACHABLE',
      `Cannot reach Redis at ${redactUrl(url)} (--queue): ${(lastError ?? (error as Error)).message}. Check that redis-server is running there and the URL is right.`,
      { cause: error },
    );
  }
}

/**
 * Starts a worker: one BullMQ worker per served builder's queue, each running up to
 * `concurrency` builder jobs at once through one {@link createJobExecutor}. A job's return
 * value is its {@link BuilderJobResult}; a builder that throws fails the job (BullMQ retries it
 * as its producer configured), and a job this worker cannot understand fails without retries.
 * A worker killed mid-job leaves the job to BullMQ's stalled-job recovery.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { queueUrl, registry, env, workDir, concurrency, onEvent } = options;
  const stalledAfterMs = options.stalledAfterMs ?? 30_000;
  const known = new Set(registry.list('builders').map((c) => c.id));
  const builders = options.builders.length > 0 ? [...options.builders] : [...known];
  const unknown = builders.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new DgtError(
      'UNKNOWN_BUILDER',
      `--builders names ${unknown.map((id) => `"${id}"`).join(', ')}, which this project's plugins do not provide (see dgt list --kind builders).`,
    );
  }
  const connection = await connect(queueUrl);
  const executor = createJobExecutor({ registry, env, workDir, sharedStateUrl: queueUrl });
  // Aborted only by a forced close: a graceful one lets the jobs in hand finish.
  const cancel = new AbortController();

  const workers = builders.map(
    (builder) =>
      new Worker<BuilderJob, BuilderJobResult>(
        builderQueueName(builder),
        async (job) => {
          if (job.data?.builder !== builder) {
            throw new UnrecoverableError(
              `job ${job.id} on the queue of ${builder} is for builder ${String(job.data?.builder)}`,
            );
          }
          const started = Date.now();
          const jobId = String(job.id);
          onEvent?.({
            type: 'job-start',
            builder,
            jobId,
            attempt: job.data.attempt,
            rows: job.data.batch.length,
          });
          try {
            const result = await executor.run(job.data, cancel.signal);
            onEvent?.({
              type: 'job-done',
              builder,
              jobId,
              outputs: result.outputs.length,
              durationMs: Date.now() - started,
            });
            return result;
          } catch (error) {
            onEvent?.({ type: 'job-failed', builder, jobId, error: (error as Error).message });
            throw error;
          }
        },
        {
          connection,
          concurrency,
          autorun: true,
          lockDuration: stalledAfterMs,
          stalledInterval: stalledAfterMs,
        },
      ),
  );
  // BullMQ reports connection trouble as 'error' events; without a listener Node would throw.
  for (const worker of workers) worker.on('error', () => undefined);
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  onEvent?.({ type: 'worker-ready', builders, concurrency });

  let closing: Promise<void> | undefined;
  return {
    builders,
    close(force = false) {
      if (force) cancel.abort(new Error('the worker was stopped'));
      closing ??= (async () => {
        await Promise.all(workers.map((worker) => worker.close(force)));
        await executor.close();
        await connection.quit().catch(() => connection.disconnect());
      })();
      return closing;
    },
  };
}
