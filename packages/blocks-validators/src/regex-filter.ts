import { DgtError, defineBlock } from '@dgt/core';
import { z } from 'zod';
import { settleRows, textOf, validatorConfigShape } from './shared/validator.js';

/** Config of `regex` (alias `regex_filter`). */
export const regexFilterConfigSchema = z.looseObject({
  ...validatorConfigShape,
  pattern: z
    .string()
    .describe(
      'A JavaScript regular expression, searched anywhere in the text (anchor it with ^…$).',
    ),
  flags: z.string().default('').describe('Regular-expression flags, e.g. `i`, `s`, `m`, `u`.'),
  invert: z
    .boolean()
    .default(false)
    .describe('Invert: rows that match are the invalid ones (a blocklist).'),
});

/**
 * `regex` (alias `regex_filter`): a row is valid when its `input` matches `pattern` (or, with
 * `invert: true`, when it does not).
 *
 * @example
 * blocks:
 *   - { name: no_refusals, type: regex, pattern: "as an ai (language )?model", flags: i, invert: true, filter: true }
 */
export const regexFilterBlock = defineBlock({
  role: 'validator',
  description: 'Keeps rows that match a regular expression (or, inverted, that do not).',
  configSchema: regexFilterConfigSchema,
  create(config) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(config.pattern, config.flags.replace(/[gy]/g, ''));
    } catch (cause) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `block "${config.name}" (${config.type}): pattern ${JSON.stringify(config.pattern)} is not a valid regular expression: ${(cause as Error).message}.`,
        { cause },
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
          const matches = pattern.test(textOf(row.input));
          if (matches === !config.invert) return undefined;
          return matches ? `matches ${pattern}` : `does not match ${pattern}`;
        });
        return settleRows(rows, reasons, config.filter);
      },
    };
  },
});

export default regexFilterBlock;
