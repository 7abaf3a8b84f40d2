import { describe, expect, it } from 'vitest';
import { stopReason } from './stopping-criteria.js';

const settings = {
  maxGenRequests: 10,
  maxStalledRequests: 3,
  failureThreshold: 0.5,
  timeLimitMs: 60_000,
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
});
