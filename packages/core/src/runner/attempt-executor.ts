import type { BuilderConfig } from '../config/builder-schema.js';
import type { BlockCapacity } from '../contracts/v1/block.js';
import type { GenerationContext } from '../contracts/v1/builder.js';
import type { DataPoint } from '../contracts/v1/data-point.js';
import type { DgtEvent, EventSink } from '../events/events.js';
import type { RandomSource } from '../random/seeded-random.js';
import type { AttemptScope, RejectBuffer } from './attempt-scope.js';
import { attemptTraceOf, noteAttemptRequest } from './row-trace.js';
import type { ExamplePool } from './sample-examples.js';
import type { TaskRun } from './task-run.js';

/**
 * One attempt's builder call as the runner hands it to an {@link AttemptExecutor}: the batch and
 * everything the builder's `call` reads from its context, JSON-serialisable, so another process
 * (a `dgt worker`) can make the call without the task file or the output folder.
 */
export type AttemptCall = {
  /** The builder id as the tasks name it. */
  builderId: string;
  /** The builder config after overrides and engine flags, with each block's validated config. */
  config: BuilderConfig;
  /** The attempt number: fixes the call's random streams (stable across resume). */
  attempt: number;
  /**
   * The attempt's unit id (`BlockCallContext.scope.id`): LM blocks number repeated identical
   * prompts within it, so cache keys are the same in whichever process makes the call.
   */
  unit: string;
  /** The seed the builder's random source comes from; the call's is forked from it. */
  randomSeed: number | string;
  batch: DataPoint[];
  /** `GenerationContext.tasks`: each task's config, by task name. */
  tasks: Record<string, Record<string, unknown>>;
  /** `GenerationContext.taskLocations`, by task name. */
  taskLocations: Record<string, { file: string; baseDir: string; outputDir: string }>;
  /** What `sampleExamples` draws from, per generation task (bounded: see `REMOTE_EXAMPLES`). */
  examples: Record<string, ExamplePool>;
};

/** What an executor returns for an {@link AttemptCall}. */
export type AttemptCallResult = {
  /** The builder's outputs, each with the `task_name` of the input it came from. */
  outputs: DataPoint[];
  /** Rows the blocks rejected, with reasons. */
  rejects: RejectBuffer;
  /** Estimated LM cost of the call per task, in US dollars. */
  costs: Record<string, number>;
  /** The events the call emitted (LM requests, block counts, warnings), in order. */
  events: DgtEvent[];
};

/**
 * Runs attempts somewhere other than this process (`dgt run --queue` hands them to workers).
 * The runner still takes every batch, keeps task state and makes every durable write; the
 * executor only makes builder calls. Core knows nothing of how: the CLI supplies one.
 */
export type AttemptExecutor = {
  /**
   * Makes one builder call; rejects when the call failed (the attempt fails as an in-process one
   * would). Called at most once per attempt; `signal` aborts on a hard stop.
   */
  execute(call: AttemptCall, signal: AbortSignal): Promise<AttemptCallResult>;
  /**
   * How many more attempts of `builderId` the executor can take: admission follows it instead
   * of the builder's blocks (which run elsewhere).
   */
  capacity(builderId: string): BlockCapacity;
};

/** Accepted outputs a remote attempt carries to sample examples from (they travel in the job). */
export const REMOTE_EXAMPLES = 256;

/** The builder-wide part of an {@link AttemptCall}, fixed for a builder's loop. */
export type RemoteBuilder = {
  executor: AttemptExecutor;
  builderId: string;
  config: BuilderConfig;
  randomSeed: number | string;
};

/**
 * Makes an attempt's call through the executor and folds its result into the attempt as an
 * in-process call would have: rejects into the attempt's buffer, costs and LM requests counted
 * for its tasks, events re-emitted (so usage and progress are counted by the run).
 */
export async function callRemotely(
  remote: RemoteBuilder,
  attempt: { attempt: number; batch: DataPoint[]; context: GenerationContext; tasks: TaskRun[] },
  scope: AttemptScope,
  run: { emit: EventSink; cancelSignal: AbortSignal },
): Promise<DataPoint[]> {
  const { context } = attempt;
  const made = remote.executor.execute(
    {
      builderId: remote.builderId,
      config: remote.config,
      attempt: attempt.attempt,
      unit: scope.unit?.id ?? String(attempt.attempt),
      randomSeed: remote.randomSeed,
      batch: attempt.batch,
      tasks: context.tasks,
      taskLocations: context.taskLocations,
      examples: remoteExamples(attempt.tasks, context.random, attempt.attempt),
    },
    run.cancelSignal,
  );
  // The call is with the executor: its capacity counts it now.
  scope.entered?.();
  const result = await made;
  scope.rejects.push(...result.rejects);
  for (const [task, cost] of Object.entries(result.costs))
    scope.costs.set(task, (scope.costs.get(task) ?? 0) + cost);
  const trace = attemptTraceOf(scope);
  for (const event of result.events) {
    if (event.type === 'lm-request' && event.task !== undefined) {
      scope.requests?.set(event.task, (scope.requests.get(event.task) ?? 0) + 1);
      noteAttemptRequest(event, trace);
    }
    run.emit(event);
  }
  return result.outputs;
}

/**
 * The example pools of a remote attempt's generation tasks: seeds and a bounded sample of the
 * outputs accepted when it started, drawn from the attempt's own random stream.
 */
export function remoteExamples(
  tasks: readonly TaskRun[],
  random: RandomSource,
  attempt: number,
): Record<string, ExamplePool> {
  const pools: Record<string, ExamplePool> = {};
  for (const task of tasks) {
    if (task.kind !== 'generation') continue;
    const { seedBatchSize, machineBatchSize } = task.settings;
    const accepted =
      task.accepted.length <= REMOTE_EXAMPLES
        ? [...task.accepted]
        : random.fork(`${task.name}#examples#${attempt}`).sample(task.accepted, REMOTE_EXAMPLES);
    pools[task.name] = { seeds: task.seeds, accepted, seedBatchSize, machineBatchSize };
  }
  return pools;
}
