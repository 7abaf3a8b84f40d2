import type { DgtEvent } from '@dgt/core';
import { formatDuration } from './task-progress.js';

/**
 * Folds `lm-batch` events into one progress line: batches pending and completed over every LM
 * block, and how long the run has waited with at least one batch pending.
 */
export class BatchBoard {
  private readonly perBlock = new Map<string, { pending: number; completed: number }>();
  private waitingSince: number | undefined;
  private waitedMs = 0;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Takes an event; true when it was a batch event (the line changed). */
  apply(event: DgtEvent): boolean {
    if (event.type !== 'lm-batch') return false;
    this.perBlock.set(event.block, { pending: event.pending, completed: event.completed });
    const pending = this.totals().pending;
    const now = this.now();
    if (pending > 0) this.waitingSince ??= now;
    else if (this.waitingSince !== undefined) {
      this.waitedMs += now - this.waitingSince;
      this.waitingSince = undefined;
    }
    return true;
  }

  private totals() {
    let pending = 0;
    let completed = 0;
    for (const b of this.perBlock.values()) {
      pending += b.pending;
      completed += b.completed;
    }
    return { pending, completed };
  }

  /** `batches 2 pending, 5 completed, waited 3m05s`; `undefined` before any batch. */
  line(): string | undefined {
    if (this.perBlock.size === 0) return undefined;
    const { pending, completed } = this.totals();
    const waited =
      this.waitedMs + (this.waitingSince !== undefined ? this.now() - this.waitingSince : 0);
    return `batches ${pending} pending, ${completed} completed, waited ${formatDuration(waited)}`;
  }
}
