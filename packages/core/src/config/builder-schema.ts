import { z } from 'zod';

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

/** One block entry of a builder YAML. */
export type BlockConfig = z.infer<typeof blockConfigSchema>;

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

/** A parsed builder configuration. */
export type BuilderConfig = z.infer<typeof builderConfigSchema>;
/** A builder configuration as written (defaults not yet applied). */
export type BuilderConfigInput = z.input<typeof builderConfigSchema>;
