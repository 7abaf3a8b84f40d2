import { z } from 'zod';
import { defineDatastore } from '../contracts/define.js';
import type {
  DatastoreDefinition,
  DatastoreInitContext,
  DatastoreV1,
  StoredRecord,
} from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import { validateWithSchema } from '../schema/validate-schema.js';
import { builtinDatastores } from './builtin-datastores.js';

const targetSchema = z.looseObject({ type: z.string().min(1).default('default') });

/**
 * Config of `multi_target`: DiGiT's `primary` and `additional` targets, or a `targets` list
 * whose first entry is the primary.
 */
export const multiTargetConfigSchema = z
  .looseObject({
    type: z.string().optional(),
    primary: targetSchema.optional(),
    additional: z.array(targetSchema).default([]),
    targets: z.array(targetSchema).min(1).optional(),
  })
  .refine((config) => config.primary !== undefined || config.targets !== undefined, {
    message: 'give the primary target (primary: {type: default, …}) or a targets: list',
    path: ['primary'],
  });

/**
 * The `multi_target` datastore: every append and write goes to each target (the primary first,
 * so what the run reads back is durable before copies are made), while reads come from the
 * primary alone. Targets are core's datastore types (`default`, `jsonl`, `parquet`, …); an
 * additional target without `data_path` is stored beside the primary as `<store>_<n>`.
 *
 * @example
 * datastore:
 *   type: multi_target
 *   primary: { type: default }
 *   additional:
 *     - { type: default, data_path: exports/records.parquet }
 */
export const multiTargetDatastore = defineDatastore({
  description: 'Writes every record to several datastores; reads from the primary.',
  configSchema: multiTargetConfigSchema,
  async create(config, ctx) {
    const list = config.targets ?? [config.primary!, ...config.additional];
    const types = builtinDatastores() as Record<string, DatastoreDefinition>;
    const stores: DatastoreV1[] = [];
    for (const [i, target] of list.entries()) {
      const definition = types[target.type];
      if (!definition || target.type === 'multi_target') {
        throw new DgtError(
          'UNKNOWN_DATASTORE_TYPE',
          `multi_target datastore: target ${i + 1} has type "${target.type}"; targets may be ${Object.keys(
            types,
          )
            .filter((t) => t !== 'multi_target')
            .join(', ')}.`,
        );
      }
      const parsed = validateWithSchema(definition.configSchema, target);
      if (!parsed.success) {
        throw new DgtError(
          'INVALID_TASK',
          `multi_target datastore: target ${i + 1} (${target.type}): ${parsed.error.issues.map((issue: { path: PropertyKey[]; message: string }) => `${issue.path.join('.') || 'target'}: ${issue.message}`).join('; ')}`,
        );
      }
      const own: DatastoreInitContext =
        i === 0 || target.data_path !== undefined || target.store_name !== undefined
          ? ctx
          : { ...ctx, storeName: `${ctx.storeName}_${i}` };
      stores.push(await definition.create(parsed.data, own));
    }
    const [primary] = stores as [DatastoreV1, ...DatastoreV1[]];
    return {
      specificationVersion: 'v1',
      kind: 'datastore',
      location: stores.map((store) => store.location).join(' + '),
      exists: () => primary.exists(),
      read: () => primary.read(),
      async append(records: readonly StoredRecord[]) {
        for (const store of stores) await store.append(records);
      },
      async write(records) {
        // Every target gets the same records: gather them once (the source may be a stream).
        const all: StoredRecord[] = [];
        for await (const record of records as AsyncIterable<StoredRecord>) all.push(record);
        for (const store of stores) await store.write(all);
      },
      async clear() {
        for (const store of stores) await store.clear();
      },
      async close() {
        for (const store of stores) await store.close();
      },
    };
  },
});
