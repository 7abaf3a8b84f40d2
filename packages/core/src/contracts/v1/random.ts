/**
 * A deterministic random source. Runs seeded alike draw alike, so the same run issues the same
 * LM requests (and hits the request cache on a rerun).
 */
export type RandomSource = {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element, uniformly. Throws on an empty list. */
  pick<T>(items: readonly T[]): T;
  /** `k` elements drawn with replacement. */
  choices<T>(items: readonly T[], k: number): T[];
  /** Up to `k` distinct elements (fewer if the list is shorter), in random order. */
  sample<T>(items: readonly T[], k: number): T[];
  /** A copy in random order. */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent source derived from this one's seed and a label (one per task, per block). */
  fork(label: string): RandomSource;
};
