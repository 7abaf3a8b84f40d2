import type { RandomSource } from '../contracts/v1/random.js';

export type { RandomSource };

// Lists up to this long are sampled by shuffling a copy (and draw as they always have).
const SHUFFLE_WHOLE = 64;

/** The seed used when a task gives no `random_seed`. */
export const DEFAULT_RANDOM_SEED = 42;

// FNV-1a over the UTF-16 code units; enough to spread labels into 32-bit seeds.
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Creates a seeded source (sfc32 generator: small, fast, and good enough for sampling examples).
 *
 * @example
 * const random = createRandom(42).fork('public/examples/geography_qa');
 * const examples = random.sample(seeds, 3);
 */
export function createRandom(seed: number | string = DEFAULT_RANDOM_SEED): RandomSource {
  const seedText = String(seed);
  let a = hashString(`a:${seedText}`);
  let b = hashString(`b:${seedText}`);
  let c = hashString(`c:${seedText}`);
  let d = hashString(`d:${seedText}`) | 1;
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Warm up: the first outputs of sfc32 correlate with the seed words.
  for (let i = 0; i < 12; i++) next();

  const int = (n: number): number => Math.floor(next() * n);
  const source: RandomSource = {
    next,
    int,
    pick(items) {
      if (items.length === 0) throw new Error('cannot pick from an empty list');
      return items[int(items.length)] as (typeof items)[number];
    },
    choices(items, k) {
      return Array.from({ length: k }, () => source.pick(items));
    },
    sample(items, k) {
      const n = items.length;
      const count = Math.min(n, Math.max(0, Math.trunc(k) || 0));
      // Short lists (seed examples) are shuffled whole, as always; from a long list (a task's
      // accepted records) only the `count` picks are drawn, so sampling a few examples per
      // request costs O(count), not O(list).
      if (n <= SHUFFLE_WHOLE || count === n) return source.shuffle(items).slice(0, count);
      // A partial Fisher-Yates shuffle over a virtual copy: `moved` holds the positions whose
      // element was swapped away.
      const moved = new Map<number, (typeof items)[number]>();
      const at = (i: number) => (moved.has(i) ? moved.get(i) : items[i]) as (typeof items)[number];
      const out: (typeof items)[number][] = [];
      for (let i = 0; i < count; i++) {
        const j = i + int(n - i);
        const picked = at(j);
        moved.set(j, at(i));
        out.push(picked);
      }
      return out;
    },
    shuffle(items) {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [copy[i], copy[j]] = [copy[j] as (typeof copy)[number], copy[i] as (typeof copy)[number]];
      }
      return copy;
    },
    fork(label) {
      return createRandom(`${seedText}/${label}`);
    },
  };
  return source;
}
