/** What a task's saved state says about the builder attempt numbers it used. */
export type SavedAttempts = {
  /** The highest attempt number whose records the task committed (0: none). */
  attempt: number;
  /** Numbers below `attempt` that the task started but did not commit. */
  open?: readonly number[];
};

/**
 * Hands out a builder's attempt numbers. An attempt number fixes the attempt's random streams
 * and names its LM requests in the request cache (see `BlockCallContext.scope`), so a number
 * whose records some task committed must never be used again: its prompts would be answered from
 * the cache with records already stored. On resume the numbers that were started but committed
 * by no task (in flight at a crash or a stop) are used first, so their paid-for requests are
 * found in the cache again; then numbering goes on above the highest one used.
 */
export class AttemptNumbers {
  private readonly reuse: number[];
  private next: number;

  constructor(saved: readonly SavedAttempts[]) {
    const highest = Math.max(0, ...saved.map((s) => s.attempt));
    const committedBy = (s: SavedAttempts, n: number) => n <= s.attempt && !s.open?.includes(n);
    const open = new Set(saved.flatMap((s) => s.open ?? []));
    this.reuse = [...open]
      .filter((n) => n > 0 && !saved.some((s) => committedBy(s, n)))
      .sort((a, b) => a - b);
    this.next = highest + 1;
  }

  /** The number of the next attempt. */
  take(): number {
    return this.reuse.shift() ?? this.next++;
  }

  /** Returns a number taken for an attempt that did not start after all. */
  giveBack(number: number): void {
    if (number === this.next - 1) this.next--;
    else this.reuse.unshift(number);
  }
}
