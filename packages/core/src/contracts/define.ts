import type { z } from 'zod';
import type { BlockDefinitionV1 } from './v1/block.js';
import type { DatabuilderV1 } from './v1/builder.js';
import type { DatastoreDefinitionV1 } from './v1/datastore.js';
import type { FormatterDefinitionV1 } from './v1/formatter.js';

type WithoutBrand<T> = Omit<T, 'specificationVersion' | 'kind'>;

/**
 * Declares a block type; fills the contract brand and keeps the config type inferred from the
 * schema.
 *
 * @example
 * export default defineBlock({
 *   role: 'transform',
 *   configSchema: z.object({ field: z.string() }),
 *   create: (config) => ({ ... }),
 * });
 */
export function defineBlock<Schema extends z.ZodType>(
  definition: WithoutBrand<BlockDefinitionV1<Schema>>,
): BlockDefinitionV1<Schema> {
  return { ...definition, specificationVersion: 'v1', kind: 'block-definition' };
}

/** Declares a databuilder; fills the contract version. `kind` says generation or transformation. */
export function defineBuilder(
  definition: Omit<DatabuilderV1, 'specificationVersion'>,
): DatabuilderV1 {
  return { ...definition, specificationVersion: 'v1' };
}

/** Declares a datastore type; fills the contract brand. */
export function defineDatastore<Schema extends z.ZodType>(
  definition: WithoutBrand<DatastoreDefinitionV1<Schema>>,
): DatastoreDefinitionV1<Schema> {
  return { ...definition, specificationVersion: 'v1', kind: 'datastore-definition' };
}

/** Declares a formatter type; fills the contract brand. */
export function defineFormatter<Schema extends z.ZodType>(
  definition: WithoutBrand<FormatterDefinitionV1<Schema>>,
): FormatterDefinitionV1<Schema> {
  return { ...definition, specificationVersion: 'v1', kind: 'formatter-definition' };
}
