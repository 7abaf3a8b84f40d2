// FNV-1a over the UTF-16 code units: spreads words over the vector's dimensions.
function hash(text: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A lexical embedding of a text: its words and word pairs (lower-cased) hashed into
 * `dimensions` signed buckets, scaled to unit length. Texts sharing most words have a cosine
 * similarity near 1; unrelated texts near 0. It needs no model, so it stands in where no
 * embedding model is available (the mock engine, the fake servers), and catches reworded
 * copies only as far as they share words.
 *
 * @example
 * const a = lexicalEmbedding('What is the longest river?');
 * const b = lexicalEmbedding('What is the longest river in Africa?');
 * // cosine(a, b) ≈ 0.8
 */
export function lexicalEmbedding(text: string, dimensions = 256): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const features = [...words, ...words.slice(1).map((word, i) => `${words[i]} ${word}`)];
  for (const feature of features) {
    const h = hash(feature, 0);
    const at = h % dimensions;
    vector[at] = (vector[at] ?? 0) + ((h & 0x80000000) === 0 ? 1 : -1);
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((v) => v / norm);
}
