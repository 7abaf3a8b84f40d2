/**
 * What a block (or a builder) may report while it works, through `ctx.emit`: the LM requests it
 * made, the state of its provider batches, and warnings. A narrow union on purpose: the runner's
 * own events (run, task, attempt, records) may grow without changing what a v1 plugin emits.
 */
export type BlockCallEvent = LmRequestEvent | LmBatchEvent | WarningEvent;

/** One LM request finished (successfully, from cache, or failed after retries). */
export type LmRequestEvent = {
  type: 'lm-request';
  block: string;
  provider: string;
  model: string;
  task?: string;
  ok: boolean;
  cached: boolean;
  promptTokens: number;
  completionTokens: number;
  durationMs: number;
  retries: number;
  /** Estimated cost of this request in US dollars, when the model's price is known. */
  costUsd?: number;
  /** Answered through the provider's Batch API (priced at its batch rate). */
  batch?: boolean;
  error?: string;
};

/**
 * A batch of an LM block changed state: `submitted`, `re-attached` (a pending batch of an earlier
 * run, found in the batch journal), `cancelling` (its deadline came), `ended` (collected),
 * `refused` (not submitted: it could pass the budget), `submit-failed` (its requests went online),
 * `journal-failed` (submitted, but its id could not be recorded; the run still follows it).
 */
export type LmBatchEvent = {
  type: 'lm-batch';
  block: string;
  provider: string;
  model: string;
  batchId: string;
  state:
    | 'submitted'
    | 're-attached'
    | 'cancelling'
    | 'ended'
    | 'refused'
    | 'submit-failed'
    | 'journal-failed';
  /** Requests in the batch (or refused). */
  requests: number;
  /** The provider's word for how it ended. */
  status?: string;
  succeeded?: number;
  failed?: number;
  /** From submission to collection. */
  waitedMs?: number;
  /** The block's batches not yet collected, and collected so far, after this event. */
  pending: number;
  completed: number;
  message?: string;
};

/** Something the user should know that does not stop the run. */
export type WarningEvent = { type: 'warning'; message: string; task?: string };
