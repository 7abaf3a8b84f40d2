import { z } from 'zod';
import type { BlockConfig, BuilderConfig } from '../contracts/v1/builder-config.js';

export type { BlockConfig, BuilderConfig };

/**
 * The keys every block entry of a builder YAML may carry; the block type's own schema validates
 * the rest (model, temperature, threshold, …).
 */
export const blockConfigSchema = z.looseObject({
  name: z.string().min(1),
  type: z.string().min(1),
  input_map: z
    .record(z.string(), z.string())
    .optional()
    .describe('Row field → block field, applied before the block runs (DiGiT semantics).'),
  output_map: z
    .record(z.string(), z.string())
    .optional()
    .describe('Block field → row field, applied to the rows the block returns.'),
  filter: z
    .boolean()
    .optional()
    .describe(
      'Validators: drop invalid rows (and write them to the reject store) instead of marking them.',
    ),
});

/** A postprocessor: the name of a block of the builder, or a mapping with the name and overrides. */
export const postprocessorConfigSchema = z.union([
  z.string().min(1),
  z.looseObject({ name: z.string().min(1) }),
]);

/** The builder YAML: name, blocks, postprocessors and free-form metadata. */
export const builderConfigSchema = z.looseObject({
  name: z.string().min(1),
  blocks: z.array(blockConfigSchema).default([]),
  postprocessors: z.array(postprocessorConfigSchema).default([]),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** A builder configuration as written (defaults not yet applied). */
export type BuilderConfigInput = z.input<typeof builderConfigSchema>;

// The contract states these shapes as plain types; this fails to compile if the schemas drift.
type Expect<T extends true> = T;
type Assignable<From, To> = [From] extends [To] ? true : false;
/** Compile-time check that the schemas produce the contract's config types. */
export type BuilderSchemaMatchesContract = [
  Expect<Assignable<z.infer<typeof blockConfigSchema>, BlockConfig>>,
  Expect<Assignable<z.infer<typeof builderConfigSchema>, BuilderConfig>>,
];
