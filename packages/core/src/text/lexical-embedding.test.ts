import { describe, expect, it } from 'vitest';
import { lexicalEmbedding } from './lexical-embedding.js';

const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

describe('lexicalEmbedding', () => {
  it('gives unit vectors; close wordings score high, unrelated texts low', () => {
    const a = lexicalEmbedding('What is the longest river in South America?');
    const b = lexicalEmbedding('what is the longest river in south america');
    const c = lexicalEmbedding('Which mountain range runs along the border of France?');
    expect(Math.hypot(...a)).toBeCloseTo(1, 6);
    expect(cosine(a, b)).toBeCloseTo(1, 6);
    expect(cosine(a, c)).toBeLessThan(0.5);
    expect(lexicalEmbedding('')).toEqual(new Array(256).fill(0));
  });
});
