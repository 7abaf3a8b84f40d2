import type { Block, BlockDefinition, BlockV1 } from './v1/block.js';
import type { Databuilder } from './v1/builder.js';
import type { Datastore, DatastoreDefinition } from './v1/datastore.js';
import type { EmbeddingCapability } from './v1/embedding.js';
import type { FormatterDefinition } from './v1/formatter.js';
import type { StandardSchemaV1 } from './v1/standard-schema.js';

// Structural checks on the brand fields: plugins may bring their own copy of core, so
// `instanceof` would fail across copies.

const SUPPORTED_VERSIONS: ReadonlySet<unknown> = new Set(['v1']);

function branded(value: unknown, kinds: readonly string[]): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { specificationVersion?: unknown; kind?: unknown };
  return SUPPORTED_VERSIONS.has(v.specificationVersion) && kinds.includes(v.kind as string);
}

/** True for a Standard Schema (zod 4, valibot, arktype, …): it has `~standard.validate`. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as Partial<StandardSchemaV1>)['~standard'];
  return typeof props === 'object' && props !== null && typeof props.validate === 'function';
}

/** True for a block definition of a contract version this core understands. */
export function isBlockDefinition(value: unknown): value is BlockDefinition {
  return (
    branded(value, ['block-definition']) &&
    typeof value.create === 'function' &&
    isStandardSchema(value.configSchema)
  );
}

/** True for a block instance of a contract version this core understands. */
export function isBlock(value: unknown): value is Block {
  return branded(value, ['block']) && typeof value.call === 'function';
}

/** True for a databuilder of a contract version this core understands. */
export function isDatabuilder(value: unknown): value is Databuilder {
  return (
    branded(value, ['generation', 'transformation']) &&
    typeof value.call === 'function' &&
    typeof value.name === 'string'
  );
}

/** True for a datastore definition of a contract version this core understands. */
export function isDatastoreDefinition(value: unknown): value is DatastoreDefinition {
  return branded(value, ['datastore-definition']) && typeof value.create === 'function';
}

/** True for a datastore instance of a contract version this core understands. */
export function isDatastore(value: unknown): value is Datastore {
  return branded(value, ['datastore']) && typeof value.append === 'function';
}

/** True for a formatter definition of a contract version this core understands. */
export function isFormatterDefinition(value: unknown): value is FormatterDefinition {
  return branded(value, ['formatter-definition']) && typeof value.create === 'function';
}

/** True when a block can embed texts (an LM block with the embeddings capability). */
export function hasEmbeddings(block: BlockV1): block is BlockV1 & EmbeddingCapability {
  return typeof (block as Partial<EmbeddingCapability>).embed === 'function';
}
