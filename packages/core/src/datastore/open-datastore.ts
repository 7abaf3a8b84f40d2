import { isDatastore } from '../contracts/guards.js';
import type {
  DatastoreDefinition,
  DatastoreInitContext,
  DatastoreV1,
} from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import { validateWithSchema } from '../schema/validate-schema.js';
import { builtinDatastores } from './builtin-datastores.js';

/** A datastore mapping as a task file writes it: `type` (default `default`) and its keys. */
export type DatastoreMapping = { type?: string; [key: string]: unknown };

/**
 * Opens the datastore a task file's mapping describes: picks the definition by `type`
 * (`default` when absent), validates the mapping with its schema and creates the store.
 * Unknown types throw `UNKNOWN_DATASTORE_TYPE` listing the known ones; invalid keys throw
 * `INVALID_TASK` naming the key.
 *
 * @example
 * const seeds = await openDatastore(
 *   { type: 'default', data_path: 'seeds.yaml' },
 *   { outputDir: 'output/my_task', storeName: 'seeds', baseDir: taskDir },
 * );
 */
export async function openDatastore(
  config: DatastoreMapping,
  ctx: DatastoreInitContext,
  definitions: Readonly<Record<string, DatastoreDefinition>> = builtinDatastores(),
): Promise<DatastoreV1> {
  const type = config.type ?? 'default';
  const definition = Object.hasOwn(definitions, type) ? definitions[type] : undefined;
  if (!definition) {
    throw new DgtError(
      'UNKNOWN_DATASTORE_TYPE',
      `Unknown datastore type '${type}'. Known types: ${Object.keys(definitions).sort().join(', ')}.`,
    );
  }
  const parsed = validateWithSchema(definition.configSchema, config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue: { path: PropertyKey[]; message: string }) => {
      const key = issue.path.map(String).join('.') || '(mapping)';
      return `${key}: ${issue.message}`;
    });
    throw new DgtError(
      'INVALID_TASK',
      `Invalid datastore config (type '${type}'): ${problems.join('; ')}.`,
    );
  }
  const store = await definition.create(parsed.data, ctx);
  if (!isDatastore(store)) {
    throw new DgtError(
      'INVALID_PLUGIN',
      `The '${type}' datastore type created something that is not a v1 datastore ` +
        `(specificationVersion 'v1', kind 'datastore'). Fix the plugin's create().`,
    );
  }
  return store;
}
