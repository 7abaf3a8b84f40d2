import { lexicalEmbedding } from '@dgt/core';
import type { RequestFailure } from '../engine/retry.js';
import type { Embedder } from './embedder.js';

/**
 * Embeddings of the `mock` engine: deterministic, offline vectors (hashed words and word pairs,
 * the same vectors the fake servers of `@dgt/testing` answer with), so a dry run of
 * `magpie_distance` or `embedding_dedup` goes through the embeddings capability as a real
 * provider would (batches, concurrency, `lm-request` events) instead of the lexical fallback
 * with its warning. Near-duplicates are found as far as they share words.
 */
export function createMockEmbedder(): Embedder {
  return {
    name: 'mock',
    endpoint: 'mock',
    async embed(_model, texts) {
      const vectors = texts.map((text) => lexicalEmbedding(text));
      const tokens = texts.reduce((sum, text) => sum + (text.match(/\S+/g)?.length ?? 0), 0);
      return { vectors, tokens };
    },
    describeError(error): RequestFailure {
      return { retryable: false, message: error instanceof Error ? error.message : String(error) };
    },
  };
}
