import { isDgtError } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { parseDuration, resolveBatchSettings } from './settings.js';

describe('batch settings', () => {
  it('reads durations as a user writes them', () => {
    expect(parseDuration('2h', 'k')).toBe(7_200_000);
    expect(parseDuration('1h30m', 'k')).toBe(5_400_000);
    expect(parseDuration('90s', 'k')).toBe(90_000);
    expect(parseDuration(45, 'k')).toBe(45_000);
  });

  it('names the block and key of a duration it cannot read', () => {
    try {
      resolveBatchSettings({ batch: true, batch_deadline: 'two hours' }, 'generator');
      expect.unreachable();
    } catch (error) {
      expect(isDgtError(error) && error.code).toBe('INVALID_BLOCK_CONFIG');
      expect((error as Error).message).toMatch(
        /Block "generator": key "batch_deadline": "two hours" is not a duration/,
      );
    }
  });

  it('is off unless batch is true', () => {
    expect(resolveBatchSettings({ batch_deadline: '2h' }, 'g')).toBeUndefined();
    expect(resolveBatchSettings({ batch: true, batch_deadline: '2h' }, 'g')).toMatchObject({
      deadlineMs: 7_200_000,
      gatherMs: 2000,
      pollMs: 5000,
    });
  });
});
