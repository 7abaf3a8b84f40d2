import type { LmBatchEvent } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { BatchBoard } from './batch-progress.js';

const event = (block: string, pending: number, completed: number): LmBatchEvent => ({
  type: 'lm-batch',
  block,
  provider: 'openai',
  model: 'm',
  batchId: 'b',
  state: pending > 0 ? 'submitted' : 'ended',
  requests: 3,
  pending,
  completed,
});

describe('batch progress line', () => {
  it('sums batches over blocks and counts only the time some batch was pending', () => {
    let now = 0;
    const board = new BatchBoard(() => now);
    expect(board.line()).toBeUndefined();
    board.apply(event('generator', 1, 0));
    now = 30_000;
    board.apply(event('judge', 2, 0));
    expect(board.line()).toBe('batches 3 pending, 0 completed, waited 30s');
    now = 60_000;
    board.apply(event('generator', 0, 1));
    board.apply(event('judge', 0, 2));
    now = 500_000; // nothing pending: the wait does not grow
    expect(board.line()).toBe('batches 0 pending, 3 completed, waited 1m00s');
  });
});
