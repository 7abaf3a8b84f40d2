import type { BuilderConfig } from '../config/builder-schema.js';
import type { BoundBlock, Databuilder, GenerationContext } from '../contracts/v1/builder.js';
import type { DataPoint } from '../contracts/v1/data-point.js';
import { isDgtError } from '../errors/dgt-error.js';
import type { EventSink } from '../events/events.js';
import type { RandomSource } from '../random/seeded-random.js';
import type { AttemptCosts, AttemptScope, RejectBuffer } from './attempt-scope.js';
import { blocksForAttempt } from './bound-block.js';
import { budgetVerdict, type CostProgress, stopReason } from './stopping-criteria.js';
import type { TaskCursor, TaskRun } from './task-run.js';

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
  /** How many attempts may be in flight at once (default 2). */
  attemptsInFlight?: number;
};

/** An attempt that has been started: its batch, per task, and the builder's pending result. */
type Attempt = {
  number: number;
  /** Rows rejected during the attempt, written when it commits. */
  rejects: RejectBuffer;
  /** What the attempt's LM requests have cost so far, per task (for `max_cost_usd`). */
  costs: AttemptCosts;
  parts: { task: TaskRun; items: number; cursor: TaskCursor }[];
  inputs: number;
  started: number;
  result: Promise<{ ok: true; outputs: DataPoint[] } | { ok: false; error: unknown }>;
};

/**
 * Runs one builder until all its tasks have ended. Each attempt pools a batch from every active
 * task and calls the builder once. Up to `attemptsInFlight` attempts run at once, so a slow
 * request of one attempt never leaves the LM server idle; their results are committed in the
 * order the attempts started: outputs routed back by `task_name` and appended durably, the
 * loader positions saved, then postprocessors and stopping criteria applied.
 */
export async function runBuilderLoop(input: BuilderLoopInput): Promise<void> {
  const { tasks, signal } = input;
  const depth = Math.max(1, input.attemptsInFlight ?? 2);
  let attempt = Math.max(0, ...tasks.map((task) => task.lastAttemptNumber));
  const inFlight: Attempt[] = [];

  // A resumed generation task may already hold its target.
  for (const task of tasks) if (task.kind === 'generation') await settleIfComplete(task, input);

  try {
    while (true) {
      while (!signal.aborted && inFlight.length < depth) {
        const started = await startAttempt(input, attempt + 1, inFlight);
        if (!started) break;
        attempt = started.number;
        inFlight.push(started);
      }
      const next = inFlight.shift();
      if (!next) {
        if (!signal.aborted) endIdleTasks(tasks);
        break;
      }
      await commitAttempt(next, await next.result, input, inFlight);
    }
  } finally {
    // Only reached early on a bug: let attempts in flight settle before the run closes stores.
    await Promise.allSettled(inFlight.map((a) => a.result));
  }
  for (const task of tasks) if (task.active) task.end('interrupted', 'the run was stopped');
}

/** Takes a batch from every active task and calls the builder; `undefined` if nothing to do. */
async function startAttempt(
  input: BuilderLoopInput,
  number: number,
  inFlight: readonly Attempt[],
): Promise<Attempt | undefined> {
  const parts: Attempt['parts'] = [];
  const batch: DataPoint[] = [];
  const rejects: RejectBuffer = [];
  for (const task of input.tasks.filter((t) => t.active)) {
    // The budget is checked before the batch is taken, so a task it holds back loses no input.
    const cost = costProgress(task, inFlight);
    if (cost && budgetVerdict(cost, task.settings.maxCostUsd).verdict !== 'ok') continue;
    const items = await takeBatch(task, input, number, rejects);
    if (items.length === 0) continue;
    task.pending += items.length;
    task.startedAttempts++;
    parts.push({ task, items: items.length, cursor: task.cursor() });
    batch.push(...items);
  }
  if (batch.length === 0) return undefined;
  const costs: AttemptCosts = new Map();
  const ctx = buildContext(
    input,
    number,
    parts.map((p) => p.task),
    { rejects, costs },
  );
  const result = input.builder.call(batch, ctx).then(
    (outputs) => ({ ok: true as const, outputs }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { number, rejects, costs, parts, inputs: batch.length, started: Date.now(), result };
}

/** Ends tasks that can make no further attempt although nothing is in flight. */
function endIdleTasks(tasks: TaskRun[]): void {
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
    } else {
      task.end('failed', 'the task needs more records but could not start another attempt');
    }
  }
}

async function commitAttempt(
  attempt: Attempt,
  result: Awaited<Attempt['result']>,
  input: BuilderLoopInput,
  inFlight: readonly Attempt[],
): Promise<void> {
  const { emit, builderId } = input;
  for (const part of attempt.parts) part.task.pending -= part.items;
  const tasks = attempt.parts.map((p) => p.task).filter((task) => task.active);
  if (!result.ok) {
    // A hard stop makes blocks throw; the tasks stay resumable rather than failed.
    if (input.cancelSignal.aborted) return;
    const { error } = result;
    const message = isDgtError(error)
      ? error.message
      : `${(error as Error)?.message ?? String(error)}`;
    for (const task of tasks) {
      task.log({
        type: 'warning',
        task: task.name,
        message: `builder ${builderId} threw: ${(error as Error)?.stack ?? message}`,
      });
      task.end('failed', `the builder ${builderId} failed: ${message}`);
      await task.flushLogs();
    }
    return;
  }
  const { outputs } = result;
  emit({
    type: 'attempt',
    builder: builderId,
    attempt: attempt.number,
    tasks: attempt.parts.map((p) => p.task.name),
    inputs: attempt.inputs,
    outputs: outputs.length,
    durationMs: Date.now() - attempt.started,
  });

  const byName = new Map(input.tasks.map((task) => [task.name, task]));
  const routed = new Map<TaskRun, DataPoint[]>();
  for (const output of outputs) {
    const task = byName.get(String(output?.task_name));
    if (!task) {
      emit({
        type: 'warning',
        message: `builder ${builderId} returned a record for unknown task "${String(output?.task_name)}"; it was dropped`,
      });
      continue;
    }
    if (!task.active) continue;
    const list = routed.get(task);
    if (list) list.push(output);
    else routed.set(task, [output]);
  }

  for (const part of attempt.parts) {
    const { task } = part;
    if (!task.active) continue;
    task.attempts++;
    task.lastAttemptNumber = attempt.number;
    const before = task.dataCount;
    const added = await task.accept(routed.get(task) ?? []);
    await task.commitRejects(attempt.rejects);
    await task.saveState(part.cursor);
    if (added > 0) {
      emit({
        type: 'records',
        task: task.name,
        added,
        accepted: task.dataCount,
        ...(task.target !== undefined ? { target: task.target } : {}),
      });
    }
    if (task.kind === 'generation') await settleIfComplete(task, input);
    else if (task.inputExhausted && task.pending === 0) task.end('completed');
    // Stalling is a generation matter (a transformation makes its one pass whatever each batch
    // keeps); an attempt whose records the postprocessors removed again made no progress either.
    if (task.kind === 'generation') task.stalled = task.dataCount > before ? 0 : task.stalled + 1;
    if (task.active) {
      const cost = costProgress(task, inFlight);
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
    await task.flushLogs();
  }
}

async function takeBatch(
  task: TaskRun,
  input: BuilderLoopInput,
  attempt: number,
  rejects: RejectBuffer,
): Promise<DataPoint[]> {
  const { settings } = task;
  if (task.startedAttempts >= settings.maxGenRequests) return [];
  if (task.kind === 'transformation') return task.nextInputs(settings.transformBatchSize, rejects);
  // Never ask for more than the task still needs, counting attempts in flight: no wasted LM
  // call near the end.
  const remaining = settings.target - task.dataCount - task.pending;
  if (remaining <= 0) return [];
  const seeds = task.nextSeeds(Math.min(settings.seedBatchSize, remaining));
  const machineCount = Math.min(settings.machineBatchSize, Math.max(0, remaining - seeds.length));
  const machine = input.random
    .fork(`${task.name}#machine#${attempt}`)
    .sample(task.accepted, machineCount);
  return [...seeds, ...machine.map((record) => ({ ...record }))];
}

/**
 * A task's cost figures for its budget (`undefined` when it has none). Each attempt of the task
 * in flight reports what its requests have cost so far; the rest of the task's spending belongs
 * to its committed attempts (and postprocessors), whose average predicts the next attempt.
 */
function costProgress(task: TaskRun, inFlight: readonly Attempt[]): CostProgress | undefined {
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

/**
 * When a generation task holds its target, runs the postprocessors over all its records; if
 * they removed some and the target is no longer met, the task goes on generating.
 */
async function settleIfComplete(task: TaskRun, input: BuilderLoopInput): Promise<void> {
  if (!task.active || task.dataCount < task.settings.target) return;
  const postprocessors = input.config.postprocessors ?? [];
  let records = task.accepted;
  const before = records.length;
  for (const entry of postprocessors) {
    const { name, ...options } = typeof entry === 'string' ? { name: entry } : entry;
    const block = input.blocks[name]!;
    const count = records.length;
    const output = await block.run(
      records.map((record) => ({ ...record })),
      options,
      { phase: 'postprocess' },
    );
    records = output.rows as DataPoint[];
    input.emit({
      type: 'postprocess',
      task: task.name,
      block: name,
      before: count,
      after: records.length,
    });
  }
  if (records.length < before) await task.replaceData(records);
  if (task.dataCount >= task.settings.target) task.end('completed');
}

function buildContext(
  input: BuilderLoopInput,
  attempt: number,
  active: TaskRun[],
  scope: AttemptScope,
): GenerationContext {
  const random = input.random.fork(`attempt#${attempt}`);
  const byName = new Map(active.map((task) => [task.name, task]));
  // What the attempt may show as examples is fixed when it starts, so results do not depend on
  // when other attempts in flight are committed. Records are only ever appended to
  // `task.accepted` (a postprocessor's removal replaces the array), so the list as it was is its
  // first `length` records: copied only if the attempt still samples after a commit added some.
  const acceptedAtStart = new Map(
    active.map((task) => [task, { list: task.accepted, length: task.accepted.length }]),
  );
  const examplesOf = (task: TaskRun): readonly DataPoint[] => {
    const view = acceptedAtStart.get(task)!;
    if (view.list.length !== view.length) view.list = view.list.slice(0, view.length);
    return view.list;
  };
  return {
    blocks: blocksForAttempt(input.blocks, scope),
    config: input.config,
    random,
    attempt,
    signal: input.cancelSignal,
    emit: input.emit,
    tasks: Object.fromEntries(
      active.map((task) => [task.name, task.task.config as Record<string, unknown>]),
    ),
    taskLocations: Object.fromEntries(
      active.map((task) => [
        task.name,
        { file: task.task.file, baseDir: task.task.baseDir, outputDir: task.settings.taskDir },
      ]),
    ),
    sampleExamples(taskName, k, options) {
      const task = byName.get(taskName);
      if (task?.kind !== 'generation') return [];
      const { seedBatchSize, machineBatchSize } = task.settings;
      const accepted = examplesOf(task);
      const fraction =
        options?.seedFraction ??
        (accepted.length === 0 ? 1 : seedBatchSize / Math.max(1, seedBatchSize + machineBatchSize));
      const fromSeeds = random.sample(task.seeds, Math.round(k * fraction));
      const fromMachine = random.sample(accepted, k - fromSeeds.length);
      const picked = [...fromSeeds, ...fromMachine];
      // Top up from the seeds when too few outputs exist yet.
      if (picked.length < k)
        picked.push(
          ...random.sample(
            task.seeds.filter((s) => !fromSeeds.includes(s)),
            k - picked.length,
          ),
        );
      return random.shuffle(picked).map((record) => ({ ...record }));
    },
  };
}
