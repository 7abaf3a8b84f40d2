import { describe, expect, it } from 'vitest';
import { chunkWords } from './chunk-text.js';

const words = (n: number, prefix = 'w') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const count = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('chunkWords', () => {
  it('keeps a whole document for chunk_size -1 or a short text', () => {
    expect(chunkWords('  one two\n\nthree  ', -1)).toEqual(['one two\n\nthree']);
    expect(chunkWords('one two three', 10)).toEqual(['one two three']);
    expect(chunkWords('   ', 5)).toEqual([]);
  });

  it('cuts between paragraphs and keeps each chunk within chunk_size words', () => {
    const paragraphs = [words(40, 'a'), words(50, 'b'), words(30, 'c'), words(60, 'd')].map((p) =>
      p.join(' '),
    );
    const chunks = chunkWords(paragraphs.join('\n\n'), 100);
    expect(chunks).toEqual([
      `${paragraphs[0]}\n\n${paragraphs[1]}`,
      `${paragraphs[2]}\n\n${paragraphs[3]}`,
    ]);
  });

  it('splits a paragraph longer than a chunk by words and joins a short tail (as DiGiT)', () => {
    const chunks = chunkWords(words(1030).join(' '), 500);
    expect(chunks.map(count)).toEqual([500, 530]);
    expect(chunks.join(' ')).toBe(words(1030).join(' '));
  });
});
