import { defineBlock } from '@dgt/core';
import { z } from 'zod';
import { createDedupBlock, type DedupMethod, dedupConfigShape } from './dedup/dedup-runner.js';
import {
  createTokenizer,
  RougeIndex,
  type RougeItem,
  type RougeType,
  type ScoreFunc,
} from './dedup/rouge.js';
import { validatorConfigShape } from './shared/validator.js';

const ALIASES: Record<string, RougeType> = { rougeL: 'lcs', rougel: 'lcs', l: 'lcs' };

/** `lcs`, `n_1`…`n_9` (DiGiT's names), or rouge_score's `rougeL`, `rouge1`…`rouge9`. */
const rougeTypeSchema = z
  .string()
  .transform((value) => ALIASES[value] ?? value.replace(/^rouge(\d)$/i, 'n_$1'))
  .pipe(
    z.custom<RougeType>((value) => /^(lcs|n_[1-9])$/.test(String(value)), {
      message: 'expected lcs, n_1 … n_9, rougeL or rouge1 … rouge9',
    }),
  );

/** Config of `rouge_scorer` (alias `rouge_dedup`), with DiGiT's option names. */
export const rougeScorerConfigSchema = z.looseObject({
  ...validatorConfigShape,
  ...dedupConfigShape,
  /**
   * A row is a duplicate when its score against an earlier record is ≥ `threshold`. Above 1
   * (DiGiT's default, 1.1, also for `null`) nothing is removed.
   */
  threshold: z
    .number()
    .nullable()
    .default(1.1)
    .transform((value) => value ?? 1.1),
  score_func: z
    .enum(['f1', 'precision', 'recall'])
    .default('f1')
    .describe('`f1` (default), `precision` or `recall`.'),
  rouge_types: z
    .array(rougeTypeSchema)
    .min(1)
    .optional()
    .describe("Scores averaged into the score (DiGiT's `rouge_types`); default `[lcs]` (ROUGE-L)."),
  rouge_type: rougeTypeSchema
    .optional()
    .describe('One score type, as rouge_score users write it (`rougeL`, `rouge2`).'),
});

type RougeConfig = z.output<typeof rougeScorerConfigSchema>;

function rougeMethod(config: RougeConfig): DedupMethod<RougeItem> {
  const types = config.rouge_types ?? (config.rouge_type ? [config.rouge_type] : ['lcs' as const]);
  const tokenize = createTokenizer();
  return {
    prepare: tokenize,
    createIndex: () => new RougeIndex(config.threshold, types, config.score_func as ScoreFunc),
    encode: (items) => items.map((item) => item.text),
    decode: (data) => (data as string[]).map(tokenize),
  };
}

/**
 * `rouge_scorer` (alias `rouge_dedup`): DiGiT's ROUGE dedup. A row whose `input` scores ≥
 * `threshold` (ROUGE-L by default, or ROUGE-N; F1, precision or recall) against a record already
 * accepted for the task, or against a `context` text, is a duplicate. Cost grows with the square
 * of the number of records; for large sets use `minhash_dedup`.
 *
 * @example
 * blocks:
 *   - { name: dedup, type: rouge_scorer, filter: true, threshold: 0.7, input_map: { instruction: input } }
 */
export const rougeScorerBlock = defineBlock({
  role: 'validator',
  description:
    'Drops rows too ROUGE-similar (ROUGE-L or ROUGE-N; F1, precision or recall) to an accepted row (DiGiT).',
  configSchema: rougeScorerConfigSchema,
  create(config) {
    return createDedupBlock(rougeMethod(config), config);
  },
});

export default rougeScorerBlock;
