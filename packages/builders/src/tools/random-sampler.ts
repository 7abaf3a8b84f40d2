import type { RandomSource } from '@dgt/core';
import { DgtError } from '@dgt/core';
import { z } from 'zod';
import { pickByWeight } from '../shared/weighted-pick.js';
import type { SearchDocument } from './documents.js';
import type { ToolEngine } from './tool-engine.js';

/** Config of a `search/random` document sampler (DiGiT's keys). */
export const randomSamplerConfig = z.looseObject({
  type: z.literal('search/random'),
  /** The search engine (a name in `tools.engines`) whose corpus is sampled. */
  engine: z.string().min(1),
  /** Draw all documents of one sample from one group of this metadata field (e.g. `domain`). */
  group_by: z.string().optional(),
  /** How the group is chosen: `uniform` (each group alike) or `proportional` (by its size). */
  strategy: z.enum(['uniform', 'proportional']).default('uniform'),
  /** Relative chance of this sampler among the stage's samplers (default 1). */
  weight: z.number().nonnegative().default(1),
});

/** A `search/random` sampler config. */
export type RandomSamplerConfig = z.output<typeof randomSamplerConfig>;

/**
 * Draws `k` distinct documents from a search engine's corpus (DiGiT's `search/random`): with
 * `group_by`, first a group (uniformly or in proportion to its size), then documents inside it,
 * so a sample stays on one subject.
 */
export async function sampleDocuments(
  config: RandomSamplerConfig,
  engine: ToolEngine,
  k: number,
  random: RandomSource,
  where: string,
): Promise<SearchDocument[]> {
  if (!engine.corpus)
    throw new DgtError(
      'INVALID_TASK',
      `${where}: engine "${config.engine}" (${engine.type}) has no corpus to sample; use a search engine such as search/file.`,
    );
  const corpus = await engine.corpus();
  if (!config.group_by) return random.sample(corpus, k);
  const groups = new Map<string, SearchDocument[]>();
  for (const document of corpus) {
    const key = String(document.metadata[config.group_by] ?? '');
    groups.set(key, [...(groups.get(key) ?? []), document]);
  }
  const lists = [...groups.values()];
  const chosen =
    config.strategy === 'uniform'
      ? random.pick(lists)
      : pickByWeight(lists, random, (list) => list.length);
  return random.sample(chosen, k);
}
