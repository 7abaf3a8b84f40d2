import path from 'node:path';
import type { LoadedTask } from '../config/load-tasks.js';
import { DgtError } from '../errors/dgt-error.js';

/** Runner settings given on the command line; each wins over the task file when set. */
export type RunnerOverrides = {
  numOutputsToGenerate?: number;
  seedBatchSize?: number;
  machineBatchSize?: number;
  transformBatchSize?: number;
  restart?: boolean;
  outputDir?: string;
  saveFormattedOutput?: boolean;
  maxGenRequests?: number;
  maxStalledRequests?: number;
  /** Cost budget per task in US dollars (`runner_config.max_cost_usd`). */
  maxCostUsd?: number;
  /** `runner_config.max_requests_per_record`. */
  maxRequestsPerRecord?: number;
};

/** A task's effective run settings, after defaults, the task file and command-line flags. */
export type TaskSettings = {
  /** Folder of this task's outputs: `<output_dir>/<store_name>`. */
  taskDir: string;
  /** The run's output folder. */
  outputRoot: string;
  storeName: string;
  target: number;
  seedBatchSize: number;
  /**
   * `false` when the task's `dataloader: {loop_over: false}` hands each seed to the builder only
   * once; seeds are cycled otherwise.
   */
  loopSeeds?: boolean;
  machineBatchSize: number;
  transformBatchSize: number;
  restart: boolean;
  saveFormattedOutput: boolean;
  maxGenRequests: number;
  maxStalledRequests: number;
  failureThreshold: number;
  timeLimitMs: number;
  /**
   * Budget for the estimated cost of the task's LM requests in this run, in US dollars
   * (infinite when none is set).
   */
  maxCostUsd: number;
  /**
   * LM requests allowed per accepted record, after the first 100 (infinite when set to 0):
   * bounds what a task spends when its records keep being rejected or deduplicated away.
   */
  maxRequestsPerRecord: number;
  /** Size at which the task's reject stores end it, in bytes. */
  maxRejectStoreBytes: number;
  randomSeed: number | string;
  /**
   * Cap on the builder's attempts in flight at once (`max_concurrent_attempts`); `undefined`
   * when not set: the blocks' free capacity governs (see `BlockV1.capacity`).
   */
  maxConcurrentAttempts: number | undefined;
};

/** Defaults where neither the task nor the command line says. */
export const DEFAULT_SETTINGS = {
  target: 2,
  machineBatchSize: 10,
  transformBatchSize: 100,
  maxStalledRequests: 5,
  failureThreshold: 0.5,
  randomSeed: 42,
  maxRequestsPerRecord: 50,
  maxRejectStoreMb: 1024,
} as const;

/**
 * Resolves a task's settings. Output paths are checked here: a `task_name` or `store_name` that
 * would write outside the output folder is refused.
 */
export function resolveTaskSettings(
  task: LoadedTask,
  overrides: RunnerOverrides,
  cwd: string,
  env: Record<string, string | undefined>,
): TaskSettings {
  const runner = task.config.runner_config ?? {};
  // Older DiGiT task files put runner keys at the top level.
  const top = task.config as Record<string, unknown>;
  const pick = <T>(flag: T | undefined, key: string): T | undefined =>
    flag ??
    ((runner as Record<string, unknown>)[key] as T | undefined) ??
    (top[key] as T | undefined);

  const outputRoot = path.resolve(
    cwd,
    pick(overrides.outputDir, 'output_dir') ?? env.DGT_OUTPUT_DIR ?? 'output',
  );
  const storeName =
    task.config.store_name ??
    (task.config.datastore?.store_name as string | undefined) ??
    task.config.task_name;
  checkFolderName(task, storeName);
  const taskDir = path.resolve(outputRoot, storeName);
  const relative = path.relative(outputRoot, taskDir);
  if (
    relative === '' ||
    relative.startsWith('..') ||
    path.isAbsolute(relative) ||
    storeName.split(/[\\/]/).includes('..')
  ) {
    throw new DgtError(
      'OUTPUT_PATH',
      `${task.where(['task_name'])}: the task name "${storeName}" would write outside the output folder ${outputRoot}. Use a name without "..", a leading "/" or an empty path.`,
    );
  }
  const target =
    pick(overrides.numOutputsToGenerate, 'num_outputs_to_generate') ?? DEFAULT_SETTINGS.target;
  for (const [key, value] of [
    ['num_outputs_to_generate', target],
    ['seed_batch_size', pick(overrides.seedBatchSize, 'seed_batch_size')],
    ['machine_batch_size', pick(overrides.machineBatchSize, 'machine_batch_size')],
  ] as const) {
    if (
      value !== undefined &&
      (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    ) {
      throw new DgtError(
        'INVALID_TASK',
        `${task.where(['runner_config', key])}: ${key} must be a whole number ≥ 0, found ${String(value)}.`,
      );
    }
  }
  return {
    taskDir,
    outputRoot,
    storeName,
    target,
    seedBatchSize:
      pick(overrides.seedBatchSize, 'seed_batch_size') ?? Math.min(100, Math.max(1, target)),
    ...(task.config.dataloader?.loop_over === false ? { loopSeeds: false } : {}),
    machineBatchSize:
      pick(overrides.machineBatchSize, 'machine_batch_size') ?? DEFAULT_SETTINGS.machineBatchSize,
    transformBatchSize:
      pick(overrides.transformBatchSize, 'transform_batch_size') ??
      DEFAULT_SETTINGS.transformBatchSize,
    restart: pick(overrides.restart || undefined, 'restart_generation') ?? false,
    saveFormattedOutput:
      pick(overrides.saveFormattedOutput || undefined, 'save_formatted_output') ?? false,
    maxGenRequests: pick(overrides.maxGenRequests, 'max_gen_requests') ?? Number.POSITIVE_INFINITY,
    maxStalledRequests:
      pick(overrides.maxStalledRequests, 'max_stalled_requests') ??
      DEFAULT_SETTINGS.maxStalledRequests,
    failureThreshold: pick(undefined, 'failure_threshold') ?? DEFAULT_SETTINGS.failureThreshold,
    timeLimitMs: (pick<number>(undefined, 'time_limit') ?? Number.POSITIVE_INFINITY) * 1000,
    maxCostUsd: pick(overrides.maxCostUsd, 'max_cost_usd') ?? Number.POSITIVE_INFINITY,
    maxRequestsPerRecord: unlimitedIfZero(
      pick(overrides.maxRequestsPerRecord, 'max_requests_per_record') ??
        DEFAULT_SETTINGS.maxRequestsPerRecord,
    ),
    maxRejectStoreBytes:
      unlimitedIfZero(
        pick<number>(undefined, 'max_reject_store_mb') ?? DEFAULT_SETTINGS.maxRejectStoreMb,
      ) * 1_048_576,
    randomSeed: task.config.random_seed ?? DEFAULT_SETTINGS.randomSeed,
    maxConcurrentAttempts: pick<number>(undefined, 'max_concurrent_attempts'),
  };
}

/** Caps where 0 means "no cap". */
function unlimitedIfZero(value: number): number {
  return value === 0 ? Number.POSITIVE_INFINITY : value;
}

/** Longest file name (one path component) on common file systems, in bytes. */
const MAX_NAME_BYTES = 255;

/**
 * A task's name becomes its output folder: it must be a name the file system accepts, or the run
 * would fail later with a raw system error.
 */
function checkFolderName(task: LoadedTask, storeName: string): void {
  const fix = 'Use a shorter name of printable characters (a "/" makes sub-folders).';
  if (storeName.includes('\0')) {
    throw new DgtError(
      'OUTPUT_PATH',
      `${task.where(['task_name'])}: the task name ${JSON.stringify(storeName)} contains a NUL character, which no file name may hold. ${fix}`,
    );
  }
  for (const part of storeName.split(/[\\/]/)) {
    const bytes = Buffer.byteLength(part);
    if (bytes > MAX_NAME_BYTES) {
      throw new DgtError(
        'OUTPUT_PATH',
        `${task.where(['task_name'])}: the task name gives a folder name of ${bytes} bytes ("${part.slice(0, 40)}…"), more than the ${MAX_NAME_BYTES} a file name may have. ${fix}`,
      );
    }
  }
}
