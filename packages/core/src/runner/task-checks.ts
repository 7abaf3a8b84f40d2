import type { LoadedTask } from '../config/load-tasks.js';
import { zodToDgtError } from '../config/zod-issues.js';
import { isFormatterDefinition } from '../contracts/guards.js';
import { DgtError } from '../errors/dgt-error.js';
import type { Registry } from '../registry/registry.js';

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
