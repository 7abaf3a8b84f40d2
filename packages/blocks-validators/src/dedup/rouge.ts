import type { DedupIndex } from './dedup-runner.js';

/** How a ROUGE score combines overlap precision and recall. */
export type ScoreFunc = 'f1' | 'precision' | 'recall';

/** ROUGE-L (`lcs`, longest common subsequence) or ROUGE-N (`n_1`, `n_2`, …: n-gram overlap). */
export type RougeType = 'lcs' | `n_${number}`;

/** A tokenised text: token ids in order, and sorted (for the cheap overlap bound). */
export type RougeItem = { text: string; tokens: Int32Array; sorted: Int32Array };

/** rouge_score's default tokenisation: lower case, runs of letters and digits. */
export function rougeTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

// As in DiGiT: precision is the overlap over the earlier record's length, recall over the new
// row's length.
function combine(overlap: number, earlier: number, row: number, func: ScoreFunc): number {
  const precision = overlap / (earlier || 1);
  const recall = overlap / (row || 1);
  if (func === 'precision') return precision;
  if (func === 'recall') return recall;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** Length of the longest common subsequence, in O(|a|·|b|) time and O(|b|) memory. */
export function lcsLength(a: Int32Array, b: Int32Array): number {
  const row = new Uint16Array(b.length + 1);
  for (let i = 0; i < a.length; i++) {
    let diagonal = 0;
    const token = a[i];
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = token === b[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function ngramOverlap(a: Int32Array, b: Int32Array, n: number): [number, number, number] {
  const grams = (tokens: Int32Array) => {
    const out = new Set<string>();
    for (let i = 0; i + n <= tokens.length; i++) out.add(tokens.subarray(i, i + n).join(','));
    return out;
  };
  const ga = grams(a);
  const gb = grams(b);
  let overlap = 0;
  for (const gram of ga) if (gb.has(gram)) overlap++;
  return [overlap, ga.size, gb.size];
}

/** Tokens shared by two sorted token lists, counted with multiplicity: a bound on the LCS. */
function bagOverlap(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      common++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return common;
}

/**
 * The ROUGE score of a new row against an earlier record: the mean over `types` of ROUGE-L or
 * ROUGE-N, each as F1, precision (overlap / earlier length) or recall (overlap / row length).
 */
export function rougeScore(
  row: RougeItem,
  earlier: RougeItem,
  types: RougeType[],
  func: ScoreFunc,
): number {
  let total = 0;
  for (const type of types) {
    if (type === 'lcs') {
      total += combine(
        lcsLength(row.tokens, earlier.tokens),
        earlier.tokens.length,
        row.tokens.length,
        func,
      );
    } else {
      const [overlap, r, e] = ngramOverlap(row.tokens, earlier.tokens, Number(type.slice(2)));
      total += combine(overlap, e, r, func);
    }
  }
  return total / types.length;
}

/** Turns texts into {@link RougeItem}s with one shared vocabulary. */
export function createTokenizer(): (text: string) => RougeItem {
  const vocabulary = new Map<string, number>();
  return (text) => {
    const tokens = Int32Array.from(rougeTokens(text), (token) => {
      let id = vocabulary.get(token);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(token, id);
      }
      return id;
    });
    return { text, tokens, sorted: tokens.slice().sort() };
  };
}

/**
 * Pairwise ROUGE against every indexed text (quadratic, as in DiGiT). For ROUGE-L alone a cheap
 * exact bound (shared tokens ≥ LCS) skips the LCS of pairs that cannot reach the threshold.
 */
export class RougeIndex implements DedupIndex<RougeItem> {
  private readonly items: RougeItem[] = [];

  constructor(
    private readonly threshold: number,
    private readonly types: RougeType[],
    private readonly func: ScoreFunc,
  ) {}

  find(item: RougeItem): string | undefined {
    if (this.threshold > 1) return undefined;
    const boundable = this.types.length === 1 && this.types[0] === 'lcs';
    let best = -1;
    for (const other of this.items) {
      if (
        boundable &&
        combine(
          bagOverlap(item.sorted, other.sorted),
          other.tokens.length,
          item.tokens.length,
          this.func,
        ) < this.threshold
      )
        continue;
      const score = rougeScore(item, other, this.types, this.func);
      if (score >= this.threshold) {
        best = score;
        break;
      }
    }
    return best >= 0
      ? `ROUGE score ${best.toFixed(2)} ≥ threshold ${this.threshold} against an earlier record`
      : undefined;
  }

  add(item: RougeItem): void {
    this.items.push(item);
  }
}
