import { builderConfigSchema } from '../config/builder-schema.js';
import type { LoadedTask } from '../config/load-tasks.js';
import { runnerConfigSchema, taskConfigSchema } from '../config/task-schema.js';
import type { Databuilder } from '../contracts/v1/builder.js';
import { nearMisses, schemaKeys } from './unknown-keys.js';

// Task files are loose on purpose (builders add their own keys, DiGiT files carry keys of builders
// we do not ship), so a typo such as `num_output_to_generate:` or `runner_confg:` would be ignored
// silently and change the result. This module finds the keys nothing reads. Every list of known
// keys is derived from the schemas, so a key added to a schema is known at once.

/**
 * Top-level task keys that DiGiT's own databuilders read (conversation, RAG, refusal, magpie,
 * time-series, …). A task written for one of them must not be told its keys are unknown.
 */
const DIGIT_TASK_KEYS = [
  'tools',
  'risk_policy',
  'num_icl_examples',
  'num_samples_per_batch',
  'initialization_stages',
  'iteration_stages',
  'min_turns',
  'max_turns',
  'data_params',
  'sdforger_params',
  'data_formatter_template',
  'include',
];

/** Keys any DiGiT task file may carry, whatever its builder reads. */
const DIGIT_BOOKKEEPING_KEYS = ['include', 'metadata'];

/** Top-level keys of a builder entry in an override file that DiGiT builder YAMLs carry. */
const DIGIT_BUILDER_KEYS = ['max_workers', 'data_builder'];

function keysOf(schema: unknown): string[] {
  return [...(schemaKeys(schema) ?? [])];
}

/** Keys `runner_config:` accepts (also accepted at the top level, as older DiGiT files do). */
export function runnerKeys(): string[] {
  return keysOf(runnerConfigSchema);
}

/** The message for an unknown key: the nearest known keys, else every known key. */
function describe(where: string, scope: string, key: string, known: readonly string[]): string {
  const suggestions = nearMisses(key, known);
  const guess = suggestions.length
    ? ` — did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`
    : ` (known keys: ${known.join(', ')}).`;
  return `${where} ${scope}: unknown key "${key}"${guess} It is ignored.`;
}

/**
 * Warnings for the keys of a task (task file plus override) that nothing reads: top-level keys
 * that are neither the task format's, the runner's, the builder's own (its `taskSchema`) nor a
 * DiGiT builder's; and every unknown key under `runner_config:`. A builder without a task schema
 * may read any key, so its tasks only get warnings for near misses of known keys.
 */
export function unknownTaskKeyWarnings(
  task: LoadedTask,
  builderId: string,
  builder: Databuilder,
): string[] {
  const config = task.config as Record<string, unknown>;
  const name = `task "${config.task_name}"`;
  const warnings: string[] = [];
  const runner = runnerKeys();
  // A builder whose task keys cannot be read (no taskSchema, or a schema of another library) may
  // read any key: then only near misses of known keys are flagged.
  const declared = builder.taskSchema ? schemaKeys(builder.taskSchema) : undefined;
  const complete = declared !== undefined;
  const own = [...(declared ?? [])];
  // DiGiT's builder keys are known only where the builder's own keys are not: a builder that
  // declares its keys and does not read `risk_policy:` gets it warned.
  const digit = complete ? DIGIT_BOOKKEEPING_KEYS : DIGIT_TASK_KEYS;
  const known = new Set([...keysOf(taskConfigSchema), ...runner, ...own, ...digit]);
  for (const key of Object.keys(config)) {
    if (known.has(key)) continue;
    const suggestions = nearMisses(key, known);
    if (suggestions.length === 0 && !complete) continue;
    const reads = own.length ? ` (it reads ${own.join(', ')})` : '';
    const why = suggestions.length
      ? ` — did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`
      : `: builder ${builderId} does not read it${reads}.`;
    warnings.push(`${task.where([key])} ${name}: unknown key "${key}"${why} It is ignored.`);
  }
  const runnerConfig = config.runner_config;
  if (runnerConfig && typeof runnerConfig === 'object') {
    for (const key of Object.keys(runnerConfig)) {
      if (runner.includes(key)) continue;
      warnings.push(
        describe(task.where(['runner_config', key]), `${name} runner_config`, key, runner),
      );
    }
  }
  return warnings;
}

/**
 * Warnings for the top-level keys of a builder entry in an override file that a builder YAML
 * does not have (`block:` for `blocks:`); block keys are checked by the block's own schema.
 */
export function unknownBuilderKeyWarnings(
  builderId: string,
  override: Record<string, unknown>,
  where: (path: readonly PropertyKey[]) => string,
): string[] {
  const known = [...keysOf(builderConfigSchema), ...DIGIT_BUILDER_KEYS];
  return Object.keys(override)
    .filter((key) => !known.includes(key))
    .map((key) => describe(where([key]), `builder ${builderId}`, key, known));
}
