import { normalizeText } from '../exact-dedup.js';
import type { DedupIndex } from './dedup-runner.js';

/** How texts are cut into shingles: runs of words, or runs of characters. */
export type ShingleUnit = 'word' | 'char';

function fmix32(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hashString(text: string, from = 0, to = text.length): number {
  // FNV-1a over UTF-16 code units.
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The distinct shingle hashes of a text after normalisation (case, spaces and punctuation
 * folded): every run of `size` consecutive words (or characters). A text shorter than one
 * shingle is one shingle.
 */
export function shingleHashes(text: string, size: number, unit: ShingleUnit = 'word'): Uint32Array {
  const normal = normalizeText(text);
  const out = new Set<number>();
  if (unit === 'char') {
    if (normal.length <= size) out.add(hashString(normal));
    else for (let i = 0; i + size <= normal.length; i++) out.add(hashString(normal, i, i + size));
  } else {
    const words = normal ? normal.split(' ').map((word) => hashString(word)) : [];
    const count = Math.max(1, words.length - size + 1);
    for (let i = 0; i < count; i++) {
      let h = 0x9747b28c;
      for (let j = i; j < Math.min(words.length, i + size); j++)
        h = Math.imul(h ^ words[j]!, 0x5bd1e995) ^ (h >>> 15);
      out.add(fmix32(h));
    }
  }
  return Uint32Array.from(out);
}

/**
 * Computes MinHash signatures: `numPerm` hash functions seeded from `seed`, so the same text
 * always gets the same signature. Each minimum keeps its high 16 bits, which halves memory and
 * the state file; a chance collision (1 in 65,536 per position) barely moves the estimate.
 */
export class MinHasher {
  private readonly seeds: Uint32Array;
  private readonly mins: Uint32Array;

  constructor(
    readonly numPerm: number,
    seed = 1,
  ) {
    this.seeds = new Uint32Array(numPerm);
    // splitmix32: fixed, well-spread seeds per hash function.
    let state = seed >>> 0;
    for (let i = 0; i < numPerm; i++) {
      state = (state + 0x9e3779b9) >>> 0;
      this.seeds[i] = fmix32(state);
    }
    this.mins = new Uint32Array(numPerm);
  }

  signature(shingles: Uint32Array): Uint16Array {
    const { seeds, mins, numPerm } = this;
    mins.fill(0xffffffff);
    for (let s = 0; s < shingles.length; s++) {
      const shingle = shingles[s]!;
      for (let p = 0; p < numPerm; p++) {
        let h = shingle ^ seeds[p]!;
        h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
        h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
        h = (h ^ (h >>> 16)) >>> 0;
        if (h < mins[p]!) mins[p] = h;
      }
    }
    const out = new Uint16Array(numPerm);
    for (let p = 0; p < numPerm; p++) out[p] = mins[p]! >>> 16;
    return out;
  }
}

/** The fraction of equal positions of two signatures: the estimated Jaccard similarity. */
export function estimateJaccard(a: Uint16Array, b: Uint16Array, bOffset = 0): number {
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[bOffset + i]) equal++;
  return equal / a.length;
}

function integrate(f: (s: number) => number, from: number, to: number): number {
  const steps = 100;
  const width = (to - from) / steps;
  let area = 0;
  for (let i = 0; i < steps; i++) area += f(from + (i + 0.5) * width) * width;
  return area;
}

/**
 * Picks LSH banding (`bands` × `rows` ≤ `numPerm`) for a Jaccard threshold: the split whose
 * S-curve `1 − (1 − s^rows)^bands` best separates pairs above the threshold from pairs below,
 * weighing missed pairs (`falseNegativeWeight`) against extra candidates. Candidates are always
 * verified against the full signature, so missed pairs cost more than extra candidates.
 */
export function chooseBands(
  threshold: number,
  numPerm: number,
  falseNegativeWeight = 0.9,
): { bands: number; rows: number } {
  let best = { bands: 1, rows: numPerm, error: Number.POSITIVE_INFINITY };
  for (let bands = 1; bands <= numPerm; bands++) {
    for (let rows = 1; rows * bands <= numPerm; rows++) {
      const p = (s: number) => 1 - (1 - s ** rows) ** bands;
      const falsePositive = integrate(p, 0, threshold);
      const falseNegative = integrate((s) => 1 - p(s), threshold, 1);
      const error = (1 - falseNegativeWeight) * falsePositive + falseNegativeWeight * falseNegative;
      if (error < best.error) best = { bands, rows, error };
    }
  }
  return { bands: best.bands, rows: best.rows };
}

/**
 * A MinHash-LSH index: signatures stored in one growing array, one hash table per band. `find`
 * looks up the candidates sharing a band and verifies each against the full signature.
 */
export class LshIndex implements DedupIndex<Uint16Array> {
  private signatures: Uint16Array;
  private visited: Uint32Array;
  private generation = 0;
  private count = 0;
  private readonly tables: Map<number, number | number[]>[];

  constructor(
    private readonly numPerm: number,
    private readonly bands: number,
    private readonly rows: number,
    private readonly threshold: number,
  ) {
    this.signatures = new Uint16Array(numPerm * 1024);
    this.visited = new Uint32Array(1024);
    this.tables = Array.from({ length: bands }, () => new Map());
  }

  /** Number of signatures indexed. */
  get size(): number {
    return this.count;
  }

  private bandKey(signature: Uint16Array, band: number, offset = 0): number {
    let h = 0x811c9dc5 ^ band;
    const start = offset + band * this.rows;
    for (let i = start; i < start + this.rows; i++) h = Math.imul(h ^ signature[i]!, 0x01000193);
    return fmix32(h);
  }

  find(signature: Uint16Array): string | undefined {
    const generation = ++this.generation;
    for (let band = 0; band < this.bands; band++) {
      const hit = this.tables[band]!.get(this.bandKey(signature, band));
      if (hit === undefined) continue;
      for (const id of typeof hit === 'number' ? [hit] : hit) {
        if (this.visited[id] === generation) continue;
        this.visited[id] = generation;
        const similarity = estimateJaccard(signature, this.signatures, id * this.numPerm);
        if (similarity >= this.threshold) {
          return `near duplicate of an earlier record (estimated Jaccard ${similarity.toFixed(2)} ≥ ${this.threshold})`;
        }
      }
    }
    return undefined;
  }

  add(signature: Uint16Array): void {
    const id = this.count++;
    if ((id + 1) * this.numPerm > this.signatures.length) {
      const grown = new Uint16Array(this.signatures.length * 2);
      grown.set(this.signatures);
      this.signatures = grown;
      const visited = new Uint32Array(this.visited.length * 2);
      visited.set(this.visited);
      this.visited = visited;
    }
    this.signatures.set(signature, id * this.numPerm);
    for (let band = 0; band < this.bands; band++) {
      const table = this.tables[band]!;
      const key = this.bandKey(signature, band);
      const hit = table.get(key);
      if (hit === undefined) table.set(key, id);
      else if (typeof hit === 'number') table.set(key, [hit, id]);
      else hit.push(id);
    }
  }
}

/** Packs signatures into base64 (little-endian 16-bit values) for the state file. */
export function encodeSignatures(signatures: Uint16Array[]): string {
  const numPerm = signatures[0]?.length ?? 0;
  const packed = new Uint16Array(signatures.length * numPerm);
  for (const [i, signature] of signatures.entries()) packed.set(signature, i * numPerm);
  return Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString('base64');
}

/** Unpacks {@link encodeSignatures}. */
export function decodeSignatures(data: string, numPerm: number): Uint16Array[] {
  const bytes = Buffer.from(data, 'base64');
  const packed = new Uint16Array(bytes.byteLength / 2);
  new Uint8Array(packed.buffer).set(bytes);
  const out: Uint16Array[] = [];
  for (let i = 0; i + numPerm <= packed.length; i += numPerm)
    out.push(packed.subarray(i, i + numPerm));
  return out;
}
