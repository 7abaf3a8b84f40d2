import type { StoredRecord } from '../contracts/v1/datastore.js';
import type { AttemptTrace } from './row-trace.js';

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

/** Estimated cost of one attempt's LM requests so far, per task name, in US dollars. */
export type AttemptCosts = Map<string, number>;

/**
 * What one attempt collects while its builder call runs: the rows its blocks reject (written
 * when it commits) and what its LM requests cost (for `max_cost_usd`). The attempt's blocks
 * carry it explicitly (see `blocksForAttempt`) rather than through AsyncLocalStorage, whose
 * promise hooks would slow every promise of the run.
 */
export type AttemptScope = {
  rejects: RejectBuffer;
  costs: AttemptCosts;
  /**
   * LM requests the attempt made, per task name: added to the task's committed requests when the
   * attempt commits (`max_requests_per_record` weighs them against the records they brought).
   */
  requests?: Map<string, number>;
  /**
   * Replaces the run's graceful stop as the attempt's blocks' `BlockCallContext.stopSignal`:
   * aborted with it, and also when every task of the attempt has ended (its outputs would be
   * dropped, so it sends no new request).
   */
  stopSignal?: AbortSignal;
  /** Passed to every block call of the attempt as `BlockCallContext.scope`. */
  unit?: { readonly id: string };
  /**
   * Called when the attempt calls a block, once the call has started (an LM block has then
   * taken its request slots or queued): the runner looks at the blocks' load again only then.
   */
  entered?: () => void;
  /** What the attempt's blocks noted for provenance, carried to the attempt's commit. */
  trace?: AttemptTrace;
};
