/**
 * One block entry of a builder YAML: the keys the runner handles for every block, plus the block
 * type's own settings (validated by that type's `configSchema`).
 */
export type BlockConfig = {
  /** The instance name builders use (`ctx.blocks.generator`). */
  name: string;
  /** The block type id (`openai`, `rouge_scorer`, `acme/judge`). */
  type: string;
  /** Row field → block field, applied before the block runs (DiGiT semantics). */
  input_map?: Record<string, string>;
  /** Block field → row field, applied to the rows the block returns. */
  output_map?: Record<string, string>;
  /** Validators: drop invalid rows (and write them to the reject store) instead of marking them. */
  filter?: boolean;
  [key: string]: unknown;
};

/** A postprocessor: the name of a block of the builder, or a mapping with the name and overrides. */
export type PostprocessorConfig = string | { name: string; [key: string]: unknown };

/** A builder configuration (its YAML, overrides merged, defaults applied). */
export type BuilderConfig = {
  name: string;
  blocks: BlockConfig[];
  postprocessors: PostprocessorConfig[];
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
};
