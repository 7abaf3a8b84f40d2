import { describe, expect, it } from 'vitest';
import { answersMatch, normalizeAnswer } from './answer-match.js';
import { parseReasoning } from './cot-reply.js';

describe('answersMatch', () => {
  it('ignores case, articles, punctuation and emphasis', () => {
    expect(normalizeAnswer('**The Feathers.**')).toBe('feathers');
    expect(answersMatch('the feathers', 'The Feathers')).toBe(true);
    expect(answersMatch('Final answer: Lima!', 'Lima')).toBe(true);
  });

  it('compares numbers by value, using the last number of the prediction', () => {
    expect(answersMatch('1,000.0', '1000')).toBe(true);
    expect(answersMatch('So 15 × 6 − 7 = 83 muffins', '83')).toBe(true);
    expect(answersMatch('84', '83')).toBe(false);
    expect(answersMatch('$30', '30')).toBe(true);
  });

  it('accepts a prediction ending in the reference, or the same lettered choice', () => {
    expect(answersMatch('so the heavier one is the feathers', 'The feathers')).toBe(true);
    expect(answersMatch('B', 'B) The queen')).toBe(true);
    expect(answersMatch('Paris', 'Lima')).toBe(false);
    expect(answersMatch('', 'Lima')).toBe(false);
  });
});

describe('parseReasoning', () => {
  it('reads steps and the final answer from structured output', () => {
    expect(
      parseReasoning({ parsed: { steps: ['6 × 15 = 90', '90 − 7 = 83'], final_answer: '83' } }),
    ).toEqual({
      reasoning: '6 × 15 = 90\n90 − 7 = 83',
      finalAnswer: '83',
    });
  });

  it('reads the text format, ending in a Final answer line', () => {
    expect(parseReasoning({ result: 'Step 1: 24 × 13 = 312.\nFinal answer: **13**' })).toEqual({
      reasoning: 'Step 1: 24 × 13 = 312.',
      finalAnswer: '13',
    });
    expect(parseReasoning({ result: 'We add them.\nThe answer is 7.' })?.finalAnswer).toBe('7.');
    expect(parseReasoning({ result: 'Answering needs more data.' })).toBeUndefined();
  });
});
