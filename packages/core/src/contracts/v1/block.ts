import type { BlockCallEvent } from './block-events.js';
import type { BlockSettingsV1 } from './block-settings.js';
import type { BlockRow } from './data-point.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** What a block does, so the runner can treat LM providers and validators specially. */
export type BlockRole = 'lm' | 'validator' | 'transform';

/** A row a block rejected, with the reason; the runner writes it to the task's reject store. */
export type RejectedRow = { row: BlockRow; reason: string };

/** What one call of a block returns. */
export type BlockOutput = {
  /** The rows that pass on: the same objects the block was given, with its outputs written on. */
  rows: BlockRow[];
  /** Rows the block dropped (validators with `filter: true`), each with its reason. */
  rejected?: RejectedRow[];
};

/** Context of one block call: cancellation and a way to report what happened. */
export type BlockCallContext = {
  /** Aborted when the run stops (Ctrl-C, fatal error); long calls should give up promptly. */
  signal?: AbortSignal;
  /** Reports events (LM requests, batches, warnings) to the runner. */
  emit(event: BlockCallEvent): void;
  /**
   * The output folder of a task of this run, for state a block keeps per task (e.g. a dedup
   * index in `<taskDir>/blocks/`): it is wiped by `--restart` and kept on resume. `undefined`
   * for a task the run does not know.
   */
  taskDir?(taskName: string): string | undefined;
  /**
   * `postprocess` when the runner calls the block as a postprocessor, over every accepted record
   * of a task at once (a dedup block then compares the rows with each other only, not with the
   * records it has already seen); `attempt` (or absent) inside a builder call.
   */
  phase?: 'attempt' | 'postprocess';
  /**
   * Tells the runner what a row went through (for the per-record `provenance.jsonl`): LM blocks
   * note each request they make for a row. Optional: absent outside a run, and a block that
   * never calls it only loses per-record detail (its requests still count for the attempt).
   */
  note?(row: BlockRow, note: RowNote): void;
  /**
   * Aborted when the run is stopping gracefully (first Ctrl-C): start no new work (an LM block
   * sends no new request, and rejects the call with the abort reason if some of its rows were
   * never sent); work already under way finishes. `signal` is the hard stop.
   */
  stopSignal?: AbortSignal;
  /**
   * The unit of work the call belongs to (one attempt of a task), the same object for every
   * block call of that unit. `id` is stable when the unit runs again after a resume and is never
   * reused for a unit whose results were kept: a block that caches replies by request content
   * (the LM request cache) keys identical requests by `id` and their order within the unit, so a
   * rerun of an unfinished unit finds its answers again while a new unit gets fresh ones.
   */
  scope?: { readonly id: string };
};

/** One LM request made for a row, as noted through {@link BlockCallContext.note}. */
export type RowNote = {
  kind: 'lm-request';
  block: string;
  provider: string;
  model: string;
  /** The request cache key (present when the cache is on). */
  cacheKey?: string;
  /** sha256 of the request as sent (model, messages, parameters). */
  requestHash?: string;
  ok: boolean;
  cached: boolean;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
  durationMs: number;
  retries: number;
  /** The prompt as sent (chat messages or text). */
  prompt?: unknown;
  /** The reply text. */
  response?: string;
  error?: string;
};

/**
 * How much more work a block could start right now (see {@link BlockV1.capacity}). Units are the
 * block's own (an LM block counts requests).
 */
export type BlockCapacity = {
  /** Units the block could start at once without waiting (free slots under its limits). */
  free: number;
  /** Units already waiting inside the block for a slot. */
  queued: number;
  /**
   * Units the block runs at once when full (an LM block: its concurrency limit). With it, the
   * runner keeps a few units waiting (an eighth of `limit`), so a freed slot is taken at once
   * by the block itself rather than after the runner has started more work; without it, the
   * runner admits only while nothing waits.
   */
  limit?: number;
};

/** Context given to a block factory when a builder is initialised. */
export type BlockInitContext = {
  /** The folder the run writes to (for caches or indexes a block keeps beside the outputs). */
  outputDir: string;
  /** Environment used for fallbacks (API keys, hosts); `process.env` unless a test replaces it. */
  env: Record<string, string | undefined>;
  /**
   * Creates another block from a config mapping (`{type, …}`), through the run's plugins, for
   * blocks built on other blocks (an LLM judge calling any LM block). The run-wide engine flags
   * apply to it as to the builder's own LM blocks; the run closes it.
   */
  createBlock?(config: { type: string; name?: string; [key: string]: unknown }): Promise<BlockV1>;
  /**
   * Why the block is created. `run` (or absent): it will be called. `check`: the block is created
   * only to validate its configuration (`dgt validate`) and closed again without a call; it must
   * not open caches, files or connections, but should still throw the errors it would throw for
   * a run (missing key, missing SDK, bad URL).
   */
  purpose?: 'run' | 'check';
  /**
   * The URL of the store every process of the run shares (a Redis URL: the run's `--queue`, or
   * `DGT_QUEUE_URL`), when the run has one. Blocks keep there the state that must hold across
   * processes and machines (rate limits, caches); without it a block keeps such state in its
   * own process. May carry a password: never print it.
   */
  sharedStateUrl?: string;
};

/**
 * A configured, ready-to-call block instance (contract v1). Blocks receive rows, write their
 * outputs onto those same row objects, and return the rows that pass.
 */
export type BlockV1 = BlockBrand & BlockImplementationV1;

/** The fields core adds to what a block's `create` returns (see {@link BlockImplementationV1}). */
export type BlockBrand = {
  readonly specificationVersion: 'v1';
  readonly kind: 'block';
  /** The role of the block's definition. */
  readonly role: BlockRole;
  /** The block type id, e.g. `openai` or `rouge_scorer`. */
  readonly type: string;
  /** The instance name from the builder YAML, e.g. `generator`. */
  readonly name: string;
};

/**
 * What a block definition's `create` returns: the behaviour only. Core adds the brand, `role`,
 * `type` and `name` (from the definition and the config); an instance that already carries them
 * (plugins written before this was so) is used as it is.
 */
export type BlockImplementationV1 = {
  call(
    rows: BlockRow[],
    options: Record<string, unknown> | undefined,
    ctx: BlockCallContext,
  ): Promise<BlockOutput>;
  /** Releases sockets, files and timers. */
  close?(): Promise<void>;
  /**
   * Optional load signal for the runner's admission: how many more units of work the block could
   * start now. The runner starts new attempts while the blocks that report it have free room and
   * nothing queued, so a rate- or concurrency-limited block (an LM server) is kept exactly full;
   * when no block of a builder reports it, a fixed number of attempts runs at once.
   */
  capacity?(): BlockCapacity;
};

/**
 * A block type as a plugin exports it (contract v1): a Standard Schema for its YAML configuration
 * (a zod 4 schema is one) and a factory. The config given to `create` has been validated through
 * `configSchema['~standard'].validate`, with the common block keys (`name`, `type`, `input_map`,
 * `output_map`, `filter`) already handled by the runner but still present.
 */
export type BlockDefinitionV1<Schema extends StandardSchemaV1 = StandardSchemaV1> = {
  readonly specificationVersion: 'v1';
  readonly kind: 'block-definition';
  readonly role: BlockRole;
  /** One-line description shown by `dgt list`. */
  readonly description?: string;
  readonly configSchema: Schema;
  /**
   * How the block's YAML keys behave beyond the schema: run-wide flags, override merging, keys
   * checked for typos (see {@link BlockSettingsV1}). Optional.
   */
  readonly settings?: BlockSettingsV1;
  create(
    config: StandardSchemaV1.InferOutput<Schema> & { name: string; type: string },
    ctx: BlockInitContext,
  ): BlockImplementationV1 | Promise<BlockImplementationV1>;
};

/** Any block definition version the runner understands. */
export type BlockDefinition = BlockDefinitionV1<any>;
/** Any block instance version the runner understands. */
export type Block = BlockV1;
