/**
 * A sliding one-second window: at most `requestsPerSecond` requests are admitted in any second.
 * `tryAcquire` admits a request or says how long until a slot frees up.
 */
export class SlidingWindowLimiter {
  private admitted: number[] = [];

  constructor(private readonly requestsPerSecond: number) {}

  /** Admits a request now (returns 0) or returns the milliseconds until one would be admitted. */
  tryAcquire(now = performance.now()): number {
    while (this.admitted.length > 0 && (this.admitted[0] as number) <= now - 1000) {
      this.admitted.shift();
    }
    if (this.admitted.length < this.requestsPerSecond) {
      this.admitted.push(now);
      return 0;
    }
    return Math.max(1, Math.ceil((this.admitted[0] as number) + 1000 - now));
  }

  reset(): void {
    this.admitted = [];
  }
}
