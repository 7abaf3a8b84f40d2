import { createHash } from 'node:crypto';
import { type BlockRow, defineBlock, type RejectedRow } from '@dgt/core';
import { z } from 'zod';

/** Config of `exact_dedup`: the common block keys plus how to normalise text before comparing. */
export const exactDedupConfigSchema = z.looseObject({
  /** Drop duplicates (and store them with the reason) instead of marking them `is_valid: false`. */
  filter: z.boolean().default(true),
  /** Compare case-insensitively with whitespace and punctuation runs folded. */
  normalize: z.boolean().default(true),
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

function keyOf(value: unknown, normalize: boolean): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return createHash('sha256')
    .update(normalize ? normalizeText(text) : text)
    .digest('base64url');
}

/**
 * `exact_dedup`: rows whose `input` (pick the field with `input_map`) equals, after
 * normalisation, that of an earlier row of the same task in the call are duplicates. The first
 * occurrence is kept, so order decides which copy survives.
 */
export const exactDedupBlock = defineBlock({
  role: 'validator',
  description:
    'Drops rows whose text exactly repeats an earlier row of the same task (after normalising case, spaces and punctuation).',
  configSchema: exactDedupConfigSchema,
  create(config) {
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows: BlockRow[]) {
        const seen = new Map<string, Set<string>>();
        const kept: BlockRow[] = [];
        const rejected: RejectedRow[] = [];
        for (const row of rows) {
          const task = String(row.task_name ?? '');
          const keys = seen.get(task) ?? new Set<string>();
          seen.set(task, keys);
          const key = keyOf(row.input, config.normalize);
          const duplicate = keys.has(key);
          keys.add(key);
          if (!duplicate) {
            if (!config.filter) row.is_valid = true;
            kept.push(row);
          } else if (config.filter) {
            rejected.push({ row, reason: 'exact duplicate of an earlier record' });
          } else {
            row.is_valid = false;
            row.invalid_reason = 'exact duplicate of an earlier record';
            kept.push(row);
          }
        }
        return { rows: kept, rejected };
      },
    };
  },
});

export default exactDedupBlock;
