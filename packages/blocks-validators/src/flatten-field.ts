import { defineBlock } from '@dgt/core';
import { z } from 'zod';

/** Config of `flatten_field`. */
export const flattenFieldConfigSchema = z.looseObject({
  /** The list field to flatten: a row holding a list of n items becomes n rows. */
  field: z.string().min(1),
  /** Where each item goes in its row (default: `field` itself). */
  output_field: z.string().min(1).optional(),
});

/**
 * `flatten_field`: a row whose `field` holds a list becomes one row per item (the other fields
 * copied), the item in `output_field`. A row whose field is not a list passes unchanged; a row
 * whose list is empty has nothing to pass on and is rejected with that reason.
 *
 * @example
 * blocks:
 *   - { name: one_per_question, type: flatten_field, field: questions, output_field: question }
 */
export const flattenFieldBlock = defineBlock({
  role: 'transform',
  description: 'Turns a row holding a list into one row per item.',
  configSchema: flattenFieldConfigSchema,
  create(config) {
    const target = config.output_field ?? config.field;
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'transform',
      type: config.type,
      name: config.name,
      async call(rows) {
        const out: typeof rows = [];
        const rejected = [];
        for (const row of rows) {
          const value = row[config.field];
          if (!Array.isArray(value)) {
            out.push(row);
          } else if (value.length === 0) {
            rejected.push({ row, reason: `field "${config.field}" is an empty list` });
          } else {
            for (const item of value) {
              const copy = { ...row };
              if (target !== config.field) delete copy[config.field];
              copy[target] = item;
              out.push(copy);
            }
          }
        }
        return { rows: out, rejected };
      },
    };
  },
});

export default flattenFieldBlock;
