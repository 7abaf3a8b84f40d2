import type { BlockOutput, BlockRow, RejectedRow } from '@dgt/core';
import { z } from 'zod';

/**
 * The key every validator accepts: with `filter: true` invalid rows are dropped and returned as
 * rejected (the run writes them to `blocks/<block>.jsonl`); without it they pass on marked
 * `is_valid: false` with an `invalid_reason`.
 */
export const validatorConfigShape = {
  filter: z.boolean().default(false),
};

/**
 * Applies one verdict per row: `undefined` means valid, a string is the reason it is not.
 * Marks rows (`is_valid`, `invalid_reason`) or, with `filter`, drops the invalid ones.
 */
export function settleRows(
  rows: BlockRow[],
  reasons: (string | undefined)[],
  filter: boolean,
): BlockOutput {
  const kept: BlockRow[] = [];
  const rejected: RejectedRow[] = [];
  rows.forEach((row, i) => {
    const reason = reasons[i];
    if (reason === undefined) {
      if (!filter) {
        row.is_valid = true;
        delete row.invalid_reason;
      }
      kept.push(row);
    } else if (filter) {
      rejected.push({ row, reason });
    } else {
      row.is_valid = false;
      row.invalid_reason = reason;
      kept.push(row);
    }
  });
  return { rows: kept, rejected };
}

/**
 * The text a validator checks: a string as is, chat messages as their contents one per line,
 * anything else as JSON.
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value) && value.every((m) => typeof m?.content === 'string'))
    return value.map((m: { content: string }) => m.content).join('\n');
  return JSON.stringify(value);
}

/** Shortens a value for a reason message. */
export function preview(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
