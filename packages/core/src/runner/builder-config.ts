import type { BlockConfig } from '../config/builder-schema.js';
import { LM_KEY_SPELLINGS, NESTED_LM_KEYS, PORTABLE_LM_KEYS } from '../contracts/v1/lm-block.js';

/** The run-wide engine flags: replace the provider of every LM block. */
export type EngineOverride = {
  type?: string;
  model?: string;
  baseUrl?: string;
  /** Request-cache policy for every LM block (`--no-cache` sets `off`). */
  cache?: 'on' | 'off' | 'read' | 'refresh';
  /** Send every LM block's requests through its provider's Batch API (`--batch`). */
  batch?: boolean;
  /** With `batch`: the per-task budget a batch must not be able to pass (`--max-cost`). */
  batchMaxCostUsd?: number;
  /** Requests each LM block may have in flight at once (`--max-concurrency`). */
  maxConcurrency?: number;
};

type Config = Record<string, unknown> & { blocks?: unknown };

// Keys a block keeps when its `type` changes: everything else belonged to the old provider
// (e.g. Ollama's `num_ctx` would be rejected by an OpenAI server).
const ALWAYS_KEPT = new Set(['name', 'type', 'input_map', 'output_map', 'filter']);

function retype(block: BlockConfig, type: string, lm: boolean): BlockConfig {
  const kept = Object.entries(block).filter(
    ([key]) =>
      ALWAYS_KEPT.has(key) || (lm && (PORTABLE_LM_KEYS as readonly string[]).includes(key)),
  );
  return { ...Object.fromEntries(kept), type } as BlockConfig;
}

/** The other spellings of each key `patch` sets (`max_new_tokens` → `max_tokens`, …). */
function otherSpellings(patch: Record<string, unknown>, groups: readonly (readonly string[])[]) {
  const others = new Set<string>();
  for (const key of Object.keys(patch)) {
    const group = groups.find((g) => g.includes(key));
    for (const other of group ?? []) if (other !== key && !(other in patch)) others.add(other);
  }
  return others;
}

const withoutKeys = (config: BlockConfig, keys: ReadonlySet<string>): BlockConfig =>
  Object.fromEntries(Object.entries(config).filter(([key]) => !keys.has(key))) as BlockConfig;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Applies one override entry to a block: keys replace, whatever spelling either side used
 * (`lm_config` ≡ `lm`, `max_new_tokens` ≡ `max_tokens`, …); a new `type` drops the old
 * provider's own keys; the LM config a judge or tagger holds (`lm`/`lm_config`) is merged the
 * same way, so an override naming only its `type` and model keeps the default's temperature.
 */
function mergeBlock(
  current: BlockConfig,
  patch: BlockConfig,
  isLm: (type: string) => boolean,
): BlockConfig {
  let next = current;
  if (patch.type !== undefined && patch.type !== next.type) {
    next = retype(next, patch.type, isLm(next.type) && isLm(patch.type));
  }
  const lm = isLm(String(patch.type ?? next.type));
  const replaced = otherSpellings(
    patch,
    lm ? [...LM_KEY_SPELLINGS, NESTED_LM_KEYS] : [NESTED_LM_KEYS],
  );
  const nestedKey = NESTED_LM_KEYS.find((key) => isObject(patch[key]));
  const nestedBase = NESTED_LM_KEYS.map((key) => next[key]).find(isObject);
  next = withoutKeys(next, replaced);
  const merged: BlockConfig = { ...next, ...patch };
  if (nestedKey && nestedBase) {
    const nestedPatch = patch[nestedKey] as BlockConfig;
    merged[nestedKey] = mergeBlock(nestedBase as BlockConfig, nestedPatch, isLm);
  }
  return merged;
}

/**
 * Merges an override into a builder config: top-level keys replace, `blocks` merge by `name`
 * (an override entry updates the block of that name, a new name is appended). When an override
 * changes a block's `type`, provider-specific keys of the old type are dropped. Keys written in
 * another of DiGiT's spellings replace the default's (see {@link LM_KEY_SPELLINGS}).
 */
export function mergeBuilderConfig(
  base: Config,
  override: Config,
  isLm: (type: string) => boolean,
): Config {
  const merged: Config = { ...base, ...override };
  if (Array.isArray(override.blocks)) {
    const blocks = [...((base.blocks as BlockConfig[] | undefined) ?? [])];
    for (const patch of override.blocks as BlockConfig[]) {
      const index = blocks.findIndex((b) => b.name === patch.name);
      if (index === -1) {
        blocks.push(patch);
        continue;
      }
      blocks[index] = mergeBlock(blocks[index]!, patch, isLm);
    }
    merged.blocks = blocks;
  }
  return merged;
}

/**
 * Points every LM block of a builder config at the engine given on the command line. Without
 * `model`, the old model id is dropped (it named a model of another provider).
 */
export function applyEngineOverride(
  config: Config,
  engine: EngineOverride,
  isLm: (type: string) => boolean,
): Config {
  if (
    !engine.type &&
    !engine.model &&
    !engine.baseUrl &&
    !engine.cache &&
    !engine.batch &&
    !engine.maxConcurrency
  )
    return config;
  const blocks = ((config.blocks as BlockConfig[] | undefined) ?? []).map((block) => {
    if (!isLm(block.type)) return block;
    let next: BlockConfig = block;
    if (engine.type && engine.type !== block.type) {
      next = retype(block, engine.type, true);
    }
    if (engine.type && !engine.model && engine.type !== block.type) {
      const { model_id_or_path: _m, model: _n, ...rest } = next;
      next = rest as BlockConfig;
    }
    if (engine.model) next = { ...next, model_id_or_path: engine.model };
    if (engine.baseUrl) next = { ...next, base_url: engine.baseUrl };
    if (engine.cache) next = { ...next, cache: engine.cache };
    if (engine.batch) next = { ...next, batch: true };
    if (engine.batch && engine.batchMaxCostUsd !== undefined)
      next = { ...next, batch_max_cost_usd: engine.batchMaxCostUsd };
    if (engine.maxConcurrency) next = { ...next, max_concurrency: engine.maxConcurrency };
    return next;
  });
  return { ...config, blocks };
}

/**
 * Gives `--base-url` back to the LM blocks an override re-typed (a new type drops the old
 * provider's keys, `base_url` among them); a block whose override sets its own URL keeps it.
 */
export function keepEngineBaseUrl(
  config: Config,
  engine: EngineOverride,
  isLm: (type: string) => boolean,
): Config {
  if (!engine.baseUrl || !Array.isArray(config.blocks)) return config;
  const blocks = (config.blocks as BlockConfig[]).map((block) =>
    isLm(block.type) && block.base_url === undefined
      ? { ...block, base_url: engine.baseUrl }
      : block,
  );
  return { ...config, blocks };
}
