import type { BlockV1, EmbeddingCapability } from '@dgt/core';
import type { ResolvedLmConfig } from '../config.js';
import { abortReason, ConcurrencyLimiter } from '../engine/limiter.js';
import type { LmBlock } from '../engine/lm-engine.js';
import { backoffDelay, type RequestFailure, sleep } from '../engine/retry.js';
import { embeddingCache } from './embedding-cache.js';

/** The provider-specific part of embeddings: one request for a list of texts. */
export type Embedder = {
  /** Provider id for events (`openai`, `ollama`, `watsonx`, `mock`). */
  readonly name: string;
  /** The server it talks to (base URL), part of the request cache key of each text. */
  readonly endpoint?: string;
  /** Vectors of `texts` (in order) and the prompt tokens the server counted. */
  embed(
    model: string,
    texts: string[],
    signal: AbortSignal,
  ): Promise<{ vectors: number[][]; tokens: number }>;
  /** Whether an error is worth retrying, and how long the server asked to wait. */
  describeError(error: unknown): RequestFailure;
};

/** Texts per embeddings request. */
export const EMBEDDING_BATCH_SIZE = 64;

/**
 * Gives an LM block the embeddings capability (`embed`, see `EmbeddingCapability` in
 * `@dgt/core`): texts are sent in requests of {@link EMBEDDING_BATCH_SIZE}, at most the block's
 * `max_concurrency` at once, each retried on 408/409/429/5xx and network errors with backoff
 * (honouring Retry-After) up to `max_retries` times, and reported as `lm-request` events.
 * Vectors come back in the order of the texts. Texts whose vector is in the block's request
 * cache (`LmBlock.requestCache`, under its `cache` policy) are not sent again; they are
 * reported as one cached `lm-request` event per call.
 */
export function withEmbeddings<Block extends BlockV1>(
  block: Block,
  embedder: Embedder,
  config: Pick<
    ResolvedLmConfig,
    'model' | 'maxConcurrency' | 'maxRetries' | 'retryInitialDelayMs' | 'timeoutMs' | 'cache'
  >,
): Block & EmbeddingCapability {
  const limiter = new ConcurrencyLimiter(config.maxConcurrency);
  const cache = embeddingCache((block as Partial<LmBlock>).requestCache, embedder, config);
  const embed: EmbeddingCapability['embed'] = async (texts, ctx = {}) => {
    const out: number[][] = new Array(texts.length);
    const began = performance.now();
    // Positions of the texts to send: those the cache does not answer.
    const missing: number[] = [];
    (await cache.lookup(texts)).forEach((vector, i) => {
      if (vector) out[i] = vector;
      else missing.push(i);
    });
    const report = (
      fields: { ok: boolean; cached: boolean; tokens: number; error?: string },
      since: number,
      retries: number,
    ) =>
      ctx.emit?.({
        type: 'lm-request',
        block: block.name,
        provider: embedder.name,
        model: config.model,
        ...(ctx.taskName !== undefined ? { task: ctx.taskName } : {}),
        ok: fields.ok,
        cached: fields.cached,
        promptTokens: fields.tokens,
        completionTokens: 0,
        durationMs: performance.now() - since,
        retries,
        ...(fields.error !== undefined ? { error: fields.error } : {}),
      });
    // One event for every vector the cache answered.
    if (missing.length < texts.length) report({ ok: true, cached: true, tokens: 0 }, began, 0);
    const batches: number[][] = [];
    for (let start = 0; start < missing.length; start += EMBEDDING_BATCH_SIZE)
      batches.push(missing.slice(start, start + EMBEDDING_BATCH_SIZE));
    await Promise.all(
      batches.map(async (positions) => {
        const batch = positions.map((i) => texts[i]!);
        const began = performance.now();
        let retries = 0;
        for (;;) {
          try {
            const { vectors, tokens } = await limiter.run(() => {
              const timeout = AbortSignal.timeout(config.timeoutMs);
              const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
              return embedder.embed(config.model, batch, signal);
            }, ctx.signal);
            if (vectors.length !== batch.length)
              throw new Error(
                `the server returned ${vectors.length} vectors for ${batch.length} texts`,
              );
            vectors.forEach((vector, i) => {
              out[positions[i]!] = vector;
              cache.store(batch[i]!, vector);
            });
            report({ ok: true, cached: false, tokens }, began, retries);
            return;
          } catch (error) {
            if (ctx.signal?.aborted) throw abortReason(ctx.signal);
            const failure = embedder.describeError(error);
            if (!failure.retryable || retries >= config.maxRetries) {
              report(
                { ok: false, cached: false, tokens: 0, error: failure.message },
                began,
                retries,
              );
              throw new Error(
                `block "${block.name}": embeddings request to ${embedder.name} (model ${config.model}) failed: ${failure.message}`,
              );
            }
            // Waits outside the concurrency slot, so other batches go on meanwhile.
            await sleep(
              backoffDelay(retries++, config.retryInitialDelayMs, failure.retryAfterMs),
              ctx.signal,
            );
          }
        }
      }),
    );
    return out;
  };
  return Object.assign(block, { embed });
}
