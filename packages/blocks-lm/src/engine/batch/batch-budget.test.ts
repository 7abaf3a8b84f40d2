import { describe, expect, it } from 'vitest';
import { BatchBudget } from './batch-budget.js';

describe('BatchBudget', () => {
  it('counts pending worst cases until collected, then the real cost, per task', () => {
    const budget = new BatchBudget(1);
    expect(
      budget.overBudget([
        { task: 'a', cost: 0.6 },
        { task: 'b', cost: 0.4 },
      ]),
    ).toEqual(new Set());
    budget.submitted('k1', 'a', 0.6);
    // 0.6 pending + 0.6 more would pass 1.
    expect(budget.overBudget([{ task: 'a', cost: 0.6 }])).toEqual(new Set(['a']));
    expect(budget.overBudget([{ task: 'b', cost: 0.6 }])).toEqual(new Set());
    // The answer cost far less than its worst case: room again.
    budget.collected('k1', { task: 'a', cost: 0.1 });
    expect(budget.overBudget([{ task: 'a', cost: 0.6 }])).toEqual(new Set());
    expect(budget.overBudget([{ task: 'a', cost: 0.95 }])).toEqual(new Set(['a']));
    // A request with no price never counts; no budget refuses nothing.
    expect(budget.overBudget([{ task: 'a', cost: undefined }])).toEqual(new Set());
    expect(new BatchBudget(undefined).overBudget([{ task: 'a', cost: 99 }])).toEqual(new Set());
  });
});
