import type { BuilderConfig } from '../config/builder-schema.js';
import type { BlockCapacity } from '../contracts/v1/block.js';
import type { BoundBlock, Databuilder } from '../contracts/v1/builder.js';
import type { EventSink } from '../events/events.js';
import type { RandomSource } from '../random/seeded-random.js';
import { type Attempt, generationBatch, startAttempt } from './attempt.js';
import type { RemoteBuilder } from './attempt-executor.js';
import { AttemptNumbers } from './attempt-numbers.js';
import type { RejectBuffer } from './attempt-scope.js';
import { commitAttempts, costProgress, endIdleTasks, settleIfComplete } from './commit-attempts.js';
import { requestCapHolds, requestCapStop } from './request-cap.js';
import { budgetVerdict } from './stopping-criteria.js';
import type { TaskRun } from './task-run.js';
import type { Waker } from './waker.js';

/** Attempts in flight at once when no block of the builder reports its capacity. */
export const FALLBACK_ATTEMPTS_IN_FLIGHT = 2;
/**
 * Ceiling on attempts in flight when blocks report capacity and no `max_concurrent_attempts` is
 * set: bounds memory if a builder's attempts rarely reach its blocks.
 */
export const MAX_ATTEMPTS_IN_FLIGHT = 512;
// While blocks are full, look again at least this often (slots freed by a retry's back-off or a
// rate budget refilling come without an LM request finishing).
const CAPACITY_POLL_MS = 25;

/** Everything one builder's loop works with. */
export type BuilderLoopInput = {
  builderId: string;
  builder: Databuilder;
  config: BuilderConfig;
  blocks: Record<string, BoundBlock>;
  tasks: TaskRun[];
  random: RandomSource;
  /** Stops the loop from starting attempts; attempts in flight finish and are kept. */
  signal: AbortSignal;
  /** Given to the builder and its blocks: aborts work in flight (a hard stop). */
  cancelSignal: AbortSignal;
  emit: EventSink;
  /**
   * The load of the builder's blocks that report one (`BlockV1.capacity`), or `undefined` when
   * none does: then at most `maxAttemptsInFlight` (default 2) attempts run at once.
   */
  capacity?: () => BlockCapacity[];
  /** Cap on attempts in flight (`max_concurrent_attempts`). */
  maxAttemptsInFlight?: number;
  /** Kicked by the run whenever an LM request of any block finishes. */
  waker: Waker;
  /** When set, attempts' builder calls are made by this executor rather than in-process. */
  remote?: RemoteBuilder;
};

/**
 * Runs one builder until all its tasks have ended. Attempts are admitted by capacity: while the
 * builder's blocks report free room, or only a few units waiting for it (an LM block: free
 * request slots under its concurrency and rate limits), another attempt starts, pooling a batch from every
 * active task; so the LM server is kept full however uneven its replies. Each attempt commits
 * as soon as it completes, never waiting for an older, slower one: generation attempts in the
 * order they complete, transformation attempts in input order (a completed one waits only for
 * the commit of those before it, while later ones keep running).
 */
export async function runBuilderLoop(input: BuilderLoopInput): Promise<void> {
  const { tasks, signal, waker } = input;
  const numbers = new AttemptNumbers(tasks.map((task) => task.savedAttempts));
  const transformation = input.builder.kind === 'transformation';
  const ceiling =
    input.maxAttemptsInFlight ??
    (input.capacity ? MAX_ATTEMPTS_IN_FLIGHT : FALLBACK_ATTEMPTS_IN_FLIGHT);
  /** Started and not yet handed to the committer, in start order. */
  const uncommitted: Attempt[] = [];
  // One committer runs in the background, so admission goes on during its writes. Each round
  // takes every attempt ready by then: the slower the disk, the more a round commits at once.
  const inCommit: Attempt[] = [];
  let committer: Promise<void> | undefined;
  let commitsDone = 0;
  let commitFailure: { error: unknown } | undefined;
  const commitInBackground = () => {
    committer ??= (async () => {
      try {
        for (;;) {
          const ready = committable(uncommitted, transformation);
          if (ready.length === 0) break;
          for (const attempt of ready) uncommitted.splice(uncommitted.indexOf(attempt), 1);
          inCommit.push(...ready);
          await commitAttempts(ready, input, () => uncommitted);
          inCommit.length = 0;
          commitsDone++;
        }
      } catch (error) {
        commitFailure ??= { error };
        inCommit.length = 0;
      } finally {
        committer = undefined;
        waker.kick();
      }
    })();
  };
  let sequence = 0;
  let exhausted: boolean;
  const onStop = () => waker.kick();
  signal.addEventListener('abort', onStop, { once: true });
  // One steady tick rather than a timer per wait: waits come once per finished request.
  const poll = input.capacity ? setInterval(() => waker.kick(), CAPACITY_POLL_MS) : undefined;
  poll?.unref();

  // A resumed generation task may already hold its target.
  for (const task of tasks) if (task.kind === 'generation') await settleIfComplete(task, input);

  const hasRoom = (): boolean => {
    const open = uncommitted.length + inCommit.length;
    if (open >= ceiling) return false;
    if (!input.capacity || open === 0) return true;
    return input.capacity().every(hasRoomIn);
  };

  const take = async (task: TaskRun, number: number, rejects: RejectBuffer) => {
    if (!task.active || task.startedAttempts >= task.settings.maxGenRequests) return [];
    // The budget is checked before the batch is taken, so a task it holds back loses no input.
    // Attempts being committed are left out: their commit may already count them as committed,
    // and counted twice they would lower the average an attempt is expected to cost.
    const cost = costProgress(task, uncommitted);
    if (cost && budgetVerdict(cost, task.settings.maxCostUsd).verdict !== 'ok') return [];
    // Attempts being committed count too: counted twice for a moment at worst, which only
    // holds admission back until their commit ends.
    if (requestCapHolds(task, [...uncommitted, ...inCommit])) return [];
    if (task.kind === 'transformation')
      return task.nextInputs(task.settings.transformBatchSize, rejects);
    return generationBatch(task, input.random, number);
  };

  try {
    for (;;) {
      if (commitFailure) throw commitFailure.error;
      // Admit while there is room. After each start, wait until the builder has called its first
      // block (or finished without one), so the blocks' load includes the new attempt's requests:
      // a builder still loading its prompt template must not make every attempt look free.
      exhausted = false;
      const doneBefore = commitsDone;
      while (!signal.aborted && hasRoom()) {
        const number = numbers.take();
        const attempt = await startAttempt(input, tasks, number, sequence, take);
        if (!attempt) {
          numbers.giveBack(number);
          exhausted = true;
          break;
        }
        sequence++;
        uncommitted.push(attempt);
        void attempt.result.then(() => waker.kick());
        if (input.capacity) await attempt.reachedBlocks;
      }
      if (committable(uncommitted, transformation).length > 0) commitInBackground();
      stopWhatIsNoLongerNeeded(tasks, [...uncommitted, ...inCommit]);
      if (uncommitted.length === 0 && !committer) {
        // A commit that ended during admission may have changed what the tasks need.
        if (commitsDone !== doneBefore && !signal.aborted) continue;
        // Nothing in flight and nothing more could start: every task has ended or is stuck.
        if (!signal.aborted && exhausted) endIdleTasks(tasks);
        break;
      }
      await waker.wait();
    }
  } finally {
    if (poll) clearInterval(poll);
    signal.removeEventListener('abort', onStop);
    // Only reached early on a bug: let attempts in flight settle before the run closes stores.
    await Promise.allSettled(uncommitted.map((a) => a.result));
    await committer;
  }
  const failure = commitFailure as { error: unknown } | undefined;
  if (failure) throw failure.error;
  for (const task of tasks) if (task.active) task.end('interrupted', 'the run was stopped');
}

/**
 * Ends the generation tasks that `max_requests_per_record` holds back and that have no attempt
 * in flight (no commit can raise their allowance any more), and stops the LM requests of
 * attempts whose tasks have all ended, whose outputs would be dropped: after a task ends, only
 * requests already sent are still paid for.
 */
function stopWhatIsNoLongerNeeded(tasks: readonly TaskRun[], inFlight: readonly Attempt[]): void {
  // Runs at every wake-up (each finished LM request): one pass over the attempts in flight.
  const busy = new Set<TaskRun>();
  for (const attempt of inFlight) for (const part of attempt.parts) busy.add(part.task);
  for (const task of tasks) {
    if (!task.active || busy.has(task)) continue;
    if (requestCapHolds(task, [])) {
      const stop = requestCapStop(task);
      task.end(stop.status, stop.reason);
    }
  }
  for (const attempt of inFlight) {
    if (!attempt.outcome && attempt.parts.every((part) => !part.task.active))
      attempt.stopRequests('every task of the attempt has ended');
  }
}

/**
 * Whether a block can take more work. A block that says its limit may have up to an eighth of it
 * waiting (at least one unit), so it refills a freed slot at once even when the runner is slow
 * to react (a busy CPU); one that does not needs a free slot and nothing waiting.
 */
function hasRoomIn(load: BlockCapacity): boolean {
  if (load.limit === undefined) return load.queued === 0 && load.free > 0;
  return load.queued < Math.max(1, Math.ceil(load.limit / 8));
}

/**
 * The settled attempts that may commit now: every settled one for generation; for
 * transformations only those whose predecessors have all committed, so outputs stay in input
 * order.
 */
function committable(uncommitted: readonly Attempt[], inOrder: boolean): Attempt[] {
  if (!inOrder) return uncommitted.filter((attempt) => attempt.outcome);
  const ready: Attempt[] = [];
  for (const attempt of uncommitted) {
    if (!attempt.outcome) break;
    ready.push(attempt);
  }
  return ready;
}
