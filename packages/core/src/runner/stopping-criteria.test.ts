import { describe, expect, it } from 'vitest';
import { budgetVerdict, formatUsd, spendingCapReason, stopReason } from './stopping-criteria.js';

const settings = {
  maxGenRequests: 10,
  maxStalledRequests: 3,
  failureThreshold: 0.5,
  timeLimitMs: 60_000,
  maxCostUsd: Number.POSITIVE_INFINITY,
  maxRequestsPerRecord: 50,
  maxRejectStoreBytes: 1_000_000,
};
const fresh = { attempts: 1, stalled: 0, lmRequests: 5, lmFailures: 0, elapsedMs: 10 };

describe('stopReason', () => {
  it('lets a healthy task go on', () => {
    expect(stopReason(fresh, settings)).toBeUndefined();
  });

  it('stops a task after max_stalled_requests empty attempts in a row', () => {
    expect(stopReason({ ...fresh, stalled: 3 }, settings)?.status).toBe('stalled');
    expect(stopReason({ ...fresh, stalled: 2 }, settings)).toBeUndefined();
  });

  it('stops at max_gen_requests', () => {
    expect(stopReason({ ...fresh, attempts: 10 }, settings)?.status).toBe('max-requests');
  });

  it('fails a task whose LM failure rate passes the threshold, once enough requests were made', () => {
    expect(stopReason({ ...fresh, lmRequests: 10, lmFailures: 9 }, settings)).toBeUndefined();
    const stop = stopReason({ ...fresh, lmRequests: 40, lmFailures: 21 }, settings);
    expect(stop?.status).toBe('failed');
    expect(stop?.reason).toContain('21 of 40');
  });

  it('stops at the time limit', () => {
    expect(stopReason({ ...fresh, elapsedMs: 60_000 }, settings)?.status).toBe('time-limit');
  });

  it('stops a budgeted task whose cost reached max_cost_usd once its attempts in flight are committed', () => {
    const budgeted = { ...settings, maxCostUsd: 0.01 };
    const cost = { spentUsd: 0.0102, attemptUsd: 0.002, inFlightUsd: [], priceUnknown: false };
    const stop = stopReason({ ...fresh, cost }, budgeted);
    expect(stop?.status).toBe('budget');
    expect(stop?.reason).toBe('estimated cost $0.0102 reached the budget of $0.01 (max_cost_usd)');
    // An attempt still in flight was paid for: the task waits for it rather than dropping it.
    expect(
      stopReason({ ...fresh, cost: { ...cost, inFlightUsd: [0.001] } }, budgeted),
    ).toBeUndefined();
    // Without a budget the cost never stops a task.
    expect(stopReason({ ...fresh, cost }, settings)).toBeUndefined();
  });

  it('puts the other criteria first', () => {
    const cost = { spentUsd: 1, attemptUsd: 0.1, inFlightUsd: [], priceUnknown: false };
    expect(
      stopReason({ ...fresh, stalled: 3, cost }, { ...settings, maxCostUsd: 0.5 })?.status,
    ).toBe('stalled');
  });
});

describe('budgetVerdict', () => {
  const cost = { spentUsd: 0, attemptUsd: undefined, inFlightUsd: [], priceUnknown: false };

  it('lets the first attempt start, then waits for its cost before starting another', () => {
    expect(budgetVerdict(cost, 1)).toEqual({ verdict: 'ok' });
    expect(budgetVerdict({ ...cost, inFlightUsd: [0.2] }, 1)).toEqual({ verdict: 'wait' });
  });

  it('stops when the cost so far reaches the budget', () => {
    const verdict = budgetVerdict({ ...cost, spentUsd: 1, attemptUsd: 0.25 }, 1);
    expect(verdict).toMatchObject({ verdict: 'stop' });
    expect(verdict.verdict === 'stop' && verdict.reason).toContain(
      '$1.00 reached the budget of $1.00',
    );
  });

  it('starts no attempt that the average cost of an attempt says would pass the budget', () => {
    // 0.6 spent + 0.25 expected = 0.85: fits; 0.8 + 0.25 = 1.05: does not.
    expect(budgetVerdict({ ...cost, spentUsd: 0.6, attemptUsd: 0.25 }, 1).verdict).toBe('ok');
    const verdict = budgetVerdict({ ...cost, spentUsd: 0.8, attemptUsd: 0.25 }, 1);
    expect(verdict).toEqual({
      verdict: 'stop',
      reason:
        'estimated cost $0.80 of the $1.00 budget (max_cost_usd): another attempt, about $0.25 on average, would pass it',
    });
  });

  it('counts what the attempts in flight are still expected to cost', () => {
    // 0.5 spent, of which 0.05 by the attempt in flight: it should cost 0.2 more; + 0.25 = 0.95.
    expect(
      budgetVerdict({ ...cost, spentUsd: 0.5, attemptUsd: 0.25, inFlightUsd: [0.05] }, 1).verdict,
    ).toBe('ok');
    // Two in flight that have cost nothing yet: 0.5 + 0.25 + 0.25 + 0.25 = 1.25.
    expect(
      budgetVerdict({ ...cost, spentUsd: 0.5, attemptUsd: 0.25, inFlightUsd: [0, 0] }, 1).verdict,
    ).toBe('stop');
    // An attempt in flight that already cost more than the average adds nothing further.
    expect(
      budgetVerdict({ ...cost, spentUsd: 0.7, attemptUsd: 0.25, inFlightUsd: [0.4] }, 1).verdict,
    ).toBe('ok');
  });

  it('is not enforced when a request came back without a price', () => {
    expect(budgetVerdict({ ...cost, spentUsd: 5, attemptUsd: 1, priceUnknown: true }, 1)).toEqual({
      verdict: 'ok',
    });
  });
});

describe('formatUsd', () => {
  it('shows cents from a dollar up and the significant digits of smaller amounts', () => {
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(0.000214)).toBe('$0.000214');
    expect(formatUsd(0.5)).toBe('$0.50');
    expect(formatUsd(0)).toBe('$0.00');
  });
});

describe('spendingCapReason', () => {
  it('allows 100 requests, then 50 per accepted record (max_requests_per_record)', () => {
    expect(spendingCapReason({ lmRequests: 100, accepted: 0 }, settings)).toBeUndefined();
    expect(spendingCapReason({ lmRequests: 101, accepted: 0 }, settings)?.status).toBe(
      'max-requests',
    );
    expect(spendingCapReason({ lmRequests: 600, accepted: 10 }, settings)).toBeUndefined();
    const stop = stopReason({ ...fresh, lmRequests: 601, accepted: 10 }, settings);
    expect(stop?.reason).toContain('601 LM requests for 10 accepted records');
  });

  it('applies no request cap when the accepted count is not given or the cap is infinite', () => {
    expect(spendingCapReason({ lmRequests: 10_000 }, settings)).toBeUndefined();
    const uncapped = { ...settings, maxRequestsPerRecord: Number.POSITIVE_INFINITY };
    expect(spendingCapReason({ lmRequests: 10_000, accepted: 0 }, uncapped)).toBeUndefined();
  });

  it('fails a task whose reject stores reach max_reject_store_mb, naming the last LM error', () => {
    const stop = spendingCapReason(
      { lmRequests: 1, rejectBytes: 1_000_000, lastLmError: 'HTTP 500' },
      settings,
    );
    expect(stop?.status).toBe('failed');
    expect(stop?.reason).toContain('max_reject_store_mb');
    expect(stop?.reason).toContain('HTTP 500');
  });
});
