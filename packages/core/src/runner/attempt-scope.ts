import type { StoredRecord } from '../contracts/v1/datastore.js';

/**
 * Rejected rows of one attempt, held back until the attempt's records are committed, so a batch
 * that runs again after a crash does not store its rejects twice. Each attempt has its own
 * buffer, handed to the blocks its builder call sees (`blocksForAttempt`) and to the loaders
 * its batch is taken from.
 */
export type RejectBuffer = {
  task: string;
  block: string;
  rows: { row: StoredRecord; reason: string }[];
}[];
