import type { BlockRow } from './data-point.js';

/**
 * A row after a validator block (a block with `role: 'validator'`). Without `filter: true` a
 * validator keeps every row and marks it; with `filter: true` it returns only the valid rows and
 * reports the others as `rejected` with their reason, which the run writes to the task's
 * `blocks/<block>.jsonl`.
 */
export type ValidatorRow = BlockRow & {
  /** Whether the row passed the check. */
  is_valid?: boolean;
  /** Why it did not. */
  invalid_reason?: string;
};
