import type { BlockConfig } from './builder-config.js';

/**
 * The run-wide settings given on the command line (`--engine`, `--model`, `--base-url`,
 * `--max-concurrency`, `--no-cache`, `--batch`, `--max-cost`). Core knows only these flags; the
 * blocks that take them say, through {@link BlockSettingsV1.applyRunSettings}, what they mean
 * for their config.
 */
export type RunSettings = {
  /** `--engine`: the block type every block of that type's family becomes. */
  type?: string;
  /** `--model`. */
  model?: string;
  /** `--base-url`. */
  baseUrl?: string;
  /** `--no-cache` sets `off`. */
  cache?: 'on' | 'off' | 'read' | 'refresh';
  /** `--batch`. */
  batch?: boolean;
  /** `--max-cost`, with `--batch`: the per-task budget a batch must not be able to pass. */
  batchMaxCostUsd?: number;
  /** `--max-concurrency`. */
  maxConcurrency?: number;
};

/**
 * When core applies run-wide settings to a block entry: `run` to the builder's own entries
 * (before override files), `after-overrides` once override files are merged (an override may
 * have changed the entry's type and with it dropped keys a flag had set).
 */
export type RunSettingsStage = 'run' | 'after-overrides';

/**
 * What a block type declares about its YAML settings beyond its config schema (all optional).
 * Core uses it, never a list of its own, to apply the run-wide flags, to merge override files and
 * to report misspelled keys; an LM provider package shares one such value across its blocks.
 */
export type BlockSettingsV1 = {
  /**
   * Block types of one family take the run-wide settings and may replace one another: `--engine`
   * moves every block of the engine type's family to it, and an override changing a block's type
   * within its family keeps the {@link portableKeys}.
   */
  readonly family?: string;
  /** Keys a block keeps when its type changes to another type of its family. */
  readonly portableKeys?: readonly string[];
  /**
   * Spellings of one setting (canonical first): a key written in an override file in one
   * spelling replaces the value the default set in another.
   */
  readonly spellings?: readonly (readonly string[])[];
  /** Keys the block accepts that its schema does not list; misspellings of them are reported. */
  readonly knownKeys?: readonly string[];
  /** Keys passed on as they are (server parameters): never reported, whatever they resemble. */
  readonly passThroughKeys?: readonly string[];
  /**
   * Who receives the unknown keys the schema keeps, for the misspelling warning ("It is passed
   * to the provider as is."); `the block` when absent.
   */
  readonly extraKeysReach?: string;
  /** Keys holding another block's config (a judge's `lm:`): override files merge into them. */
  readonly nestedBlockKeys?: readonly string[];
  /**
   * Returns the block entry with the run-wide settings applied (see {@link RunSettingsStage}).
   * Called only for blocks of a family, and with `settings.type` only when it names a type of
   * this family. Must not change the entry given.
   */
  applyRunSettings?(
    config: BlockConfig,
    settings: RunSettings,
    stage: RunSettingsStage,
  ): BlockConfig;
};
