import { describe, expect, it } from 'vitest';
import type { Attempt } from './attempt.js';
import { requestCapHolds, requestCapStop } from './request-cap.js';
import type { TaskRun } from './task-run.js';

/** The fields of a generation task the cap reads: target 50, batches of 10 seeds + 5 records. */
function task(fields: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
  return {
    name: 't',
    kind: 'generation',
    dataCount: 0,
    resumed: 0,
    itemsCommitted: 0,
    committedLmRequests: 0,
    pending: 0,
    yieldPerItem: 1,
    seeds: Array.from({ length: 20 }, (_, i) => ({ question: `q${i}` })),
    accepted: [],
    seedsUsedUp: false,
    settings: {
      target: 50,
      maxRequestsPerRecord: 50,
      seedBatchSize: 10,
      machineBatchSize: 5,
      ...settings,
    },
    ...fields,
  } as unknown as TaskRun;
}

function inFlight(of: TaskRun, items: number, requests: number): Attempt {
  return {
    parts: [{ task: of, items, cursor: { seed_position: 0 } }],
    requests: new Map([[of.name, requests]]),
  } as unknown as Attempt;
}

describe('max_requests_per_record before admission', () => {
  it('lets a task start: before the first commit an item is one request and one record', () => {
    const t = task();
    expect(requestCapHolds(t, [])).toBe(false);
    expect(requestCapHolds(t, [inFlight(t, 10, 0), inFlight(t, 10, 0)])).toBe(false);
  });

  it('holds back a task whose records are deduplicated away (a model repeating itself)', () => {
    // 150 items committed for 148 requests; dedup kept 1 record of them.
    const accepted = [{ question: 'x' }];
    const t = task({ itemsCommitted: 150, committedLmRequests: 148, dataCount: 1, accepted });
    // The next batch (10 seeds + 1 record) would spend ~11 more: past 100 + 50 × ~1.07.
    expect(requestCapHolds(t, [])).toBe(true);
    // With fewer requests spent it may go on.
    expect(requestCapHolds(task({ ...t, committedLmRequests: 100 }), [])).toBe(false);
  });

  it('counts what attempts in flight have sent when it is above what their items cost', () => {
    const t = task({ itemsCommitted: 10, committedLmRequests: 10, dataCount: 10 });
    expect(requestCapHolds(t, [inFlight(t, 1, 1)])).toBe(false);
    // 10 + 10 (next) + 1500 > 100 + 50 × (10 + 11 expected records).
    expect(requestCapHolds(t, [inFlight(t, 1, 1500)])).toBe(true);
  });

  it('never holds back a task whose records cost less than the cap, however many attempts run', () => {
    // A conversation builder: 28 requests per item, 0.8 records kept per item.
    const t = task({ itemsCommitted: 10, committedLmRequests: 280, dataCount: 8 });
    const many = Array.from({ length: 40 }, () => inFlight(t, 1, 40));
    expect(requestCapHolds(t, many)).toBe(false);
  });

  it('ignores transformations, tasks without a cap and tasks that hold their target', () => {
    const spent = { itemsCommitted: 100, committedLmRequests: 1e6 };
    expect(requestCapHolds(task({ ...spent, kind: 'transformation' }), [])).toBe(false);
    const uncapped = { maxRequestsPerRecord: Number.POSITIVE_INFINITY };
    expect(requestCapHolds(task(spent, uncapped), [])).toBe(false);
    expect(requestCapHolds(task({ ...spent, dataCount: 50 }), [])).toBe(false);
  });

  it('ends a held task with the cap named and the numbers', () => {
    const accepted = [{ question: 'x' }];
    const t = task({ itemsCommitted: 150, committedLmRequests: 148, dataCount: 1, accepted });
    const stop = requestCapStop(t);
    expect(stop.status).toBe('max-requests');
    expect(stop.reason).toContain('148 LM requests for 1 accepted record:');
    expect(stop.reason).toContain('about 11 requests');
    expect(stop.reason).toContain('max_requests_per_record');
  });
});
