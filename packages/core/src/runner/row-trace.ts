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

/** LM requests and verdicts of one attempt, per task: the fallback when a record's lineage is lost. */
export type AttemptTrace = {
  /** LM requests per task name, in the order they finished. */
  lm: Map<string, RowNote[]>;
};

/**
 * What happened to one row object during an attempt. Kept in a WeakMap keyed by the row object,
 * so builders need not carry anything and no field is added to their records: a record the
 * builder returns as the same object a block saw (validators pass rows through) keeps its
 * trace; a record the builder builds afresh from an LM reply has only its attempt's trace.
 */
export type RowTrace = {
  attempt: AttemptTrace;
  lm: RowNote[];
  verdicts: Verdict[];
};

const rowTraces = new WeakMap<object, RowTrace>();
// The latest attempts that made LM requests for each task, newest last: where provenance looks
// for the reply a record was built from when the record itself carries no trace.
const RECENT_ATTEMPTS = 32;
const recent = new Map<string, AttemptTrace[]>();

function requestsOf(attempt: AttemptTrace, task: string): RowNote[] {
  let list = attempt.lm.get(task);
  if (!list) {
    list = [];
    attempt.lm.set(task, list);
    const attempts = recent.get(task) ?? [];
    attempts.push(attempt);
    if (attempts.length > RECENT_ATTEMPTS) attempts.shift();
    recent.set(task, attempts);
  }
  return list;
}

/** The latest attempts with LM requests for `task`, newest first. */
export function recentAttempts(task: string): readonly AttemptTrace[] {
  return [...(recent.get(task) ?? [])].reverse();
}
const attemptTraces = new WeakMap<AttemptScope, AttemptTrace>();

/** The trace of an attempt (created on first use, so the attempt scope needs no new field). */
export function attemptTraceOf(scope: AttemptScope): AttemptTrace {
  let trace = attemptTraces.get(scope);
  if (!trace) {
    trace = { lm: new Map() };
    attemptTraces.set(scope, trace);
  }
  return trace;
}

function rowTraceOf(row: BlockRow, attempt: AttemptTrace): RowTrace {
  let trace = rowTraces.get(row);
  if (!trace || trace.attempt !== attempt) {
    trace = { attempt, lm: [], verdicts: [] };
    rowTraces.set(row, trace);
  }
  return trace;
}

/** The trace a row (or record) gathered in the attempt that made it, if any. */
export function traceOf(row: object): RowTrace | undefined {
  return rowTraces.get(row);
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
