import type { LoadedTask } from '../config/load-tasks.js';
import { taskConfigSchema } from '../config/task-schema.js';
import { zodToDgtError } from '../config/zod-issues.js';
import { isFormatterDefinition } from '../contracts/guards.js';
import type { Databuilder } from '../contracts/v1/builder.js';
import { DgtError } from '../errors/dgt-error.js';
import type { Registry } from '../registry/registry.js';
import { schemaKeys } from './unknown-keys.js';

/**
 * Checks a task's `formatter:` as the run will use it (the type is known, is a formatter, and
 * its settings parse), so `dgt validate` and the start of `dgt run` report it, not the end.
 */
export async function checkTaskFormatter(registry: Registry, task: LoadedTask): Promise<void> {
  const mapping = task.config.formatter;
  if (!mapping) return;
  const where = task.where(['formatter', 'type']);
  const definition = await registry.load('formatters', mapping.type, where);
  if (!isFormatterDefinition(definition)) {
    throw new DgtError(
      'INVALID_PLUGIN',
      `${where}: formatter "${mapping.type}" is not a formatter definition (expected defineFormatter(...), specificationVersion 'v1').`,
    );
  }
  const parsed = definition.configSchema.safeParse(mapping);
  if (!parsed.success) {
    throw zodToDgtError('INVALID_TASK', parsed.error, mapping, (p) =>
      task.where(['formatter', ...p]),
    );
  }
}

// Keys every task file may carry besides the schema's: DiGiT's bookkeeping.
const DIGIT_TASK_KEYS = ['include', 'metadata'];

/**
 * Task keys that neither the runner nor the task's builder reads (e.g. `risk_policy:` given to a
 * builder that has no risk policy), one warning each. Only builders that declare a `taskSchema`
 * with known keys are checked: for the others nobody can tell what they read.
 */
export function taskKeyWarnings(
  task: LoadedTask,
  builder: Databuilder,
  builderId: string,
): string[] {
  const own = builder.taskSchema ? schemaKeys(builder.taskSchema) : undefined;
  if (!own) return [];
  const known = new Set([...Object.keys(taskConfigSchema.shape), ...DIGIT_TASK_KEYS, ...own]);
  return Object.keys(task.config)
    .filter((key) => !known.has(key))
    .map(
      (key) =>
        `${task.where([key])}: task "${task.config.task_name}": key "${key}" is not used by databuilder ${builderId} (it reads ${[...own].map((k) => `"${k}"`).join(', ') || 'no task keys of its own'}); it is ignored.`,
    );
}
