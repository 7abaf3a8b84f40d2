import type { BuilderConfig, DataPoint, DgtEvent, ExamplePool, RejectBuffer } from '@dgt/core';

/** The version of {@link BuilderJob}; a worker refuses jobs of a version it does not know. */
export const BUILDER_JOB_VERSION = 1;

/**
 * One builder call, as a coordinating `dgt run --queue` hands it to `dgt worker` processes: the
 * batch and everything the builder's `call` reads from its context, so the worker needs no task
 * file and no output folder. JSON-serialisable (BullMQ stores it in Redis).
 */
export type BuilderJob = {
  version: typeof BUILDER_JOB_VERSION;
  /** The run it belongs to (results of another run's jobs are none of its business). */
  runId: string;
  /** The builder id as the tasks name it (`data_builder`); the worker loads it from its plugins. */
  builder: string;
  /**
   * The builder config after overrides and engine flags (`PlannedBuilder.config`), with each
   * block's config as validated (`PlannedBuilder.blockConfigs`): the worker creates exactly these.
   */
  config: BuilderConfig;
  /** 1-based attempt number (stable across resume); the call's random source derives from it. */
  attempt: number;
  /** The seed the coordinator's builder random source comes from (`TaskSettings.randomSeed`). */
  randomSeed: number | string;
  batch: DataPoint[];
  /** `GenerationContext.tasks`: each task's config, by task name. */
  tasks: Record<string, Record<string, unknown>>;
  /** `GenerationContext.taskLocations`, by task name. */
  taskLocations: Record<string, { file: string; baseDir: string; outputDir: string }>;
  /**
   * What `sampleExamples` draws from, per generation task: its seeds and a bounded sample of
   * the outputs accepted when the attempt started (not every record: jobs travel through Redis).
   */
  examples: Record<string, ExamplePool>;
};

/** What a worker returns for a {@link BuilderJob}: the coordinator commits it, once, by job id. */
export type BuilderJobResult = {
  /** The builder's outputs, each with the `task_name` of the input it came from. */
  outputs: DataPoint[];
  /** Rows the blocks rejected, with reasons, for the tasks' reject stores. */
  rejects: RejectBuffer;
  /** Estimated LM cost of the call per task, in US dollars (for `max_cost_usd`). */
  costs: Record<string, number>;
  /** The events the call emitted (LM requests, block counts, warnings), in order. */
  events: DgtEvent[];
};

/**
 * The BullMQ queue of a builder's jobs. One queue per builder lets `dgt worker --builders` serve
 * only some; BullMQ queue names may not contain `:`.
 */
export function builderQueueName(builderId: string): string {
  return `dgt.builder.${builderId.replaceAll(':', '_')}`;
}
