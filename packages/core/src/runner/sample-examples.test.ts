import { describe, expect, it } from 'vitest';
import { createRandom } from '../random/seeded-random.js';
import { sampleExamples } from './sample-examples.js';

const seeds = Array.from({ length: 6 }, (_, i) => ({ task_name: 't', is_seed: true, n: `s${i}` }));
const accepted = Array.from({ length: 6 }, (_, i) => ({
  task_name: 't',
  is_seed: false,
  n: `a${i}`,
}));

describe('sampleExamples', () => {
  it('draws seeds and accepted outputs in the batch-size ratio, the same for the same seed', () => {
    const pool = { seeds, accepted, seedBatchSize: 1, machineBatchSize: 3 };
    const picked = sampleExamples(createRandom(1), pool, 4);
    expect(picked.filter((r) => r.is_seed)).toHaveLength(1);
    expect(picked.filter((r) => !r.is_seed)).toHaveLength(3);
    expect(sampleExamples(createRandom(1), pool, 4)).toEqual(picked);
  });

  it('shows only seeds while nothing was accepted, and tops up from the seeds', () => {
    const none = sampleExamples(
      createRandom(2),
      { seeds, accepted: [], seedBatchSize: 1, machineBatchSize: 3 },
      4,
    );
    expect(none.every((r) => r.is_seed)).toBe(true);
    const few = sampleExamples(
      createRandom(2),
      { seeds, accepted: accepted.slice(0, 1), seedBatchSize: 1, machineBatchSize: 3 },
      4,
      0,
    );
    expect(few).toHaveLength(4);
    expect(new Set(few.map((r) => r.n)).size).toBe(4);
  });

  it('returns copies', () => {
    const [first] = sampleExamples(
      createRandom(3),
      { seeds, accepted: [], seedBatchSize: 1, machineBatchSize: 1 },
      1,
    );
    first!.n = 'changed';
    expect(seeds.some((s) => s.n === 'changed')).toBe(false);
  });
});
