import { describe, expect, it } from 'vitest';
import { parseRating } from './qa-rater.js';

describe('parseRating', () => {
  it('reads structured output', () => {
    expect(
      parseRating({ parsed: { difficulty: 'hard', knowledge: 'rivers', explanation: 'obscure' } }),
    ).toEqual({ difficulty: 'hard', knowledge: 'rivers', explanation: 'obscure' });
  });

  it('finds "very hard" before "hard" and maps 1-5 scores to levels', () => {
    expect(parseRating({ result: '{"difficulty": "Very Hard!"}' }).difficulty).toBe('very hard');
    expect(parseRating({ result: '{"difficulty": 2}' }).difficulty).toBe('easy');
    expect(parseRating({ result: 'Difficulty: 4/5 because few know it' }).difficulty).toBe('hard');
  });

  it('names no level when the reply has none', () => {
    expect(parseRating({ result: 'no idea' })).toEqual({
      difficulty: null,
      knowledge: null,
      explanation: 'no idea',
    });
  });
});
