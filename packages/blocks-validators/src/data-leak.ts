import { defineBlock } from '@dgt/core';
import { z } from 'zod';
import { preview, settleRows, textOf, validatorConfigShape } from './shared/validator.js';

/** Config of `validators/data_leak` (alias `data_leak`). */
export const dataLeakConfigSchema = z.looseObject({
  ...validatorConfigShape,
  /** Texts nothing may copy from, besides each row's own `reference` field. */
  references: z.array(z.string()).default([]),
  /** Length, in words, of the word sequences compared (default 8). */
  ngram: z.number().int().min(2).default(8),
  /**
   * A row is a leak when at least this fraction of its word sequences appear in one reference
   * (default 0.3); a text shorter than `ngram` words is compared whole.
   */
  threshold: z.number().min(0).max(1).default(0.3),
});

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** The set of `n`-word sequences of a text (the whole text when it is shorter). */
export function wordGrams(text: string, n: number): Set<string> {
  const list = words(text);
  if (list.length === 0) return new Set();
  if (list.length < n) return new Set([list.join(' ')]);
  const grams = new Set<string>();
  for (let i = 0; i + n <= list.length; i++) grams.add(list.slice(i, i + n).join(' '));
  return grams;
}

/** Fraction of `output`'s grams found in `reference`'s. */
export function copiedFraction(output: Set<string>, reference: Set<string>): number {
  if (output.size === 0) return 0;
  let shared = 0;
  for (const gram of output) if (reference.has(gram)) shared++;
  return shared / output.size;
}

/**
 * `validators/data_leak` (alias `data_leak`): rejects a row whose `input` copies a reference
 * verbatim — the seed examples, a grounding document, a test set — measured as the fraction of
 * its `ngram`-word sequences found in one reference. References are the row's `reference` field
 * (a text or a list of texts, brought in with `input_map`) and the config's `references`.
 *
 * @example
 * blocks:
 *   - name: no_copying
 *     type: validators/data_leak
 *     filter: true
 *     input_map: { answer: input, document: reference }
 */
export const dataLeakBlock = defineBlock({
  role: 'validator',
  description: 'Rejects rows that copy a reference text (word n-gram overlap above a threshold).',
  configSchema: dataLeakConfigSchema,
  create(config) {
    const fixed = config.references.map((text) => ({ text, grams: wordGrams(text, config.ngram) }));
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows) {
        const reasons = rows.map((row) => {
          const output = wordGrams(textOf(row.input), config.ngram);
          const own = (Array.isArray(row.reference) ? row.reference : [row.reference])
            .filter((value) => value !== undefined && value !== null)
            .map((value) => {
              const text = textOf(value);
              return { text, grams: wordGrams(text, config.ngram) };
            });
          for (const reference of [...own, ...fixed]) {
            const fraction = copiedFraction(output, reference.grams);
            if (fraction >= config.threshold && fraction > 0) {
              return `${Math.round(fraction * 100)}% of its ${config.ngram}-word sequences copy the reference "${preview(reference.text)}" (threshold ${Math.round(config.threshold * 100)}%)`;
            }
          }
          return undefined;
        });
        return settleRows(rows, reasons, config.filter);
      },
    };
  },
});

export default dataLeakBlock;
