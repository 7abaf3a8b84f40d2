import { defineBlock } from '@dgt/core';
import { z } from 'zod';

/** Config of `answer_match`. */
export const answerMatchConfigSchema = z.looseObject({
  filter: z
    .boolean()
    .default(false)
    .describe('Drop rows whose answers differ (they go to `blocks/<name>.jsonl` with the reason).'),
  allow_suffix: z
    .boolean()
    .default(true)
    .describe('Also accept a final answer that ends with the reference (`… so the answer is 42`).'),
});

const NUMBER = /-?\d[\d,]*(?:\.\d+)?|-?\.\d+/g;

function asNumber(text: string): number | undefined {
  const cleaned = text
    .replace(/[$€£%]/g, '')
    .replace(/,(?=\d{3}\b)/g, '')
    .trim();
  return /^-?(?:\d+(?:\.\d+)?|\.\d+)$/.test(cleaned) ? Number(cleaned) : undefined;
}

/**
 * An answer reduced to what matters for comparing it: lower case, no Markdown emphasis, no
 * leading "the answer is" / "final answer:", no articles, no punctuation, single spaces.
 */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[*_`]/g, '')
    .replace(/^\s*(?:so,?\s+)?(?:the\s+)?(?:final\s+)?answer\s*(?:is|:)\s*/i, '')
    .replace(/\b(?:a|an|the)\b/g, ' ')
    .replace(/[^\p{L}\p{N}.\s-]|(?<!\d)\.|\.(?!\d)/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * True when a predicted final answer gives the reference answer: equal after
 * {@link normalizeAnswer}; for a numeric reference, the predicted text's last number is equal
 * (`1,000` = `1000.0`); for a lettered choice (`B) …`), the same letter; with `allowSuffix`, a
 * prediction that ends with the reference as whole words.
 */
export function answersMatch(predicted: string, reference: string, allowSuffix = true): boolean {
  const expected = normalizeAnswer(reference);
  const actual = normalizeAnswer(predicted);
  if (!expected || !actual) return false;
  if (actual === expected) return true;
  const number = asNumber(reference);
  if (number !== undefined) {
    const last = predicted.match(NUMBER)?.at(-1);
    return last !== undefined && Math.abs(Number(last.replace(/,/g, '')) - number) < 1e-9;
  }
  const letter = /^\s*\(?([A-Da-d])[).:]/.exec(reference)?.[1];
  if (letter && new RegExp(`^\\s*\\(?${letter}\\b`, 'i').test(predicted)) return true;
  return allowSuffix && actual.endsWith(` ${expected}`);
}

/**
 * `answer_match`: a validator comparing each row's `input` (a final answer, e.g. the end of a
 * chain of thought) with its `reference` (the known answer), by {@link answersMatch}. Rows whose
 * answers differ, or that have none, are invalid with a reason naming both.
 *
 * @example
 * blocks:
 *   - { name: answer_check, type: answer_match, filter: true, input_map: { reasoning_answer: input, answer: reference } }
 */
export const answerMatchBlock = defineBlock({
  role: 'validator',
  description: 'Keeps rows whose final answer (input) matches the known answer (reference).',
  configSchema: answerMatchConfigSchema,
  create(config) {
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows) {
        const kept: typeof rows = [];
        const rejected: { row: (typeof rows)[number]; reason: string }[] = [];
        for (const row of rows) {
          const predicted = typeof row.input === 'string' ? row.input : '';
          const reference = row.reference === undefined ? '' : String(row.reference);
          const reason = !predicted.trim()
            ? 'the reasoning gives no final answer'
            : answersMatch(predicted, reference, config.allow_suffix)
              ? undefined
              : `the reasoning ends in "${predicted.trim()}", not the given answer "${reference.trim()}"`;
          if (reason === undefined) {
            if (!config.filter) {
              row.is_valid = true;
              delete row.invalid_reason;
            }
            kept.push(row);
          } else if (config.filter) rejected.push({ row, reason });
          else {
            row.is_valid = false;
            row.invalid_reason = reason;
            kept.push(row);
          }
        }
        return { rows: kept, rejected };
      },
    };
  },
});
