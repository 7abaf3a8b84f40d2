import { createRandom } from '@dgt/core';
import type { FakeRequest } from './types.js';

/** Options of {@link lognormalLatency}. */
export type LognormalLatencyOptions = {
  /** Median reply time in milliseconds. */
  medianMs: number;
  /** Spread of the underlying normal: 1 gives a p99 about ten times the median. */
  sigma: number;
  /** Seed of the draws, so a benchmark sees the same sequence each run (default 1). */
  seed?: number | string;
};

/**
 * Reply times that vary as real LM replies do: log-normally distributed, most near the median,
 * a long tail of slow ones (σ = 1: p90 ≈ 3.6×, p99 ≈ 10× the median; mean ≈ 1.65× the median).
 * Pass it as a fake server's `latencyMs`; draws follow the requests' arrival order.
 *
 * @example
 * const server = await startFakeOpenAI({ latencyMs: lognormalLatency({ medianMs: 1000, sigma: 1 }) });
 */
export function lognormalLatency(
  options: LognormalLatencyOptions,
): ((req: FakeRequest) => number) & { meanMs: number } {
  const random = createRandom(options.seed ?? 1);
  const draw = () => {
    // Box–Muller: a standard normal from two uniform draws.
    const u = 1 - random.next();
    const v = random.next();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return options.medianMs * Math.exp(options.sigma * normal);
  };
  return Object.assign((_req: FakeRequest) => draw(), {
    meanMs: lognormalMeanMs(options.medianMs, options.sigma),
  });
}

/** The mean of a log-normal reply time: median × e^(σ²/2). */
export function lognormalMeanMs(medianMs: number, sigma: number): number {
  return medianMs * Math.exp((sigma * sigma) / 2);
}
