import type { BlockOutput } from './block.js';
import type { BlockCallEvent } from './block-events.js';
import type { BuilderConfig } from './builder-config.js';
import type { BlockRow, DataPoint } from './data-point.js';
import type { RandomSource } from './random.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** A block as a builder sees it: call it with rows, get back the rows that passed. */
export type BoundBlock = {
  readonly name: string;
  readonly type: string;
  readonly role: 'lm' | 'validator' | 'transform';
  (rows: BlockRow[], options?: Record<string, unknown>): Promise<BlockRow[]>;
  /** Like calling the block, but also returns what it rejected. */
  run(
    rows: BlockRow[],
    options?: Record<string, unknown>,
    call?: { phase?: 'attempt' | 'postprocess' },
  ): Promise<BlockOutput>;
};

/** What a builder's `call` gets besides its batch. */
export type BuilderContext = {
  /** The blocks named in the builder YAML, by name (`ctx.blocks.generator`). */
  blocks: Record<string, BoundBlock>;
  /** The merged builder configuration (YAML plus overrides). */
  config: BuilderConfig;
  /** Seeded random source: the same run issues the same requests. */
  random: RandomSource;
  /** Per-task settings, by task name: the task's custom keys (anything the builder declared). */
  tasks: Record<string, Record<string, unknown>>;
  /**
   * Where each task comes from and writes to, by task name: its file, the folder relative paths
   * in it resolve against, and its output folder.
   */
  taskLocations: Record<string, { file: string; baseDir: string; outputDir: string }>;
  /** Aborted when the run stops. */
  signal: AbortSignal;
  /** Reports an event (a warning, or the LM requests of a block the builder runs itself). */
  emit(event: BlockCallEvent): void;
};

/** Context of a builder call. */
export type GenerationContext = BuilderContext & {
  /** 1-based number of this builder call in the run (stable across resume). */
  attempt: number;
  /**
   * Up to `k` in-context examples for a task, drawn without replacement from its seeds and its
   * accepted outputs (`seedFraction` of them from the seeds; default: the task's
   * seed_batch_size : machine_batch_size ratio). Empty for transformation tasks.
   */
  sampleExamples(taskName: string, k: number, options?: { seedFraction?: number }): DataPoint[];
};

/**
 * A databuilder (contract v1): the builder YAML (defaults) plus the code that turns a batch into
 * new records. `generation` builders are called with seeds and earlier outputs as examples and
 * return new records; `transformation` builders are called with input records and return the
 * transformed ones. Every output must carry the `task_name` of the input it came from.
 *
 * Schemas are Standard Schema values (a zod 4 schema is one); core checks them only through
 * `~standard.validate`.
 */
export type DatabuilderV1 = {
  readonly specificationVersion: 'v1';
  readonly kind: 'generation' | 'transformation';
  /** The builder's registered name, as in its YAML (`public/examples/geography_qa`). */
  readonly name: string;
  /** One-line description shown by `dgt list`. */
  readonly description?: string;
  /** The builder YAML: an object (blocks and postprocessors may be left out), or a file path. */
  readonly config:
    | (Omit<BuilderConfig, 'blocks' | 'postprocessors'> &
        Partial<Pick<BuilderConfig, 'blocks' | 'postprocessors'>>)
    | string;
  /** Shape of records the builder reads (seeds, or transformation inputs). */
  readonly inputSchema?: StandardSchemaV1;
  /** Shape of records the builder writes. */
  readonly outputSchema?: StandardSchemaV1;
  /** Extra task-file keys the builder accepts, validated per task. */
  readonly taskSchema?: StandardSchemaV1<unknown, Record<string, unknown>>;
  /**
   * The body of a small working task for this builder: its own task keys plus `seed_examples`
   * (generation) or inline `data` (transformation). `dgt init task` starts new task files from it,
   * so it must pass validation as it is.
   */
  readonly taskExample?: Record<string, unknown>;
  /**
   * Small files `taskExample` refers to (a corpus, say), keyed by their path relative to the task
   * file. `dgt init task` writes them beside the task it scaffolds.
   */
  readonly taskFiles?: Readonly<Record<string, string>>;
  call(batch: DataPoint[], ctx: GenerationContext): Promise<DataPoint[]>;
};

/** Any databuilder version the runner understands. */
export type Databuilder = DatabuilderV1;
