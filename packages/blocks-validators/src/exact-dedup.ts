import { hash } from 'node:crypto';
import { defineBlock } from '@dgt/core';
import { z } from 'zod';
import { createDedupBlock, type DedupMethod, dedupConfigShape } from './dedup/dedup-runner.js';
import { validatorConfigShape } from './shared/validator.js';

/** Config of `exact_dedup`: the common validator and dedup keys plus text normalisation. */
export const exactDedupConfigSchema = z.looseObject({
  ...validatorConfigShape,
  ...dedupConfigShape,
  normalize: z
    .boolean()
    .default(true)
    .describe('Compare case-insensitively with whitespace and punctuation runs folded.'),
});

/** Folds case, whitespace and punctuation so trivially different copies compare equal. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function exactMethod(normalize: boolean): DedupMethod<string> {
  return {
    prepare: (text) =>
      hash('sha256', normalize ? normalizeText(text) : text, 'base64url').slice(0, 22),
    createIndex() {
      const keys = new Set<string>();
      return {
        find: (key) => (keys.has(key) ? 'exact duplicate of an earlier record' : undefined),
        add: (key) => void keys.add(key),
      };
    },
    encode: (keys) => keys,
    decode: (data) => data as string[],
  };
}

/**
 * `exact_dedup`: a row whose `input` (pick the field with `input_map`) equals, after
 * normalisation, that of a row already accepted for the same task (earlier in the call, in an
 * earlier call, or before a resume) is a duplicate. The first occurrence is kept.
 *
 * @example
 * blocks:
 *   - { name: dedup, type: exact_dedup, filter: true, input_map: { question: input } }
 */
export const exactDedupBlock = defineBlock({
  role: 'validator',
  description:
    'Drops rows whose text exactly repeats a row already accepted for the task (after normalising case, spaces and punctuation).',
  configSchema: exactDedupConfigSchema,
  create(config) {
    return createDedupBlock(exactMethod(config.normalize), config);
  },
});

export default exactDedupBlock;
