import type { StoredRecord } from './datastore.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** Turns a final record into a training-format record (contract v1). */
export type FormatterV1 = {
  readonly specificationVersion: 'v1';
  readonly kind: 'formatter';
  apply(record: StoredRecord): StoredRecord;
};

/**
 * A formatter as its author writes it for {@link defineFormatter}: the behaviour only; core adds
 * `specificationVersion` and `kind`.
 */
export type FormatterImplementationV1 = Omit<FormatterV1, 'specificationVersion' | 'kind'>;

/** A formatter type as a plugin exports it (contract v1). */
export type FormatterDefinitionV1<Schema extends StandardSchemaV1 = StandardSchemaV1> = {
  readonly specificationVersion: 'v1';
  readonly kind: 'formatter-definition';
  readonly description?: string;
  readonly configSchema: Schema;
  create(config: StandardSchemaV1.InferOutput<Schema>): FormatterV1;
};

/** Any formatter instance version the runner understands. */
export type Formatter = FormatterV1;
/** Any formatter definition version the runner understands. */
export type FormatterDefinition = FormatterDefinitionV1<any>;
