import type { BuilderConfig } from '../config/builder-schema.js';
import type { BoundBlock } from '../contracts/v1/builder.js';
import type { DataPoint } from '../contracts/v1/data-point.js';
import { isDgtError } from '../errors/dgt-error.js';
import type { EventSink } from '../events/events.js';
import type { Attempt } from './attempt.js';
import { budgetVerdict, type CostProgress, stopReason } from './stopping-criteria.js';
import type { TaskRun } from './task-run.js';

/** What committing needs from its builder's loop. */
export type CommitSetup = {
  builderId: string;
  config: BuilderConfig;
  blocks: Record<string, BoundBlock>;
  tasks: TaskRun[];
  /** Graceful stop: an attempt that failed because of it is dropped, not a failure. */
  signal: AbortSignal;
  cancelSignal: AbortSignal;
  emit: EventSink;
};

/**
 * Commits settled attempts, in the order given: outputs routed to their tasks by `task_name`,
 * each task's records appended durably in one write and then its state line (the commit point:
 * attempt numbers committed, record count, loader position), then postprocessors and stopping
 * criteria. `uncommitted` lists the other attempts not yet committed, for the budget.
 */
export async function commitAttempts(
  attempts: readonly Attempt[],
  setup: CommitSetup,
  uncommitted: () => readonly Attempt[],
): Promise<void> {
  const { emit, builderId } = setup;
  const byName = new Map(setup.tasks.map((task) => [task.name, task]));
  // Per task, in commit order: the attempts' parts and the records they bring.
  const work = new Map<TaskRun, { attempt: Attempt; items: number; records: DataPoint[] }[]>();
  for (const attempt of attempts) {
    const outcome = attempt.outcome!;
    if (!outcome.ok) {
      for (const part of attempt.parts) part.task.release(part.items);
      await failAttempt(attempt, outcome.error, setup);
      continue;
    }
    emit({
      type: 'attempt',
      builder: builderId,
      attempt: attempt.number,
      tasks: attempt.parts.map((p) => p.task.name),
      inputs: attempt.inputs,
      outputs: outcome.outputs.length,
      durationMs: Date.now() - attempt.started,
    });
    const routed = new Map<TaskRun, DataPoint[]>();
    for (const output of outcome.outputs) {
      const task = byName.get(String(output?.task_name));
      if (!task) {
        emit({
          type: 'warning',
          message: `builder ${builderId} returned a record for unknown task "${String(output?.task_name)}"; it was dropped`,
        });
        continue;
      }
      const list = routed.get(task);
      if (list) list.push(output);
      else routed.set(task, [output]);
    }
    for (const part of attempt.parts) {
      if (!part.task.active) {
        part.task.release(part.items);
        continue;
      }
      const list = work.get(part.task) ?? [];
      list.push({ attempt, items: part.items, records: routed.get(part.task) ?? [] });
      work.set(part.task, list);
    }
  }

  for (const [task, parts] of work) {
    if (!task.active) {
      for (const part of parts) task.release(part.items);
      continue;
    }
    for (const part of parts)
      task.countCommittedRequests(part.attempt.requests.get(task.name) ?? 0);
    // Transformations commit in input order: the last part's position covers all of them.
    const last = parts.at(-1)!.attempt.parts.find((part) => part.task === task)!;
    const added = await task.commit(
      parts.map((part) => ({
        number: part.attempt.number,
        records: part.records,
        trace: part.attempt.trace,
      })),
      parts.map((part) => part.attempt.rejects),
      // Generation saves the seed position now (seeds of attempts in flight are skipped after a
      // crash, which loses nothing), transformations the input position after the last part.
      task.kind === 'generation' ? task.cursor() : last.cursor,
    );
    if (added > 0) {
      emit({
        type: 'records',
        task: task.name,
        added,
        accepted: task.dataCount,
        ...(task.target !== undefined ? { target: task.target } : {}),
      });
    }
    // Only now, with the records counted, do these items stop counting as pending: admission
    // runs while commits do, and must never see them counted in neither place.
    for (const part of parts) task.recordCommitted(part.items, part.records.length);
    if (task.kind === 'generation') await settleIfComplete(task, setup);
    else if (task.inputExhausted && task.pending === 0) task.end('completed');
    if (task.active) endIfStopped(task, uncommitted());
    await task.flushLogs();
  }
}

/** Applies the stopping criteria to a task that has not reached its target. */
function endIfStopped(task: TaskRun, uncommitted: readonly Attempt[]): void {
  const cost = costProgress(task, uncommitted);
  const stop = stopReason(
    {
      attempts: task.attempts,
      stalled: task.stalled,
      lmRequests: task.lmRequests,
      lmFailures: task.lmFailures,
      elapsedMs: task.elapsedMs,
      ...(task.lastLmError ? { lastLmError: task.lastLmError } : {}),
      ...(cost ? { cost } : {}),
    },
    task.settings,
  );
  if (stop) task.end(stop.status, stop.reason);
}

async function failAttempt(attempt: Attempt, error: unknown, setup: CommitSetup): Promise<void> {
  // A stop makes blocks refuse new requests and a hard stop makes them throw: the attempt is
  // dropped (its number stays open for a resumed run), the tasks stay resumable.
  if (setup.cancelSignal.aborted || setup.signal.aborted) return;
  const message = isDgtError(error)
    ? error.message
    : `${(error as Error)?.message ?? String(error)}`;
  for (const task of attempt.parts.map((p) => p.task).filter((t) => t.active)) {
    task.log({
      type: 'warning',
      task: task.name,
      message: `builder ${setup.builderId} threw: ${(error as Error)?.stack ?? message}`,
    });
    task.end('failed', `the builder ${setup.builderId} failed: ${message}`, error);
    await task.flushLogs();
  }
}

/**
 * When a generation task holds its target, runs the postprocessors over all its records; if
 * they removed some and the target is no longer met, the task goes on generating.
 */
export async function settleIfComplete(
  task: TaskRun,
  setup: Pick<CommitSetup, 'config' | 'blocks' | 'emit'>,
): Promise<void> {
  if (!task.active || task.dataCount < task.settings.target) return;
  const postprocessors = setup.config.postprocessors ?? [];
  let records = task.accepted;
  const before = records.length;
  for (const entry of postprocessors) {
    const { name, ...options } = typeof entry === 'string' ? { name: entry } : entry;
    const block = setup.blocks[name]!;
    const count = records.length;
    const output = await block.run(
      records.map((record) => ({ ...record })),
      options,
      { phase: 'postprocess' },
    );
    records = output.rows as DataPoint[];
    setup.emit({
      type: 'postprocess',
      task: task.name,
      block: name,
      before: count,
      after: records.length,
    });
  }
  if (records.length < before) await task.replaceData(records);
  if (postprocessors.length > 0) task.stall.postprocessed(before, task.dataCount);
  if (task.dataCount >= task.settings.target) task.end('completed');
}

/**
 * A task's cost figures for its budget (`undefined` when it has none). Each attempt of the task
 * in flight reports what its requests have cost so far; the rest of the task's spending belongs
 * to its committed attempts (and postprocessors), whose average predicts the next attempt.
 */
export function costProgress(
  task: TaskRun,
  inFlight: readonly Attempt[],
): CostProgress | undefined {
  if (!Number.isFinite(task.settings.maxCostUsd)) return undefined;
  const inFlightUsd = inFlight
    .filter((attempt) => attempt.parts.some((part) => part.task === task))
    .map((attempt) => attempt.costs.get(task.name) ?? 0);
  const committed = task.attempts - task.resumedAttempts;
  const committedUsd = task.costUsd - inFlightUsd.reduce((sum, usd) => sum + usd, 0);
  return {
    spentUsd: task.costUsd,
    attemptUsd: committed > 0 ? Math.max(0, committedUsd) / committed : undefined,
    inFlightUsd,
    priceUnknown: task.priceUnknown,
  };
}

/** Ends tasks that can make no further attempt although nothing is in flight. */
export function endIdleTasks(tasks: readonly TaskRun[]): void {
  for (const task of tasks.filter((t) => t.active)) {
    const cost = costProgress(task, []);
    const budget = cost && budgetVerdict(cost, task.settings.maxCostUsd);
    if (budget?.verdict === 'stop') task.end('budget', budget.reason);
    else if (task.kind === 'transformation') task.end('completed');
    else if (task.seeds.length === 0) {
      task.end(
        'failed',
        'no seed examples to generate from: add seed_examples or a seed_datastore to the task',
      );
    } else if (task.seedsUsedUp) {
      task.end(
        'failed',
        'the task needs more records, but each seed was used once (dataloader: loop_over: false) and no further batch could be formed: set loop_over: true, add seeds, or let batches take generated records (machine_batch_size)',
      );
    } else {
      task.end('failed', 'the task needs more records but could not start another attempt');
    }
  }
}
