import type { BuilderConfig } from '../config/builder-schema.js';
import type { BoundBlock, Databuilder, GenerationContext } from '../contracts/v1/builder.js';
import type { DataPoint } from '../contracts/v1/data-point.js';
import type { EventSink } from '../events/events.js';
import type { RandomSource } from '../random/seeded-random.js';
import { callRemotely, type RemoteBuilder } from './attempt-executor.js';
import type { AttemptCosts, AttemptScope, RejectBuffer } from './attempt-scope.js';
import { blocksForAttempt } from './bound-block.js';
import { type AttemptTrace, newAttemptTrace } from './row-trace.js';
import { sampleExamples } from './sample-examples.js';
import type { TaskCursor, TaskRun } from './task-run.js';

/** What starting an attempt needs from its builder's loop. */
export type AttemptSetup = {
  builder: Databuilder;
  config: BuilderConfig;
  blocks: Record<string, BoundBlock>;
  random: RandomSource;
  /** Graceful stop: blocks start no new work once it aborts. */
  signal: AbortSignal;
  /** Hard stop: work in flight is cancelled. */
  cancelSignal: AbortSignal;
  emit: EventSink;
  /** When set, builder calls are made by this executor (another process) instead of here. */
  remote?: RemoteBuilder;
};

/** The builder's outcome for one attempt. */
export type AttemptResult = { ok: true; outputs: DataPoint[] } | { ok: false; error: unknown };

/** One builder call over a batch pooled from the active tasks, from its start to its commit. */
export type Attempt = {
  /** The attempt number: fixes its random streams and names its requests in the cache. */
  number: number;
  /** Start order within this run (transformations commit in this order). */
  sequence: number;
  /** Rows rejected during the attempt, written when it commits. */
  rejects: RejectBuffer;
  /** What the attempt's LM requests have cost so far, per task (for `max_cost_usd`). */
  costs: AttemptCosts;
  /** LM requests the attempt made, per task name. */
  requests: Map<string, number>;
  /** What the attempt's blocks noted for provenance. */
  trace: AttemptTrace;
  parts: { task: TaskRun; items: number; cursor: TaskCursor }[];
  inputs: number;
  started: number;
  result: Promise<AttemptResult>;
  /** Resolves when the attempt has called its first block, or settled without calling one. */
  reachedBlocks: Promise<void>;
  /** Set when `result` has settled. */
  outcome?: AttemptResult;
  /**
   * Makes the attempt's blocks send no new request (a graceful stop of this attempt alone), for
   * an attempt whose tasks have all ended.
   */
  stopRequests(reason: string): void;
};

/**
 * Takes a batch from each task `take` returns items for and calls the builder once;
 * `undefined` when no task has anything to do.
 */
export async function startAttempt(
  setup: AttemptSetup,
  tasks: readonly TaskRun[],
  number: number,
  sequence: number,
  take: (task: TaskRun, number: number, rejects: RejectBuffer) => Promise<DataPoint[]>,
): Promise<Attempt | undefined> {
  const parts: Attempt['parts'] = [];
  const batch: DataPoint[] = [];
  const rejects: RejectBuffer = [];
  for (const task of tasks) {
    const items = await take(task, number, rejects);
    if (items.length === 0) continue;
    task.reserve(number, items.length);
    parts.push({ task, items: items.length, cursor: task.cursor() });
    batch.push(...items);
  }
  if (batch.length === 0) return undefined;
  const costs: AttemptCosts = new Map();
  const requests = new Map<string, number>();
  const stop = new AbortController();
  const stopWithRun = () => stop.abort(setup.signal.reason);
  if (setup.signal.aborted) stopWithRun();
  else setup.signal.addEventListener('abort', stopWithRun, { once: true });
  const names = parts.map((p) => p.task.name).join('+');
  const trace = newAttemptTrace(new Map(parts.map((p) => [p.task.name, p.task.recentTraces])));
  let entered!: () => void;
  const enteredBlocks = new Promise<void>((resolve) => {
    entered = resolve;
  });
  // One scope object per attempt: blocks key repeated identical requests within it.
  const scope: AttemptScope = {
    rejects,
    costs,
    requests,
    stopSignal: stop.signal,
    unit: { id: `${names}#${number}` },
    entered,
    trace,
  };
  const ctx = buildContext(
    setup,
    number,
    parts.map((p) => p.task),
    scope,
  );
  const attempt: Attempt = {
    number,
    sequence,
    rejects,
    costs,
    requests,
    trace,
    parts,
    inputs: batch.length,
    started: Date.now(),
    result: Promise.resolve({ ok: false, error: undefined }),
    reachedBlocks: enteredBlocks,
    stopRequests: (reason) => {
      if (!stop.signal.aborted) stop.abort(new Error(reason));
    },
  };
  const { remote } = setup;
  const call = remote
    ? () =>
        callRemotely(
          remote,
          { attempt: number, batch, context: ctx, tasks: parts.map((p) => p.task) },
          scope,
          setup,
        )
    : () => setup.builder.call(batch, ctx);
  attempt.result = Promise.resolve()
    .then(call)
    .then(
      (outputs): AttemptResult => ({ ok: true, outputs }),
      (error: unknown): AttemptResult => ({ ok: false, error }),
    )
    .then((outcome) => {
      setup.signal.removeEventListener('abort', stopWithRun);
      attempt.outcome = outcome;
      return outcome;
    });
  attempt.reachedBlocks = Promise.race([enteredBlocks, attempt.result.then(() => undefined)]);
  return attempt;
}

/**
 * The next batch of a generation task: seeds (cycled) and earlier outputs, never more items than
 * the task is still expected to need, counting attempts in flight at the yield its committed
 * attempts showed, so little is made past the target.
 */
export function generationBatch(task: TaskRun, random: RandomSource, number: number): DataPoint[] {
  const remaining = itemsStillNeeded(task);
  if (remaining <= 0) return [];
  const seeds = task.nextSeeds(Math.min(task.settings.seedBatchSize, remaining));
  const machineCount = Math.min(
    task.settings.machineBatchSize,
    Math.max(0, remaining - seeds.length),
  );
  const machine = random.fork(`${task.name}#machine#${number}`).sample(task.accepted, machineCount);
  return [...seeds, ...machine.map((record) => ({ ...record }))];
}

/**
 * Batch items a generation task still needs (see {@link generationBatch}): what is missing from
 * its target, less what its attempts in flight are expected to bring, at the yield so far.
 */
export function itemsStillNeeded(task: TaskRun): number {
  const perItem = task.yieldPerItem;
  const stillNeeded = task.settings.target - task.dataCount - task.pending * perItem;
  return stillNeeded <= 0 ? 0 : Math.ceil(stillNeeded / perItem - 1e-9);
}

/** Items the task's next {@link generationBatch} is expected to hold, without taking them. */
export function nextBatchItems(task: TaskRun): number {
  const remaining = itemsStillNeeded(task);
  const { seedBatchSize, machineBatchSize } = task.settings;
  const seeds = Math.min(seedBatchSize, remaining, task.seedsUsedUp ? 0 : task.seeds.length);
  return seeds + Math.min(machineBatchSize, Math.max(0, remaining - seeds), task.accepted.length);
}

function buildContext(
  setup: AttemptSetup,
  attempt: number,
  active: TaskRun[],
  scope: AttemptScope,
): GenerationContext {
  const random = setup.random.fork(`attempt#${attempt}`);
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
    blocks: blocksForAttempt(setup.blocks, scope),
    config: setup.config,
    random,
    attempt,
    signal: setup.cancelSignal,
    emit: setup.emit,
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
      const pool = {
        seeds: task.seeds,
        accepted: examplesOf(task),
        seedBatchSize,
        machineBatchSize,
      };
      return sampleExamples(random, pool, k, options?.seedFraction);
    },
  };
}
