import { DgtError, defineBlock } from '@dgt/core';
import { z } from 'zod';
import { settleRows, textOf, validatorConfigShape } from './shared/validator.js';

/** Config of `length` (alias `length_filter`). */
export const lengthFilterConfigSchema = z.looseObject({
  ...validatorConfigShape,
  min: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('Fewest units a valid text has (inclusive).'),
  max: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('Most units a valid text has (inclusive).'),
  unit: z
    .enum(['chars', 'words', 'lines'])
    .default('chars')
    .describe('What is counted: `chars` (Unicode code points, default), `words` or `lines`.'),
});

/** Length of a text in the given unit. */
export function measure(text: string, unit: 'chars' | 'words' | 'lines'): number {
  if (unit === 'words') return text.split(/\s+/).filter(Boolean).length;
  if (unit === 'lines') return text === '' ? 0 : text.split(/\r?\n/).length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * `length` (alias `length_filter`): a row is valid when its `input` has between `min` and `max`
 * characters, words or lines.
 *
 * @example
 * blocks:
 *   - { name: not_too_short, type: length, min: 5, unit: words, filter: true, input_map: { answer: input } }
 */
export const lengthFilterBlock = defineBlock({
  role: 'validator',
  description: 'Keeps rows whose text length (chars, words or lines) is within min..max.',
  configSchema: lengthFilterConfigSchema,
  create(config) {
    if (config.min === undefined && config.max === undefined) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `block "${config.name}" (${config.type}): set min, max or both.`,
      );
    }
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows) {
        const reasons = rows.map((row) => {
          const length = measure(textOf(row.input), config.unit);
          if (config.min !== undefined && length < config.min)
            return `${length} ${config.unit}, fewer than the minimum ${config.min}`;
          if (config.max !== undefined && length > config.max)
            return `${length} ${config.unit}, more than the maximum ${config.max}`;
          return undefined;
        });
        return settleRows(rows, reasons, config.filter);
      },
    };
  },
});

export default lengthFilterBlock;
