// Synthetic dedup benchmark data: `n` records of 30–40 words, of which `copies` are planted
// near-copies (one word changed) of earlier originals. Deterministic for a given seed.
//
//   node bench/dedup/generate.mjs 100000 10000 > records.jsonl

/** mulberry32: a small, fast, seedable PRNG. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES =
  'ka lo mi ner ta vus or pel si dra un bo che fa gri hu ja lek mo pra qui ros sel tin ur vo wy xa ze'.split(
    ' ',
  );

/** A vocabulary of pseudo-words sampled with a Zipf-like law, as in natural text. */
function vocabulary(rand, size) {
  const words = new Set();
  while (words.size < size) {
    const parts = 1 + Math.floor(rand() * 3);
    let word = '';
    for (let i = 0; i < parts; i++) word += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    words.add(word);
  }
  const list = [...words];
  const cdf = new Float64Array(list.length);
  let total = 0;
  for (let i = 0; i < list.length; i++) cdf[i] = total += 1 / (i + 10);
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return list[lo];
  };
}

/**
 * Returns `n` records `{id, family, role, text}`: `n - copies` originals and `copies` near-copies.
 * A third of the copied families get two copies, the rest one. Every copy comes after its
 * original in the output order; the order is otherwise random.
 */
export function generate(n, copies, seed = 42) {
  const rand = random(seed);
  const word = vocabulary(rand, 20_000);
  const originals = n - copies;
  const texts = [];
  for (let i = 0; i < originals; i++) {
    const length = 30 + Math.floor(rand() * 11);
    texts.push(Array.from({ length }, word));
  }
  const records = texts.map((words, i) => ({ family: i, role: 'original', words }));
  // Families with two copies, then families with one, until `copies` are planted.
  const doubles = Math.floor(copies / 3 / 2);
  let planted = 0;
  for (let f = 0; planted < copies; f++) {
    const count = f < doubles ? 2 : 1;
    for (let c = 0; c < count && planted < copies; c++, planted++) {
      const words = texts[f].slice();
      const at = Math.floor(rand() * words.length);
      let replacement = word();
      while (replacement === words[at]) replacement = word();
      words[at] = replacement;
      records.push({ family: f, role: 'copy', words });
    }
  }
  // Shuffle, then put each family's original at the family's earliest position.
  for (let i = records.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [records[i], records[j]] = [records[j], records[i]];
  }
  const first = new Map();
  records.forEach((record, i) => {
    if (!first.has(record.family)) first.set(record.family, i);
  });
  records.forEach((record, i) => {
    if (record.role !== 'original') return;
    const earliest = first.get(record.family);
    if (earliest !== i) [records[earliest], records[i]] = [records[i], records[earliest]];
  });
  return records.map((record, id) => ({
    id,
    family: record.family,
    role: record.role,
    text: record.words.join(' '),
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n = '100000', copies = '10000'] = process.argv.slice(2);
  const out = generate(Number(n), Number(copies));
  process.stdout.write(out.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
