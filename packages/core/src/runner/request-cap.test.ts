import { describe, expect, it } from 'vitest';
import type { Attempt } from './attempt.js';
import { requestAllowance, requestCapHolds, requestCapStop } from './request-cap.js';
import type { TaskRun } from './task-run.js';

/** The fields of a task the cap reads. */
function task(fields: Partial<TaskRun> & { perRecord?: number } = {}): TaskRun {
  const { perRecord = 50, ...rest } = fields;
  return {
    name: 't',
    kind: 'generation',
    dataCount: 0,
    attempts: 0,
    resumedAttempts: 0,
    committedLmRequests: 0,
    settings: { target: 100, maxRequestsPerRecord: perRecord },
    ...rest,
  } as unknown as TaskRun;
}

function inFlight(of: TaskRun, requests: number): Attempt {
  return {
    parts: [{ task: of, items: 1, cursor: { seed_position: 0 } }],
    requests: new Map([[of.name, requests]]),
  } as unknown as Attempt;
}

describe('max_requests_per_record before admission', () => {
  it('allows the first 100 requests and 50 more per record', () => {
    expect(requestAllowance(task())).toBe(100);
    expect(requestAllowance(task({ dataCount: 3 }))).toBe(250);
    expect(requestAllowance(task({ perRecord: Number.POSITIVE_INFINITY }))).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('counts attempts in flight at least at the average an attempt costs', () => {
    // 10 attempts committed with 100 requests: 10 per attempt expected; allowance 150.
    const t = task({ dataCount: 1, attempts: 10, committedLmRequests: 100 });
    expect(requestCapHolds(t, [])).toBe(false);
    // Four in flight that have sent 1 request each count as 10 each: 100 + 40 + 10 (next) ≤ 150.
    const sent1 = (n: number) => Array.from({ length: n }, () => inFlight(t, 1));
    expect(requestCapHolds(t, sent1(4))).toBe(false);
    // A fifth brings it past: 100 + 50 + 10 > 150.
    expect(requestCapHolds(t, sent1(5))).toBe(true);
    // What an attempt in flight has already sent counts when above the average.
    expect(requestCapHolds(t, [inFlight(t, 45)])).toBe(true);
  });

  it('ignores attempts of other tasks, resumed attempts and tasks without a cap', () => {
    const t = task({ attempts: 12, resumedAttempts: 10, committedLmRequests: 80 });
    const other = task({ name: 'u' } as Partial<TaskRun>);
    // 40 per attempt made in this run: 80 + 40 > 100.
    expect(requestCapHolds(t, [inFlight(other, 500)])).toBe(true);
    expect(requestCapHolds(task({ committedLmRequests: 60 }), [inFlight(other, 500)])).toBe(false);
    expect(
      requestCapHolds(task({ perRecord: Number.POSITIVE_INFINITY, committedLmRequests: 1e6 }), []),
    ).toBe(false);
    expect(requestCapHolds(task({ kind: 'transformation', committedLmRequests: 1e6 }), [])).toBe(
      false,
    );
  });

  it('never holds back a task that holds its target (its postprocessors decide)', () => {
    expect(requestCapHolds(task({ dataCount: 100, committedLmRequests: 1e6 }), [])).toBe(false);
  });

  it('ends a held task with the cap named and the numbers', () => {
    const stop = requestCapStop(task({ dataCount: 1, attempts: 14, committedLmRequests: 148 }));
    expect(stop.status).toBe('max-requests');
    expect(stop.reason).toContain('148 LM requests for 1 accepted record:');
    expect(stop.reason).toContain('about 11 requests');
    expect(stop.reason).toContain('max_requests_per_record');
  });
});
