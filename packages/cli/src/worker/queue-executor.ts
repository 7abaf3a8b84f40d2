import { createHash } from 'node:crypto';
import type { AttemptCall, AttemptExecutor, BlockCapacity } from '@dgt/core';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  BUILDER_JOB_VERSION,
  type BuilderJob,
  type BuilderJobResult,
  builderQueueName,
} from './builder-job.js';
import { connectQueue } from './connect-queue.js';
import { advertisedConcurrency } from './worker-presence.js';

/** What a coordinator reports about its queue. */
export type CoordinatorNotice =
  | { type: 'no-workers'; builder: string; queue: string }
  | { type: 'workers'; builder: string; concurrency: number }
  | { type: 'reattached'; builder: string; jobId: string; state: string }
  | { type: 'per-worker-state'; builder: string; blocks: string[] };

/**
 * Built-in block types that keep what they have seen per task (dedup indexes under the task
 * folder). On workers they see only the rows of their own jobs, so rows on different workers are
 * not compared: as postprocessors (run by the coordinator over every record) they see all.
 */
const PER_TASK_STATE = new Set(['exact_dedup', 'minhash_dedup', 'embedding_dedup']);

export type QueueExecutorOptions = {
  queueUrl: string;
  /**
   * Mixed into every job id. Empty for a normal run, so a rerun of the same command after a
   * crash asks for the same jobs and re-attaches to them; `--restart` gives a fresh one, so
   * results of the earlier run are not reused.
   */
  jobKey: string;
  /** How often workers' advertised concurrency is read again. */
  presencePollMs?: number;
  onNotice?(notice: CoordinatorNotice): void;
};

/** A {@link AttemptExecutor} on BullMQ queues, and what it needs closed when the run ends. */
export type QueueExecutor = AttemptExecutor & {
  /** Results dropped because their job's result had already been taken (see `settle`). */
  readonly duplicatesDropped: number;
  close(): Promise<void>;
};

/** Completed jobs are kept this long, so a coordinator restarted after a crash finds them. */
const KEEP_COMPLETED_S = 24 * 3600;
// QueueEvents can miss events while its connection is down: jobs still pending are looked up
// directly this often.
const RECONCILE_MS = 5_000;

type Pending = {
  builder: string;
  resolve(result: BuilderJobResult): void;
  reject(error: Error): void;
};

type BuilderQueue = {
  queue: Queue<BuilderJob, BuilderJobResult>;
  events: QueueEvents;
  ready: Promise<unknown>;
  /** Jobs of this builder queued and not yet settled. */
  inFlight: number;
  /** Concurrency the live workers of the builder advertise (last read). */
  advertised: number;
  /** Whether the user was told that no worker serves the builder (since the last one left). */
  toldNone: boolean;
};

/** Whether a job's return value is a result (and not, say, the `null` of an unfinished job). */
function isResult(value: unknown): value is BuilderJobResult {
  const v = value as Partial<BuilderJobResult> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(v.outputs) &&
    Array.isArray(v.rejects) &&
    Array.isArray(v.events) &&
    typeof v.costs === 'object'
  );
}

/**
 * The job id of an attempt call: a hash of everything in it (run key, attempt number, batch,
 * config, task folders) and the executor's `jobKey`. A coordinator restarted after a crash that
 * takes the same attempt again with the same batch asks for the same id, so it re-attaches to
 * the job (or its kept result) instead of running it twice; an attempt number whose batch
 * differs now is a different job, so a stale result never commits for other inputs.
 */
export function jobIdOf(call: AttemptCall, jobKey: string): string {
  const hash = createHash('sha256').update(jobKey).update('\0').update(JSON.stringify(call));
  return `a${call.attempt}-${hash.digest('hex').slice(0, 32)}`;
}

/**
 * Hands a run's attempts to `dgt worker` processes through one BullMQ queue per builder.
 * Each attempt is one job; its result settles the attempt exactly once, by job id: BullMQ
 * already refuses the completion of a worker that lost its job's lock (one presumed dead), and
 * a result delivered twice to this coordinator (the event stream and the reconciling look-up)
 * is dropped. Admission follows the workers' advertised concurrency.
 */
export async function createQueueExecutor(options: QueueExecutorOptions): Promise<QueueExecutor> {
  const { queueUrl, jobKey, onNotice } = options;
  const connection = await connectQueue(queueUrl);
  const queues = new Map<string, BuilderQueue>();
  const pending = new Map<string, Pending>();
  /** Job ids already settled: a result for one of them is a duplicate. */
  const settledIds = new Set<string>();
  const extraConnections: Redis[] = [];
  let duplicatesDropped = 0;
  const warned = new Set<string>();
  let closed = false;

  /** Delivers a job's outcome to its attempt, once: later deliveries are dropped. */
  function settle(jobId: string, outcome: { result: BuilderJobResult } | { error: Error }) {
    const entry = pending.get(jobId);
    if (!entry) {
      // The event stream and the reconciler both deliver a job that finishes while it is
      // looked up: the first delivery counts.
      if (settledIds.has(jobId)) duplicatesDropped++;
      return;
    }
    pending.delete(jobId);
    settledIds.add(jobId);
    const q = queues.get(entry.builder);
    if (q) q.inFlight--;
    if ('result' in outcome) entry.resolve(outcome.result);
    else entry.reject(outcome.error);
  }

  function failure(builder: string, jobId: string, reason: string): Error {
    // Not a DgtError: a builder that throws fails its attempt as it would in-process.
    return new Error(`builder ${builder}, job ${jobId} failed on a worker: ${reason}`);
  }

  async function pollPresence(builder: string, q: BuilderQueue): Promise<void> {
    const before = q.advertised;
    q.advertised = await advertisedConcurrency(connection, q.queue.name);
    if (q.advertised > 0) {
      q.toldNone = false;
      if (q.advertised !== before)
        onNotice?.({ type: 'workers', builder, concurrency: q.advertised });
    } else if (q.inFlight > 0 && !q.toldNone) {
      // Once per spell without workers, not at every look.
      q.toldNone = true;
      onNotice?.({ type: 'no-workers', builder, queue: q.queue.name });
    }
  }

  function queueOf(builder: string): BuilderQueue {
    let q = queues.get(builder);
    if (q) return q;
    const name = builderQueueName(builder);
    const blocking = connection.duplicate();
    extraConnections.push(blocking);
    const queue = new Queue<BuilderJob, BuilderJobResult>(name, { connection });
    const events = new QueueEvents(name, { connection: blocking });
    events.on('completed', ({ jobId, returnvalue }) => {
      const result: unknown = returnvalue;
      if (isResult(result)) settle(jobId, { result });
      else settle(jobId, { error: failure(builder, jobId, 'it returned no result') });
    });
    events.on('failed', ({ jobId, failedReason }) =>
      settle(jobId, { error: failure(builder, jobId, failedReason) }),
    );
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    const created: BuilderQueue = {
      queue,
      events,
      ready: Promise.all([queue.waitUntilReady(), events.waitUntilReady()]),
      inFlight: 0,
      advertised: 0,
      toldNone: false,
    };
    q = created;
    queues.set(builder, q);
    // Read at once, then in the background: capacity() is called every few milliseconds.
    created.ready = created.ready.then(() => pollPresence(builder, created));
    return q;
  }

  /**
   * Takes the outcome of a job found already finished (a coordinator re-attaching, or the
   * reconciler). The job is read again after its state: a copy read while it was still active has
   * no return value yet.
   */
  async function lookUp(builder: string, jobId: string, q: BuilderQueue) {
    if (!pending.has(jobId)) return;
    const state = await q.queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') return;
    const job = await q.queue.getJob(jobId);
    if (!job) return;
    if (state === 'failed') settle(jobId, { error: failure(builder, jobId, job.failedReason) });
    else if (isResult(job.returnvalue)) settle(jobId, { result: job.returnvalue });
  }

  const presenceTimer = setInterval(() => {
    for (const [builder, q] of queues) void pollPresence(builder, q).catch(() => undefined);
  }, options.presencePollMs ?? 1_000);
  presenceTimer.unref();
  const reconcileTimer = setInterval(() => {
    for (const [jobId, entry] of pending) {
      const q = queues.get(entry.builder);
      if (!q) continue;
      void lookUp(entry.builder, jobId, q).catch(() => undefined);
    }
  }, RECONCILE_MS);
  reconcileTimer.unref();

  return {
    get duplicatesDropped() {
      return duplicatesDropped;
    },
    capacity(builderId: string): BlockCapacity {
      const q = queueOf(builderId);
      // As an LM block reports its slots: with `limit`, the runner keeps up to an eighth of it
      // waiting in the queue, so a worker that frees a slot finds its next job at once.
      return {
        limit: Math.max(1, q.advertised),
        free: Math.max(0, q.advertised - q.inFlight),
        queued: Math.max(0, q.inFlight - q.advertised),
      };
    },
    async execute(call, signal) {
      if (closed) throw new Error('the queue executor is closed');
      const builder = call.builderId;
      if (!warned.has(`${builder}#state`)) {
        warned.add(`${builder}#state`);
        const post = new Set(
          (call.config.postprocessors ?? []).map((p) => (typeof p === 'string' ? p : p.name)),
        );
        const stateful = (call.config.blocks as { name: string; type: string }[])
          .filter((block) => PER_TASK_STATE.has(block.type) && !post.has(block.name))
          .map((block) => block.name);
        if (stateful.length > 0)
          onNotice?.({ type: 'per-worker-state', builder, blocks: stateful });
      }
      const q = queueOf(builder);
      const jobId = jobIdOf(call, jobKey);
      if (pending.has(jobId) || settledIds.has(jobId)) {
        throw new Error(
          `attempt ${call.attempt} of ${builder} was handed to the queue twice (job ${jobId}).`,
        );
      }
      q.inFlight++;
      const result = new Promise<BuilderJobResult>((resolve, reject) => {
        pending.set(jobId, { builder, resolve, reject });
      });
      const onAbort = () => {
        // A hard stop: the attempt is abandoned (its batch runs again on resume). A job still
        // waiting is removed; one a worker holds finishes and its result is kept for a rerun.
        void q.queue
          .getJob(jobId)
          .then((job) => job?.remove())
          .catch(() => undefined);
        settle(jobId, { error: signal.reason ?? new Error('the run was cancelled') });
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      try {
        await q.ready;
        const existing = await q.queue.getJob(jobId);
        if (existing) {
          // A run before this one queued the same call (a crash and a rerun): its outcome, if
          // it has one, is taken now; otherwise its events (or the reconciler) settle it.
          onNotice?.({ type: 'reattached', builder, jobId, state: await existing.getState() });
          await lookUp(builder, jobId, q);
        } else {
          await q.queue.add(
            'attempt',
            { ...call, version: BUILDER_JOB_VERSION },
            {
              jobId,
              removeOnComplete: { age: KEEP_COMPLETED_S },
              removeOnFail: { age: KEEP_COMPLETED_S },
            },
          );
        }
        return await result;
      } catch (error) {
        settle(jobId, { error: error as Error });
        return await result;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      closed = true;
      clearInterval(presenceTimer);
      clearInterval(reconcileTimer);
      for (const q of queues.values()) {
        await q.events.close().catch(() => undefined);
        await q.queue.close().catch(() => undefined);
      }
      for (const extra of extraConnections) extra.disconnect();
      await connection.quit().catch(() => connection.disconnect());
      for (const [jobId] of pending)
        settle(jobId, { error: new Error('the coordinator closed its queue') });
    },
  };
}
