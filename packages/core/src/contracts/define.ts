import type { BlockDefinitionV1, BlockImplementationV1, BlockRole, BlockV1 } from './v1/block.js';
import type { DatabuilderV1 } from './v1/builder.js';
import type {
  DatastoreDefinitionV1,
  DatastoreImplementationV1,
  DatastoreInitContext,
  DatastoreV1,
} from './v1/datastore.js';
import type {
  FormatterDefinitionV1,
  FormatterImplementationV1,
  FormatterV1,
} from './v1/formatter.js';
import type { StandardSchemaV1 } from './v1/standard-schema.js';

type WithoutBrand<T> = Omit<T, 'specificationVersion' | 'kind'>;

const isPromise = (
  value: BlockImplementationV1 | Promise<BlockImplementationV1>,
): value is Promise<BlockImplementationV1> =>
  typeof (value as { then?: unknown }).then === 'function';

/**
 * Gives a block instance its brand, `role`, `type` and `name`, unless it already has them (a
 * plugin written before core added them). The instance itself gains the fields, so a class
 * instance keeps its methods and private state, and capabilities beside `call` (such as `embed`)
 * stay reachable.
 */
export function brandBlock(
  instance: BlockImplementationV1,
  brand: { role: BlockRole; type: string; name: string },
): BlockV1 {
  const target = instance as Partial<BlockV1> & BlockImplementationV1;
  if (target.specificationVersion !== undefined && target.kind !== undefined)
    return target as BlockV1;
  addFields(target, { specificationVersion: 'v1', kind: 'block', ...brand });
  return target as BlockV1;
}

/**
 * Gives an instance the brand fields it lacks, on the instance itself, so a class instance keeps
 * its methods and private state; fields it already has are left as they are.
 */
function addFields(instance: object, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (key in instance) continue;
    Object.defineProperty(instance, key, { value, enumerable: true });
  }
}

/** A block definition made by {@link defineBlock}: its `create` returns branded instances. */
export type DefinedBlock<Schema extends StandardSchemaV1> = Omit<
  BlockDefinitionV1<Schema>,
  'create'
> & {
  create(...args: Parameters<BlockDefinitionV1<Schema>['create']>): BlockV1 | Promise<BlockV1>;
};

/**
 * Declares a block type: fills the contract brand, keeps the config type inferred from the
 * schema, and brands the instances `create` returns, so a block is written as its behaviour only.
 *
 * @example
 * export default defineBlock({
 *   role: 'transform',
 *   configSchema: z.object({ field: z.string() }),
 *   create: (config) => ({ call: async (rows) => ({ rows }) }),
 * });
 */
export function defineBlock<Schema extends StandardSchemaV1>(
  definition: WithoutBrand<BlockDefinitionV1<Schema>>,
): DefinedBlock<Schema> {
  const create = (
    ...[config, ctx]: Parameters<BlockDefinitionV1<Schema>['create']>
  ): BlockV1 | Promise<BlockV1> => {
    const brand = { role: definition.role, type: config.type, name: config.name };
    const instance = definition.create(config, ctx);
    // A factory that answers synchronously keeps doing so.
    if (!isPromise(instance)) return brandBlock(instance, brand);
    return instance.then((made) => brandBlock(made, brand));
  };
  return { ...definition, specificationVersion: 'v1', kind: 'block-definition', create };
}

/** Declares a databuilder; fills the contract version. `kind` says generation or transformation. */
export function defineBuilder(
  definition: Omit<DatabuilderV1, 'specificationVersion'>,
): DatabuilderV1 {
  return { ...definition, specificationVersion: 'v1' };
}

/**
 * Declares a datastore type: fills the contract brand, and brands the stores `create` returns,
 * so a store is written as its behaviour only (stores that carry the brand still work).
 */
export function defineDatastore<Schema extends StandardSchemaV1>(
  definition: Omit<WithoutBrand<DatastoreDefinitionV1<Schema>>, 'create'> & {
    create(
      config: StandardSchemaV1.InferOutput<Schema>,
      ctx: DatastoreInitContext,
    ): DatastoreImplementationV1 | Promise<DatastoreImplementationV1>;
  },
): DatastoreDefinitionV1<Schema> {
  return {
    ...definition,
    specificationVersion: 'v1',
    kind: 'datastore-definition',
    async create(config, ctx) {
      const store = await definition.create(config, ctx);
      addFields(store, { specificationVersion: 'v1', kind: 'datastore' });
      return store as DatastoreV1;
    },
  };
}

/**
 * Declares a formatter type: fills the contract brand, and brands the formatters `create`
 * returns, so a formatter is written as its `apply` only.
 */
export function defineFormatter<Schema extends StandardSchemaV1>(
  definition: Omit<WithoutBrand<FormatterDefinitionV1<Schema>>, 'create'> & {
    create(config: StandardSchemaV1.InferOutput<Schema>): FormatterImplementationV1;
  },
): FormatterDefinitionV1<Schema> {
  return {
    ...definition,
    specificationVersion: 'v1',
    kind: 'formatter-definition',
    create(config) {
      const formatter = definition.create(config);
      addFields(formatter, { specificationVersion: 'v1', kind: 'formatter' });
      return formatter as FormatterV1;
    },
  };
}
