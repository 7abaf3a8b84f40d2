import { blockConfigSchema } from '../config/builder-schema.js';
import type { BlockDefinition } from '../contracts/v1/block.js';
import { nearestNames } from '../util/nearest-names.js';

// Block schemas are loose on purpose (DiGiT files carry keys we do not model, and some blocks pass
// unknown keys on to a server), so a typo such as `temprature:` would pass silently. This module
// finds the unknown keys that look like misspellings of known ones, for a warning, never an error.
// Which keys a block knows beyond its schema, and which it passes on, the block type declares
// (`BlockDefinitionV1.settings`); core lists none of its own.

/** Keys every block entry may carry: the runner's own, and DiGiT's older common block keys. */
const COMMON_BLOCK_KEYS = [
  ...Object.keys(blockConfigSchema.shape),
  'arg_fields',
  'kwarg_fields',
  'result_field',
  'description',
];

/** Lower case without separators, so `maxTokens`, `max-tokens` and `max_tokens` compare equal. */
function normalize(key: string): string {
  return key.toLowerCase().replace(/[\s_.-]+/g, '');
}

/** Edit distance counting a swap of two neighbouring letters as one edit (`tmeperature`). */
function typoDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * How many edits still read as a typo of `known`: short keys are too easily one letter from an
 * unrelated word (`n`, `seed`), so they only match case or separator variants or one edit.
 */
function allowedEdits(known: string): number {
  const length = normalize(known).length;
  if (length <= 3) return 0;
  return length < 10 ? 1 : 2;
}

/**
 * The known keys that `key` is most likely a misspelling of, best first; empty when it is not a
 * near miss of any (then it is a deliberate extra key and stays silent). Keys in `never` (a
 * block's pass-through parameters) are never near misses, in any spelling.
 *
 * @example
 * nearMisses('temprature', ['temperature', 'top_p']); // ['temperature']
 * nearMisses('top_k', ['temperature', 'top_p'], ['top_k']); // [] (passed on on purpose)
 */
export function nearMisses(
  key: string,
  known: Iterable<string>,
  never: Iterable<string> = [],
): string[] {
  const knownKeys = new Set(known);
  const normalized = normalize(key);
  const passedOn = new Set([...never].map(normalize));
  if (knownKeys.has(key) || normalized === '' || passedOn.has(normalized)) return [];
  // nearestNames is deliberately generous (it is used for ids); keep only real typo distances.
  const scored = nearestNames(key, knownKeys, knownKeys.size)
    .map((candidate) => ({ candidate, edits: typoDistance(normalized, normalize(candidate)) }))
    .filter(({ candidate, edits }) => edits <= allowedEdits(candidate));
  const best = Math.min(...scored.map((s) => s.edits));
  return scored.filter((s) => s.edits === best).map((s) => s.candidate);
}

type SchemaDef = {
  type?: string;
  shape?: Record<string, unknown>;
  in?: unknown;
  out?: unknown;
  innerType?: unknown;
  left?: unknown;
  right?: unknown;
  options?: unknown[];
};

// Wrappers whose accepted keys are those of the schema they wrap.
const WRAPPERS = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'readonly',
  'catch',
  'nonoptional',
]);

/**
 * The top-level keys an object schema accepts, looking through the common zod wrappers (pipe and
 * preprocess, default, optional, nullable, readonly, catch, intersection, union). `undefined`
 * when they cannot be determined (a record, a lazy schema, a schema from another library): then
 * nothing is reported for it.
 */
export function schemaKeys(schema: unknown, depth = 0): Set<string> | undefined {
  if (depth > 16 || schema === null || typeof schema !== 'object') return undefined;
  const def = (schema as { _zod?: { def?: SchemaDef } })._zod?.def;
  if (!def) {
    // Not a zod 4 schema; an object schema of another version still exposes `shape`.
    const shape = (schema as { shape?: unknown }).shape;
    return shape && typeof shape === 'object' ? new Set(Object.keys(shape)) : undefined;
  }
  if (def.type === 'object' && def.shape) return new Set(Object.keys(def.shape));
  if (def.type === 'pipe') {
    // The input side is what the user writes; a preprocess step has no keys, so then read the
    // schema it feeds.
    return schemaKeys(def.in, depth + 1) ?? schemaKeys(def.out, depth + 1);
  }
  if (def.type && WRAPPERS.has(def.type)) return schemaKeys(def.innerType, depth + 1);
  const parts =
    def.type === 'intersection'
      ? [def.left, def.right]
      : def.type === 'union'
        ? (def.options ?? [])
        : undefined;
  if (!parts) return undefined;
  const keys = new Set<string>();
  for (const part of parts) {
    const partKeys = schemaKeys(part, depth + 1);
    if (!partKeys) return undefined;
    for (const key of partKeys) keys.add(key);
  }
  return keys;
}

/**
 * The keys a block of this type knows: its schema's, the common block keys, and those its
 * settings declare (known keys, portable keys, every spelling, nested block keys). `undefined`
 * when the schema's keys are unknown.
 */
export function knownBlockKeys(definition: BlockDefinition): Set<string> | undefined {
  const own = schemaKeys(definition.configSchema);
  if (!own) return undefined;
  const settings = definition.settings;
  return new Set([
    ...own,
    ...COMMON_BLOCK_KEYS,
    ...(settings?.knownKeys ?? []),
    ...(settings?.portableKeys ?? []),
    ...(settings?.spellings ?? []).flat(),
    ...(settings?.nestedBlockKeys ?? []),
  ]);
}

/** One block of a builder config, as {@link unknownKeyWarnings} checks it. */
export type BlockKeyCheck = {
  /** The block entry as written (overrides merged), before its schema parsed it. */
  config: Record<string, unknown> & { name: string; type: string };
  definition: BlockDefinition;
  /** What the block's schema made of the entry: a key kept there reaches the block. */
  parsed: unknown;
  /** `file:line` of a key of this block entry. */
  where(key: string): string;
};

/**
 * Warnings for the keys of a block entry that its type does not know but that look like typos of
 * keys it does (`temprature` for `temperature`). Unknown keys that resemble nothing stay silent:
 * DiGiT files carry keys we do not model, and some blocks pass extra keys on to a server.
 */
export function unknownKeyWarnings(check: BlockKeyCheck): string[] {
  const known = knownBlockKeys(check.definition);
  if (!known) return [];
  const { config, definition, parsed } = check;
  const warnings: string[] = [];
  for (const key of Object.keys(config)) {
    if (known.has(key)) continue;
    const suggestions = nearMisses(key, known, definition.settings?.passThroughKeys);
    if (suggestions.length === 0) continue;
    const receiver = definition.settings?.extraKeysReach;
    const passedOn =
      receiver !== undefined &&
      parsed !== null &&
      typeof parsed === 'object' &&
      Object.hasOwn(parsed, key);
    const fate = passedOn ? `It is passed to ${receiver} as is.` : 'It is ignored.';
    const guess = suggestions.map((s) => `"${s}"`).join(' or ');
    warnings.push(
      `${check.where(key)} block "${config.name}" (${config.type}): unknown key "${key}" — did you mean ${guess}? ${fate}`,
    );
  }
  return warnings;
}
