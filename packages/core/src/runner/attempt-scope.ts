import { AsyncLocalStorage } from 'node:async_hooks';
import type { StoredRecord } from '../contracts/v1/datastore.js';

/** Rejected rows of one attempt, held back until the attempt's records are committed. */
export type RejectBuffer = {
  task: string;
  block: string;
  rows: { row: StoredRecord; reason: string }[];
}[];

/**
 * The attempt a piece of work belongs to, across the async calls of a builder and its blocks.
 * Rows rejected inside an attempt are written when the attempt commits, with its records; so a
 * batch that runs again after a crash does not store its rejects twice.
 */
export const attemptScope = new AsyncLocalStorage<RejectBuffer>();
