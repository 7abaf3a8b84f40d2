import type { BlockConfig } from '../config/builder-schema.js';
import { PORTABLE_LM_KEYS } from '../contracts/v1/lm-block.js';

/** The run-wide engine flags: replace the provider of every LM block. */
export type EngineOverride = {
  type?: string;
  model?: string;
  baseUrl?: string;
  /** Request-cache policy for every LM block (`--no-cache` sets `off`). */
  cache?: 'on' | 'off' | 'read' | 'refresh';
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

/**
 * Merges an override into a builder config: top-level keys replace, `blocks` merge by `name`
 * (an override entry updates the block of that name, a new name is appended). When an override
 * changes a block's `type`, provider-specific keys of the old type are dropped.
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
      let current = blocks[index]!;
      if (patch.type !== undefined && patch.type !== current.type) {
        current = retype(current, patch.type, isLm(current.type) && isLm(patch.type));
      }
      blocks[index] = { ...current, ...patch };
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
  if (!engine.type && !engine.model && !engine.baseUrl && !engine.cache && !engine.maxConcurrency)
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
    if (engine.maxConcurrency) next = { ...next, max_concurrency: engine.maxConcurrency };
    return next;
  });
  return { ...config, blocks };
}
