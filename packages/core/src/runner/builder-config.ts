import type { BlockSettingsV1, RunSettings } from '../contracts/v1/block-settings.js';
import type { BlockConfig } from '../contracts/v1/builder-config.js';

/** The run-wide engine flags (`--engine`, `--model`, …), as core passes them to blocks. */
export type EngineOverride = RunSettings;

/** The settings a block type declares (`BlockDefinitionV1.settings`), by type; unknown types give none. */
export type SettingsOf = (type: string) => BlockSettingsV1 | undefined;

type Config = Record<string, unknown> & { blocks?: unknown };

// Keys a block keeps when its `type` changes: everything else belonged to the old type (e.g.
// one server's own parameter would be rejected by another's), unless the family says otherwise.
const ALWAYS_KEPT = new Set(['name', 'type', 'input_map', 'output_map', 'filter']);

function sameFamily(from: string, to: string, settingsOf: SettingsOf): boolean {
  const family = settingsOf(from)?.family;
  return family !== undefined && family === settingsOf(to)?.family;
}

function retype(block: BlockConfig, type: string, settingsOf: SettingsOf): BlockConfig {
  const portable = new Set(
    sameFamily(block.type, type, settingsOf) ? (settingsOf(type)?.portableKeys ?? []) : [],
  );
  const kept = Object.entries(block).filter(([key]) => ALWAYS_KEPT.has(key) || portable.has(key));
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
 * Applies one override entry to a block: keys replace, whatever spelling either side used (as
 * the block type declares its spellings); a new `type` drops the old type's own keys; the config
 * of another block that this one holds (its `nestedBlockKeys`, a judge's `lm:`) is merged the
 * same way, so an override naming only its `type` and model keeps the default's other keys.
 */
function mergeBlock(current: BlockConfig, patch: BlockConfig, settingsOf: SettingsOf): BlockConfig {
  let next = current;
  if (patch.type !== undefined && patch.type !== next.type) {
    next = retype(next, patch.type, settingsOf);
  }
  const settings = settingsOf(String(patch.type ?? next.type));
  const nested = settings?.nestedBlockKeys ?? [];
  const replaced = otherSpellings(patch, settings?.spellings ?? []);
  const nestedKey = nested.find((key) => isObject(patch[key]));
  const nestedBase = nested.map((key) => next[key]).find(isObject);
  next = withoutKeys(next, replaced);
  const merged: BlockConfig = { ...next, ...patch };
  if (nestedKey && nestedBase) {
    const nestedPatch = patch[nestedKey] as BlockConfig;
    merged[nestedKey] = mergeBlock(nestedBase as BlockConfig, nestedPatch, settingsOf);
  }
  return merged;
}

/**
 * Merges an override into a builder config: top-level keys replace, `blocks` merge by `name`
 * (an override entry updates the block of that name, a new name is appended). When an override
 * changes a block's `type`, keys of the old type are dropped (but those its family shares). Keys
 * written in another spelling the block type declares replace the default's.
 */
export function mergeBuilderConfig(base: Config, override: Config, settingsOf: SettingsOf): Config {
  const merged: Config = { ...base, ...override };
  if (Array.isArray(override.blocks)) {
    const blocks = [...((base.blocks as BlockConfig[] | undefined) ?? [])];
    for (const patch of override.blocks as BlockConfig[]) {
      const index = blocks.findIndex((b) => b.name === patch.name);
      if (index === -1) {
        blocks.push(patch);
        continue;
      }
      blocks[index] = mergeBlock(blocks[index]!, patch, settingsOf);
    }
    merged.blocks = blocks;
  }
  return merged;
}

const hasAny = (settings: RunSettings) =>
  Object.values(settings).some((value) => value !== undefined && value !== false);

/**
 * Applies the run-wide settings to every block of a builder config whose type belongs to a
 * family: `--engine` moves the blocks of the engine type's family to it (keeping the family's
 * portable keys), then the block type's `applyRunSettings` says what the flags mean for it.
 * Blocks of no family are left as they are.
 */
export function applyRunSettings(
  config: Config,
  settings: RunSettings,
  settingsOf: SettingsOf,
  stage: 'run' | 'after-overrides' = 'run',
): Config {
  if (!hasAny(settings) || !Array.isArray(config.blocks)) return config;
  const blocks = (config.blocks as BlockConfig[]).map((block) => {
    if (typeof block?.type !== 'string' || settingsOf(block.type)?.family === undefined)
      return block;
    const moves = settings.type !== undefined && sameFamily(block.type, settings.type, settingsOf);
    let next = block;
    if (moves && stage === 'run' && settings.type !== block.type)
      next = retype(block, settings.type!, settingsOf);
    const { type: _engine, ...rest } = settings;
    const apply = settingsOf(next.type)?.applyRunSettings;
    return apply ? apply(next, moves ? settings : rest, stage) : next;
  });
  return { ...config, blocks };
}
