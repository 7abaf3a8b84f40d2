import type { DataPoint } from '../contracts/v1/data-point.js';
import type { RandomSource } from '../random/seeded-random.js';

/** What a generation task can show as in-context examples, and its batch-size ratio. */
export type ExamplePool = {
  seeds: readonly DataPoint[];
  /** Accepted outputs the attempt may show. */
  accepted: readonly DataPoint[];
  seedBatchSize: number;
  machineBatchSize: number;
};

/**
 * Draws `k` in-context examples without replacement: `seedFraction` of them from the seeds
 * (default: the seed_batch_size : machine_batch_size ratio, or all seeds while nothing was
 * accepted), the rest from accepted outputs, topped up from the seeds when too few outputs exist
 * yet; shuffled, and copied so a builder may change them. `GenerationContext.sampleExamples`
 * semantics, for code that runs a builder call away from the runner (`dgt worker`).
 */
export function sampleExamples(
  random: RandomSource,
  pool: ExamplePool,
  k: number,
  seedFraction?: number,
): DataPoint[] {
  const { seeds, accepted, seedBatchSize, machineBatchSize } = pool;
  const fraction =
    seedFraction ??
    (accepted.length === 0 ? 1 : seedBatchSize / Math.max(1, seedBatchSize + machineBatchSize));
  const fromSeeds = random.sample(seeds, Math.round(k * fraction));
  // Nothing is drawn when no output is wanted: how much randomness a draw uses depends on how
  // many outputs exist, which varies with when other attempts commit.
  const machineCount = k - fromSeeds.length;
  const fromMachine = machineCount > 0 ? random.sample(accepted, machineCount) : [];
  const picked = [...fromSeeds, ...fromMachine];
  if (picked.length < k)
    picked.push(
      ...random.sample(
        seeds.filter((s) => !fromSeeds.includes(s)),
        k - picked.length,
      ),
    );
  return random.shuffle(picked).map((record) => ({ ...record }));
}
