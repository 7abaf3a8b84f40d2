import { describe, expect, it } from 'vitest';
import { createTokenizer, lcsLength, rougeScore } from './dedup/rouge.js';
import { rougeScorerBlock } from './rouge-scorer.js';
import { callContext, makeBlock } from './shared/make-block.js';

const rows = (...texts: string[]) => texts.map((input) => ({ task_name: 't', input }));

describe('rouge scores', () => {
  const tokenize = createTokenizer();

  it('computes ROUGE-L from the longest common subsequence', () => {
    const a = tokenize('I went to the store yesterday');
    const b = tokenize('I went to the store');
    expect(lcsLength(a.tokens, b.tokens)).toBe(5);
    // precision 5/5 (over the earlier record), recall 5/6 (over the new row)
    expect(rougeScore(a, b, ['lcs'], 'precision')).toBe(1);
    expect(rougeScore(a, b, ['lcs'], 'recall')).toBeCloseTo(5 / 6);
    expect(rougeScore(a, b, ['lcs'], 'f1')).toBeCloseTo(10 / 11);
  });

  it('computes ROUGE-N from n-gram overlap', () => {
    const a = tokenize('the cat sat on the mat');
    const b = tokenize('the cat lay on the mat');
    // bigrams: 5 each, shared: "the cat", "on the", "the mat"
    expect(rougeScore(a, b, ['n_2'], 'f1')).toBeCloseTo(3 / 5);
    expect(rougeScore(a, b, ['n_1'], 'f1')).toBeCloseTo(4 / 5);
  });
});

describe('rouge_scorer', () => {
  it('drops rows at or above the threshold (DiGiT semantics: ≥ removes)', async () => {
    const block = await makeBlock(rougeScorerBlock, { filter: true, threshold: 0.91 });
    const out = await block.call(
      rows(
        'I went to the store yesterday',
        'I went to the store',
        'blue red yellow green',
        'Blue, red, yellow, green!',
      ),
      undefined,
      callContext(),
    );
    expect(out.rows.map((r) => r.input)).toEqual([
      'I went to the store yesterday',
      'I went to the store',
      'blue red yellow green',
    ]);
    expect(out.rejected?.[0]?.reason).toMatch(/ROUGE score 1\.00 ≥ threshold 0\.91/);
  });

  it('does nothing with DiGiT’s default threshold (1.1)', async () => {
    const block = await makeBlock(rougeScorerBlock, { filter: true });
    expect((await block.call(rows('a b', 'a b'), undefined, callContext())).rows).toHaveLength(2);
  });

  it('compares with context texts too, and accepts rouge_score type names', async () => {
    const block = await makeBlock(rougeScorerBlock, {
      threshold: 0.5,
      rouge_type: 'rouge2',
      context: ['the quick brown fox jumps over the lazy dog'],
    });
    const out = await block.call(
      rows('a quick brown fox jumps over a sleepy dog', 'an entirely different sentence here'),
      undefined,
      callContext(),
    );
    expect(out.rows.map((r) => r.is_valid)).toEqual([false, true]);
    const perCall = await block.call(
      rows('an entirely different sentence here'),
      { context: ['an entirely different sentence here'], scope: 'call' },
      callContext(),
    );
    expect(perCall.rows[0]?.is_valid).toBe(false);
  });

  it('rejects unknown rouge types in the config', () => {
    expect(() =>
      rougeScorerBlock.configSchema.parse({
        name: 'r',
        type: 'rouge_scorer',
        rouge_types: ['bleu'],
      }),
    ).toThrow(/lcs/);
  });
});
