import { DgtError, defineBlock } from '@dgt/core';
import { z } from 'zod';
import { createDedupBlock, type DedupMethod, dedupConfigShape } from './dedup/dedup-runner.js';
import {
  chooseBands,
  decodeSignatures,
  encodeSignatures,
  LshIndex,
  MinHasher,
  shingleHashes,
} from './dedup/minhash.js';
import { validatorConfigShape } from './shared/validator.js';

/** Config of `minhash_dedup`. */
export const minhashDedupConfigSchema = z.looseObject({
  ...validatorConfigShape,
  ...dedupConfigShape,
  threshold: z
    .number()
    .gt(0)
    .lte(1)
    .default(0.7)
    .describe(
      'Estimated Jaccard similarity (of shingle sets) at or above which a row is a duplicate.',
    ),
  shingle_size: z
    .number()
    .int()
    .positive()
    .default(3)
    .describe('Shingle length, in `shingle_unit`s.'),
  shingle_unit: z
    .enum(['word', 'char'])
    .default('word')
    .describe(
      '`word` shingles (default; texts of a dozen words or more) or `char` shingles (short texts).',
    ),
  num_perm: z
    .number()
    .int()
    .min(8)
    .max(1024)
    .default(128)
    .describe('Number of hash functions (signature length): more is more precise and slower.'),
  bands: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('LSH bands; by default chosen from `threshold` and `num_perm`.'),
  seed: z
    .number()
    .int()
    .nonnegative()
    .default(1)
    .describe('Seed of the hash functions: signatures are the same on every run and machine.'),
});

type MinhashConfig = z.output<typeof minhashDedupConfigSchema> & { name: string };

function minhashMethod(config: MinhashConfig): DedupMethod<Uint16Array> {
  const hasher = new MinHasher(config.num_perm, config.seed);
  const bands = config.bands ?? chooseBands(config.threshold, config.num_perm).bands;
  const rows = Math.floor(config.num_perm / bands);
  if (rows < 1) {
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `block "${config.name}" (minhash_dedup): bands (${bands}) must not exceed num_perm (${config.num_perm}).`,
    );
  }
  // Stored signatures are only comparable with the same hashing settings.
  const settings = `${config.num_perm}/${config.shingle_size}/${config.shingle_unit}/${config.seed}`;
  return {
    prepare: (text) =>
      hasher.signature(shingleHashes(text, config.shingle_size, config.shingle_unit)),
    createIndex: () => new LshIndex(config.num_perm, bands, rows, config.threshold),
    encode: (signatures) => ({ settings, signatures: encodeSignatures(signatures) }),
    decode(data) {
      const stored = data as { settings: string; signatures: string };
      if (stored.settings !== settings) {
        throw new DgtError(
          'INVALID_BLOCK_CONFIG',
          `block "${config.name}" (minhash_dedup): its saved index was built with num_perm/shingle_size/shingle_unit/seed = ${stored.settings}, now ${settings}. Rerun with --restart to rebuild it, or restore the old settings.`,
        );
      }
      return decodeSignatures(stored.signatures, config.num_perm);
    },
  };
}

/**
 * `minhash_dedup`: near-duplicate removal in near-linear time. Each row's `input` becomes a
 * MinHash signature of its word (or character) shingles; LSH banding finds the earlier rows that
 * may be similar, and a row whose estimated Jaccard similarity with one of them reaches
 * `threshold` is a duplicate. The index of accepted rows is kept per task and saved under the
 * task's `blocks/` folder, so dedup spans batches and resumes.
 *
 * @example
 * blocks:
 *   - { name: dedup, type: minhash_dedup, filter: true, threshold: 0.7, input_map: { text: input } }
 */
export const minhashDedupBlock = defineBlock({
  role: 'validator',
  description:
    'Drops near-duplicate rows (MinHash + LSH over word shingles; threshold = estimated Jaccard similarity).',
  configSchema: minhashDedupConfigSchema,
  create(config) {
    return createDedupBlock(minhashMethod(config), config);
  },
});

export default minhashDedupBlock;
