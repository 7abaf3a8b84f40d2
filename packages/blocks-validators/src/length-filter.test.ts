import { describe, expect, it } from 'vitest';
import { lengthFilterBlock, measure } from './length-filter.js';
import { callContext, makeBlock } from './shared/make-block.js';

describe('length', () => {
  it('counts code points, words and lines', () => {
    expect(measure('héllo 👋', 'chars')).toBe(7);
    expect(measure('  two   words ', 'words')).toBe(2);
    expect(measure('a\nb\r\nc', 'lines')).toBe(3);
  });

  it('filters rows outside min..max with the measured length as the reason', async () => {
    const block = await makeBlock(lengthFilterBlock, {
      min: 3,
      max: 5,
      unit: 'words',
      filter: true,
    });
    const out = await block.call(
      [
        { input: 'too short' },
        { input: 'just about right here' },
        { input: 'one two three four five six' },
      ],
      undefined,
      callContext(),
    );
    expect(out.rows.map((r) => r.input)).toEqual(['just about right here']);
    expect(out.rejected?.map((r) => r.reason)).toEqual([
      '2 words, fewer than the minimum 3',
      '6 words, more than the maximum 5',
    ]);
  });

  it('needs min or max', async () => {
    await expect(makeBlock(lengthFilterBlock, {})).rejects.toThrow(/min, max/);
  });
});
