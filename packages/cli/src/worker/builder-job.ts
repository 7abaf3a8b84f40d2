import type { AttemptCall, AttemptCallResult } from '@dgt/core';

/**
 * The version of {@link BuilderJob}; a worker refuses jobs of a version it does not know.
 * Version 2 carries the attempt's unit id (cache keys) and names the builder `builderId`.
 */
export const BUILDER_JOB_VERSION = 2;

/**
 * One builder call, as a coordinating `dgt run --queue` hands it to `dgt worker` processes: the
 * runner's {@link AttemptCall} (the batch and everything the builder's `call` reads from its
 * context), so the worker needs no task file and no output folder. JSON-serialisable (BullMQ
 * stores it in Redis). Engine flags (`--engine`, `--model`, `--no-cache`, …) travel inside
 * `config`, already applied to the block configs.
 */
export type BuilderJob = AttemptCall & { version: typeof BUILDER_JOB_VERSION };

/** What a worker returns for a {@link BuilderJob}: the coordinator commits it, once, by job id. */
export type BuilderJobResult = AttemptCallResult;

/**
 * The BullMQ queue of a builder's jobs. One queue per builder lets `dgt worker --builders` serve
 * only some; BullMQ queue names may not contain `:`.
 */
export function builderQueueName(builderId: string): string {
  return `dgt.builder.${builderId.replaceAll(':', '_')}`;
}
