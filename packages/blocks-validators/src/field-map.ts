import { defineBlock } from '@dgt/core';
import { z } from 'zod';

/** Config of `field_map`. */
export const fieldMapConfigSchema = z.looseObject({
  /**
   * Source field → target field. A source may be a dotted path into nested objects
   * (`reply.answer`); a missing source leaves the target unset.
   */
  field_map: z.record(z.string(), z.string()),
  /** Remove each source field after copying it (a rename). Default: keep it. */
  remove_source: z.boolean().default(false),
});

/** The value at a dotted path (`a.b.0.c`), or `undefined`. */
export function valueAtPath(row: Record<string, unknown>, path: string): unknown {
  if (path in row) return row[path];
  let node: unknown = row;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * `field_map`: copies (or, with `remove_source`, renames) fields of every row, reading nested
 * values by dotted path. Used between blocks whose field names differ.
 *
 * @example
 * blocks:
 *   - { name: rename, type: field_map, field_map: { "reply.answer": answer, prompt: question } }
 */
export const fieldMapBlock = defineBlock({
  role: 'transform',
  description: 'Copies or renames row fields (dotted paths read nested values).',
  configSchema: fieldMapConfigSchema,
  create(config) {
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'transform',
      type: config.type,
      name: config.name,
      async call(rows) {
        for (const row of rows) {
          const values = Object.entries(config.field_map).map(
            ([from, to]) => [from, to, valueAtPath(row, from)] as const,
          );
          if (config.remove_source) for (const [from] of values) delete row[from];
          for (const [, to, value] of values) if (value !== undefined) row[to] = value;
        }
        return { rows };
      },
    };
  },
});

export default fieldMapBlock;
