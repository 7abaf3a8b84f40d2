import { type BlockRow, defineBlock, type RejectedRow } from '@dgt/core';
import { z } from 'zod';

/** Config of `acme/word_count`: the common block keys plus the allowed length in words. */
export const wordCountConfigSchema = z.looseObject({
  min_words: z.int().nonnegative().default(1),
  max_words: z.int().positive().default(100),
  /** Drop rows of the wrong length (stored with the reason) instead of marking them invalid. */
  filter: z.boolean().default(true),
});

/** Words in a text: runs of non-space characters. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** `acme/word_count`: a validator that checks the length of each row's `input` text in words. */
export const wordCountBlock = defineBlock({
  role: 'validator',
  description: 'Rejects rows whose input text is shorter than min_words or longer than max_words.',
  configSchema: wordCountConfigSchema,
  create(config) {
    return {
      async call(rows: BlockRow[]) {
        const kept: BlockRow[] = [];
        const rejected: RejectedRow[] = [];
        for (const row of rows) {
          const words = countWords(String(row.input ?? ''));
          const reason =
            words < config.min_words
              ? `${words} words, fewer than ${config.min_words}`
              : words > config.max_words
                ? `${words} words, more than ${config.max_words}`
                : undefined;
          if (reason === undefined) {
            if (!config.filter) row.is_valid = true;
            kept.push(row);
          } else if (config.filter) {
            rejected.push({ row, reason });
          } else {
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

export default wordCountBlock;
