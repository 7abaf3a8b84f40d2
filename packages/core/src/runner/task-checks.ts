import type { LoadedTask } from '../config/load-tasks.js';
import { zodToDgtError } from '../config/zod-issues.js';
import { isDatastoreDefinition, isFormatterDefinition } from '../contracts/guards.js';
import { DgtError } from '../errors/dgt-error.js';
import type { Registry } from '../registry/registry.js';
import { validateWithSchema } from '../schema/validate-schema.js';
import { nearMisses, schemaKeys } from './unknown-keys.js';

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
  const parsed = validateWithSchema(definition.configSchema, mapping);
  if (!parsed.success) {
    throw zodToDgtError('INVALID_TASK', parsed.error, mapping, (p) =>
      task.where(['formatter', ...p]),
    );
  }
}

/** The task keys that hold a datastore mapping (`{type, data_path, …}`). */
const DATASTORE_KEYS = [
  'seed_datastore',
  'data',
  'datastore',
  'final_datastore',
  'formatted_datastore',
] as const;

/**
 * Warnings for keys of a task's datastore and formatter mappings that look like typos of keys
 * their type knows (`data_pth` for `data_path`): such a key is ignored, so the run would read or
 * write somewhere else than meant. Keys that resemble nothing stay silent, as for blocks.
 */
export async function mappingKeyWarnings(registry: Registry, task: LoadedTask): Promise<string[]> {
  const config = task.config as Record<string, unknown>;
  const mappings: { key: string; kind: 'datastores' | 'formatters' }[] = [
    ...DATASTORE_KEYS.map((key) => ({ key, kind: 'datastores' as const })),
    { key: 'formatter', kind: 'formatters' },
  ];
  const warnings: string[] = [];
  for (const { key, kind } of mappings) {
    const mapping = config[key];
    if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping)) continue;
    const entry = mapping as Record<string, unknown>;
    const type = typeof entry.type === 'string' ? entry.type : 'default';
    if (kind === 'formatters' && typeof entry.type !== 'string') continue;
    const definition = await registry
      .load(kind, type, task.where([key, 'type']))
      .catch(() => undefined);
    const valid =
      kind === 'datastores' ? isDatastoreDefinition(definition) : isFormatterDefinition(definition);
    if (!valid) continue;
    const known = schemaKeys((definition as { configSchema: unknown }).configSchema);
    if (!known) continue;
    known.add('type');
    for (const name of Object.keys(entry)) {
      if (known.has(name)) continue;
      const suggestions = nearMisses(name, known);
      if (suggestions.length === 0) continue;
      warnings.push(
        `${task.where([key, name])} task "${task.config.task_name}" ${key}: unknown key "${name}" — did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}? It is ignored.`,
      );
    }
  }
  return warnings;
}
