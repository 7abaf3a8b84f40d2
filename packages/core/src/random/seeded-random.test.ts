import { describe, expect, it } from 'vitest';
import { createRandom } from './seeded-random.js';

describe('createRandom', () => {
  it('draws the same sequence for the same seed and a different one for another seed', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('forks independent, reproducible sources by label', () => {
    const root = createRandom(1);
    expect(root.fork('task-a').next()).toBe(createRandom(1).fork('task-a').next());
    expect(root.fork('task-a').next()).not.toBe(root.fork('task-b').next());
  });

  it('samples without replacement and shuffles every element once', () => {
    const random = createRandom('s');
    const items = Array.from({ length: 20 }, (_, i) => i);
    const sample = random.sample(items, 8);
    expect(new Set(sample).size).toBe(8);
    expect(random.sample(items, 50)).toHaveLength(20);
    expect(random.shuffle(items).sort((x, y) => x - y)).toEqual(items);
    expect(random.choices(['x'], 3)).toEqual(['x', 'x', 'x']);
    expect(() => random.pick([])).toThrow();
  });

  it('spreads integers over the whole range', () => {
    const random = createRandom(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[random.int(4)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(850);
  });

  it('samples from long lists without replacement, uniformly and reproducibly', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const first = createRandom('long').sample(items, 5);
    expect(createRandom('long').sample(items, 5)).toEqual(first);
    expect(new Set(first).size).toBe(5);
    expect(createRandom('long').sample(items, 2.7)).toHaveLength(2);
    expect(createRandom('long').sample(items, -1)).toEqual([]);
    const random = createRandom(5);
    const hits = new Array<number>(10).fill(0);
    const tens = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
    for (let round = 0; round < 2000; round++) {
      const picks = random.sample(tens, 3);
      expect(picks).toHaveLength(3);
      for (const tenth of picks) hits[tenth]!++;
    }
    // 6000 picks over ten equal parts: about 600 each.
    for (const count of hits) expect(count).toBeGreaterThan(500);
    for (const count of hits) expect(count).toBeLessThan(700);
  });
});
