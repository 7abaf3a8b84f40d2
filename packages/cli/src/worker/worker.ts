import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DgtError, type Registry } from '@dgt/core';
import { UnrecoverableError, Worker } from 'bullmq';
import { type BuilderJob, type BuilderJobResult, builderQueueName } from './builder-job.js';
import { connectQueue } from './connect-queue.js';
import { createJobExecutor } from './job-executor.js';
import { advertiseWorker } from './worker-presence.js';

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
  /** Server URL for the jobs' LM blocks (`--base-url`); the job's own when unset. */
  lmBaseUrl?: string;
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
  const connection = await connectQueue(queueUrl);
  const executor = createJobExecutor({
    registry,
    env,
    workDir,
    sharedStateUrl: queueUrl,
    ...(options.lmBaseUrl ? { lmBaseUrl: options.lmBaseUrl } : {}),
  });
  // Aborted only by a forced close: a graceful one lets the jobs in hand finish.
  const cancel = new AbortController();

  const workers = builders.map(
    (builder) =>
      new Worker<BuilderJob, BuilderJobResult>(
        builderQueueName(builder),
        async (job) => {
          if (job.data?.builderId !== builder) {
            throw new UnrecoverableError(
              `job ${job.id} on the queue of ${builder} is for builder ${String(job.data?.builderId)}`,
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
          // A job whose workers keep dying (kill -9, lost machines) is tried on a few more
          // before it fails; a failed job fails its attempt, whose batch the run takes again.
          maxStalledCount: 5,
        },
      ),
  );
  // BullMQ reports connection trouble as 'error' events; without a listener Node would throw.
  for (const worker of workers) worker.on('error', () => undefined);
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  // Coordinators queue only what the workers advertise they can take (see worker-presence.ts).
  const withdraw = advertiseWorker(
    connection,
    builders.map(builderQueueName),
    `${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`,
    concurrency,
  );
  onEvent?.({ type: 'worker-ready', builders, concurrency });

  let closing: Promise<void> | undefined;
  return {
    builders,
    close(force = false) {
      if (force) cancel.abort(new Error('the worker was stopped'));
      closing ??= (async () => {
        // Withdrawn first: a closing worker takes no new jobs, so none should be queued for it.
        await withdraw();
        await Promise.all(workers.map((worker) => worker.close(force)));
        await executor.close();
        await connection.quit().catch(() => connection.disconnect());
      })();
      return closing;
    },
  };
}
