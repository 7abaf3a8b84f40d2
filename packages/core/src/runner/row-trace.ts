import type { RowNote } from '../contracts/v1/block.js';
import type { BlockRow } from '../contracts/v1/data-point.js';
import type { LmRequestEvent } from '../events/events.js';
import type { AttemptScope } from './attempt-scope.js';

/** What a validator said about a row: passed or rejected, and the fields it wrote (judge scores). */
export type Verdict = {
  block: string;
  type: string;
  verdict: 'pass' | 'reject';
  reason?: string;
  /** Scalar fields the validator added to the row (e.g. `judge_score`, `judge_reason`). */
  fields?: Record<string, unknown>;
};

/**
 * What one attempt's blocks noted, carried by the attempt's scope (`AttemptScope.trace`) to its
 * commit: LM requests per task, and what happened to each row object. Rows are looked up by
 * object identity, so builders need not carry anything and no field is added to their records:
 * a record the builder returns as the same object a block saw (validators pass rows through)
 * keeps its trace; a record built afresh from an LM reply has only its attempt's trace.
 */
export type AttemptTrace = {
  /** LM requests per task name, in the order they finished. */
  lm: Map<string, RowNote[]>;
  /** The trace of each row object a block of the attempt saw. */
  rows: WeakMap<object, RowTrace>;
  /** Each task's recent attempts with LM requests, which this attempt joins on its first one. */
  recent: ReadonlyMap<string, RecentTraces>;
};

/** What happened to one row object during an attempt. */
export type RowTrace = {
  attempt: AttemptTrace;
  lm: RowNote[];
  verdicts: Verdict[];
};

// The latest attempts that made LM requests for a task, newest last: where provenance looks for
// the reply a record was built from when the record itself carries no trace.
const RECENT_ATTEMPTS = 32;

/** A task's latest attempts that made LM requests (held by the task, one list per task). */
export class RecentTraces {
  private readonly list: AttemptTrace[] = [];

  add(attempt: AttemptTrace): void {
    this.list.push(attempt);
    if (this.list.length > RECENT_ATTEMPTS) this.list.shift();
  }

  /** Newest first. */
  newestFirst(): readonly AttemptTrace[] {
    return [...this.list].reverse();
  }
}

/** A fresh trace for an attempt of the tasks whose recent-attempt lists `recent` holds. */
export function newAttemptTrace(
  recent: ReadonlyMap<string, RecentTraces> = new Map(),
): AttemptTrace {
  return { lm: new Map(), rows: new WeakMap(), recent };
}

function requestsOf(attempt: AttemptTrace, task: string): RowNote[] {
  let list = attempt.lm.get(task);
  if (!list) {
    list = [];
    attempt.lm.set(task, list);
    attempt.recent.get(task)?.add(attempt);
  }
  return list;
}

/** The trace an attempt's scope carries (a scope made without one, by a worker, gets one now). */
export function attemptTraceOf(scope: AttemptScope): AttemptTrace {
  scope.trace ??= newAttemptTrace();
  return scope.trace;
}

function rowTraceOf(row: BlockRow, attempt: AttemptTrace): RowTrace {
  let trace = attempt.rows.get(row);
  if (!trace) {
    trace = { attempt, lm: [], verdicts: [] };
    attempt.rows.set(row, trace);
  }
  return trace;
}

/** Notes an LM request made for `row` (a caller's row, after input_map was undone). */
export function noteRow(row: BlockRow, note: RowNote, attempt: AttemptTrace): void {
  rowTraceOf(row, attempt).lm.push(note);
  // The request's event was just added to the attempt's list without its text: the note has it.
  const list = typeof row.task_name === 'string' ? requestsOf(attempt, row.task_name) : undefined;
  const last = list?.[list.length - 1];
  if (list && last && last.block === note.block && last.prompt === undefined)
    list[list.length - 1] = note;
}

/** Adds every LM request of the attempt to its task's list (the attempt-level fallback). */
export function noteAttemptRequest(event: LmRequestEvent, attempt: AttemptTrace): void {
  if (event.task === undefined) return;
  requestsOf(attempt, event.task).push({
    kind: 'lm-request',
    block: event.block,
    provider: event.provider,
    model: event.model,
    ok: event.ok,
    cached: event.cached,
    promptTokens: event.promptTokens,
    completionTokens: event.completionTokens,
    ...(event.costUsd !== undefined ? { costUsd: event.costUsd } : {}),
    durationMs: event.durationMs,
    retries: event.retries,
  });
}

/**
 * Records a validator's verdicts on its passed and rejected rows, with the scalar fields it
 * added to each (`before` holds each row's keys before the call).
 */
export function noteVerdicts(
  block: { name: string; type: string },
  passed: readonly BlockRow[],
  rejected: readonly { row: BlockRow; reason: string }[],
  before: WeakMap<BlockRow, Set<string>>,
  attempt: AttemptTrace,
): void {
  const verdict = (row: BlockRow, outcome: Omit<Verdict, 'block' | 'type' | 'fields'>) => {
    const known = before.get(row);
    const fields: Record<string, unknown> = {};
    if (known) {
      for (const [key, value] of Object.entries(row))
        if (!known.has(key) && (value === null || typeof value !== 'object')) fields[key] = value;
    }
    rowTraceOf(row, attempt).verdicts.push({
      block: block.name,
      type: block.type,
      ...outcome,
      ...(Object.keys(fields).length ? { fields } : {}),
    });
  };
  for (const row of passed) verdict(row, { verdict: 'pass' });
  for (const { row, reason } of rejected) verdict(row, { verdict: 'reject', reason });
}
