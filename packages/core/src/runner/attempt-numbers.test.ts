import { describe, expect, it } from 'vitest';
import { AttemptNumbers } from './attempt-numbers.js';

describe('AttemptNumbers', () => {
  it('starts at 1 for a fresh builder', () => {
    const numbers = new AttemptNumbers([{ attempt: 0 }]);
    expect([numbers.take(), numbers.take()]).toEqual([1, 2]);
  });

  it('uses again only numbers no task committed, then goes on above the highest', () => {
    const numbers = new AttemptNumbers([
      // Task a committed 1-10, 12 and 14; 11 and 13 were in flight.
      { attempt: 14, open: [11, 13] },
      // Task b, pooled with a, committed 13 before the kill, not 9 (a did) nor 11.
      { attempt: 13, open: [9, 11] },
    ]);
    expect([numbers.take(), numbers.take(), numbers.take()]).toEqual([11, 15, 16]);
  });

  it('takes back a number whose attempt did not start', () => {
    const numbers = new AttemptNumbers([{ attempt: 3, open: [2] }]);
    const reused = numbers.take();
    numbers.giveBack(reused);
    expect(numbers.take()).toBe(2);
    const fresh = numbers.take();
    numbers.giveBack(fresh);
    expect(numbers.take()).toBe(4);
  });
});
