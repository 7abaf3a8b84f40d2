import { extractJson, type LmRow } from '@dgt/core';

/**
 * The JSON value of a model's reply: the structured-output value when the provider returned one
 * that matched the schema, else the first JSON object or array found in the text (the whole
 * reply, a ```json fence, or the first balanced braces/brackets: core's shared reply parser).
 * `undefined` when there is none.
 */
export function structuredReply(row: Pick<LmRow, 'parsed' | 'result'>): unknown {
  if (row.parsed !== undefined && row.parsed !== null) return row.parsed;
  return extractJson(row.result ?? '');
}

/**
 * The list of items in a structured reply: the reply itself when it is a list, else the first
 * list-valued property among `keys` (e.g. `pairs`), else a single object as a one-item list.
 */
export function replyItems(value: unknown, keys: readonly string[]): Record<string, unknown>[] {
  const objects = (list: unknown[]) =>
    list.filter(
      (item): item is Record<string, unknown> =>
        item !== null && typeof item === 'object' && !Array.isArray(item),
    );
  if (Array.isArray(value)) return objects(value);
  if (value === null || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  for (const key of keys) {
    if (Array.isArray(object[key])) return objects(object[key] as unknown[]);
  }
  return [object];
}
