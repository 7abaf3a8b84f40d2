import { describe, expect, it } from 'vitest';
import { lognormalLatency, lognormalMeanMs } from './latency.js';
import type { FakeRequest } from './types.js';

describe('lognormalLatency', () => {
  it('draws reply times with the asked median and a tail ten times longer at p99', () => {
    const latency = lognormalLatency({ medianMs: 1000, sigma: 1, seed: 3 });
    const draws = Array.from({ length: 20_000 }, () => latency({} as FakeRequest)).sort(
      (a, b) => a - b,
    );
    const at = (q: number) => draws[Math.floor(q * draws.length)]!;
    expect(at(0.5)).toBeGreaterThan(900);
    expect(at(0.5)).toBeLessThan(1100);
    expect(at(0.99) / at(0.5)).toBeGreaterThan(8);
    expect(at(0.99) / at(0.5)).toBeLessThan(12.5);
    const mean = draws.reduce((sum, ms) => sum + ms, 0) / draws.length;
    expect(mean / lognormalMeanMs(1000, 1)).toBeGreaterThan(0.93);
    expect(mean / lognormalMeanMs(1000, 1)).toBeLessThan(1.07);
    expect(latency.meanMs).toBeCloseTo(1648.7, 0);
  });

  it('repeats the same sequence for the same seed', () => {
    const a = lognormalLatency({ medianMs: 50, sigma: 1, seed: 'x' });
    const b = lognormalLatency({ medianMs: 50, sigma: 1, seed: 'x' });
    for (let i = 0; i < 10; i++) expect(a({} as FakeRequest)).toBe(b({} as FakeRequest));
  });
});
