import { canonicalJson } from '@dgt/core';
import type { ResolvedLmConfig } from '../config.js';
import { cacheKey, type RequestCache } from '../engine/cache.js';
import type { Embedder } from './embedder.js';

/**
 * The vectors of an embeddings block in its request cache — the same store as its chat
 * requests, under the block's `cache` policy (`on`, `read`, `refresh`, `off`). Each text is an
 * entry of its own, keyed by provider, endpoint, model and the text, so a rerun finds every
 * vector again however the texts are batched, and another model or server never shares one.
 * A vector does not depend on when or how often it is asked for, so unlike chat requests the
 * key has no sample number or attempt.
 */
export type EmbeddingCache = {
  /** The cached vector of each text, `undefined` where there is none (or reading is off). */
  lookup(texts: readonly string[]): Promise<(number[] | undefined)[]>;
  /** Stores a text's vector (when the policy writes). */
  store(text: string, vector: number[]): void;
};

export function embeddingCache(
  cache: RequestCache | undefined,
  embedder: Pick<Embedder, 'name' | 'endpoint'>,
  config: Pick<ResolvedLmConfig, 'model' | 'cache'>,
): EmbeddingCache {
  const read = cache && (config.cache === 'on' || config.cache === 'read');
  const write = cache && (config.cache === 'on' || config.cache === 'refresh');
  const keyOf = (text: string) =>
    cacheKey(
      canonicalJson({
        kind: 'embedding',
        provider: embedder.name,
        endpoint: embedder.endpoint,
        model: config.model,
        input: text,
      }),
    );
  return {
    async lookup(texts) {
      if (!read) return texts.map(() => undefined);
      const values = await Promise.all(texts.map((text) => cache.get(keyOf(text))));
      return values.map(vectorOf);
    },
    store(text, vector) {
      if (write)
        cache.put(keyOf(text), { provider: embedder.name, model: config.model, value: { vector } });
    },
  };
}

/** The vector of a cache entry written by {@link embeddingCache}; `undefined` for anything else. */
function vectorOf(value: unknown): number[] | undefined {
  const vector = (value as { vector?: unknown } | undefined)?.vector;
  return Array.isArray(vector) && vector.every((v) => typeof v === 'number') ? vector : undefined;
}
