import type { LmBatchEvent, LmRequestEvent, WarningEvent } from '../contracts/v1/block-events.js';

export type { LmBatchEvent, LmRequestEvent, WarningEvent };

/**
 * Everything the runner reports, as a discriminated union on `type`. Core never prints: the CLI
 * turns these into progress bars, lines or NDJSON (`--json`).
 */
export type DgtEvent =
  | RunStartEvent
  | RunEndEvent
  | RunStoppingEvent
  | TaskStartEvent
  | TaskEndEvent
  | AttemptEvent
  | RecordsEvent
  | BlockEvent
  | LmRequestEvent
  | LmBatchEvent
  | PostprocessEvent
  | WarningEvent;

/** The run began: which tasks, under which ids. */
export type RunStartEvent = {
  type: 'run-start';
  runId: string;
  buildId: string;
  tasks: string[];
  outputDir: string;
};

/**
 * How a task ended. `budget`: the estimated cost of its LM requests reached (or its next attempt
 * would have passed) `max_cost_usd`.
 */
export type TaskStatus =
  | 'completed'
  | 'stalled'
  | 'max-requests'
  | 'time-limit'
  | 'budget'
  | 'failed'
  | 'interrupted';

/** Per-task numbers reported at the end of a task and of the run. */
/** LM usage of one block within a task (or a run): requests, cache hits, failures, tokens, cost. */
export type BlockLmUsage = {
  provider: string;
  model: string;
  /** LM requests, including those answered from the request cache. */
  requests: number;
  cacheHits: number;
  /** Requests that failed after all retries. */
  failures: number;
  promptTokens: number;
  completionTokens: number;
  /** Estimated cost in US dollars (0 when no price is known). */
  costUsd: number;
};

export type TaskSummary = {
  task: string;
  builder: string;
  status: TaskStatus;
  reason?: string;
  /**
   * The class of LM error that explains why the task did not complete, with what to do
   * (`HTTP 401: check the API key`, `LM server unreachable`), when one does.
   */
  cause?: string;
  /** The task failed on a user error (a bad input or template): the CLI exits 2. */
  userError?: boolean;
  accepted: number;
  target?: number;
  rejected: Record<string, number>;
  /** Builder calls the task took part in. */
  attempts: number;
  /** LM requests of the task, including those answered from the cache. */
  lmRequests: number;
  /** LM requests that failed after all retries. */
  lmFailures: number;
  /** LM requests answered from the request cache (no call made). */
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  /** Estimated cost of the task's LM requests in US dollars (0 when no price is known). */
  costUsd: number;
  /** The same LM figures per block (by block name), for tasks that made LM requests. */
  lmUsage?: Record<string, BlockLmUsage>;
  outputDir: string;
  /**
   * The file (or other location) the task's final records were written to: `final_data.jsonl`
   * in `outputDir` unless `final_datastore` says otherwise. Absent until the task has finished.
   */
  finalData?: string;
  durationMs: number;
};

/** The run is over; `status` is `completed` only if every task completed. */
export type RunEndEvent = {
  type: 'run-end';
  status: 'completed' | 'failed' | 'interrupted';
  durationMs: number;
  tasks: TaskSummary[];
};

/**
 * The run was asked to stop (first Ctrl-C): no new LM request starts, requests in flight finish
 * and their records are kept; `run-end` follows with status `interrupted`.
 */
export type RunStoppingEvent = { type: 'run-stopping' };

/** A task started (or resumed with `resumed` records already on disk). */
export type TaskStartEvent = {
  type: 'task-start';
  task: string;
  builder: string;
  kind: 'generation' | 'transformation';
  target?: number;
  resumed: number;
  outputDir: string;
};

/** A task finished. */
export type TaskEndEvent = { type: 'task-end' } & TaskSummary;

/** One builder call over a pooled batch. */
export type AttemptEvent = {
  type: 'attempt';
  builder: string;
  attempt: number;
  tasks: string[];
  inputs: number;
  outputs: number;
  durationMs: number;
};

/** Records were accepted for a task and appended to its `data.jsonl`. */
export type RecordsEvent = {
  type: 'records';
  task: string;
  added: number;
  accepted: number;
  target?: number;
};

/** A block ran over rows of a task: how many passed and how many it rejected. */
export type BlockEvent = {
  type: 'block';
  block: string;
  blockType: string;
  task: string;
  passed: number;
  rejected: number;
};

/** A postprocessor ran over all of a task's accepted records. */
export type PostprocessEvent = {
  type: 'postprocess';
  task: string;
  block: string;
  before: number;
  after: number;
};

/** A function that receives events. */
export type EventSink = (event: DgtEvent) => void;
