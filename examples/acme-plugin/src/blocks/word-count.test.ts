import { describe, expect, it } from 'vitest';
import { countWords, wordCountBlock } from './word-count.js';

const ctx = { emit: () => undefined };

async function check(config: Record<string, unknown>, inputs: string[]) {
  const parsed = wordCountBlock.configSchema.parse(config);
  const block = await wordCountBlock.create(
    { ...parsed, name: 'len', type: 'acme/word_count' },
    { outputDir: '.', env: {} },
  );
  return block.call(
    inputs.map((input) => ({ task_name: 't', input })),
    undefined,
    ctx,
  );
}

describe('acme/word_count', () => {
  it('counts words separated by any whitespace', () => {
    expect(countWords('  Just add\twater\n')).toBe(3);
    expect(countWords('')).toBe(0);
  });

  it('drops rows outside the range and says why', async () => {
    const out = await check({ min_words: 2, max_words: 4 }, ['one', 'one two', 'a b c d e']);
    expect(out.rows.map((r) => r.input)).toEqual(['one two']);
    expect(out.rejected?.map((r) => r.reason)).toEqual([
      '1 words, fewer than 2',
      '5 words, more than 4',
    ]);
  });

  it('marks instead of dropping with filter: false', async () => {
    const out = await check({ min_words: 2, filter: false }, ['one', 'one two']);
    expect(out.rows.map((r) => [r.is_valid, r.invalid_reason])).toEqual([
      [false, '1 words, fewer than 2'],
      [true, undefined],
    ]);
  });
});
