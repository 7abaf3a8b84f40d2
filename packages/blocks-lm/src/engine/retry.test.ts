import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from './retry.js';

describe('retry helpers', () => {
  it('reads Retry-After in milliseconds, seconds or as a date', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.25' }))).toBe(250);
    const inFive = new Date(Date.now() + 5000).toUTCString();
    expect(parseRetryAfter(new Headers({ 'retry-after': inFive }))).toBeGreaterThan(3000);
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });

  it('backs off exponentially with jitter unless the server said how long', () => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const d = backoffDelay(attempt, 100);
      expect(d).toBeGreaterThanOrEqual(50 * 2 ** attempt);
      expect(d).toBeLessThanOrEqual(100 * 2 ** attempt);
    }
    expect(backoffDelay(3, 100, 1234)).toBe(1234);
    expect(backoffDelay(0, 100, 10 * 60_000)).toBe(60_000);
  });

  it('retries throttling and server errors only', () => {
    expect([408, 409, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });

  it('sleeps until aborted', async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
