import type { BlockLmUsage, LmRequestEvent } from './events.js';

/** Usage of a block that has made no request yet. */
export function emptyLmUsage(provider: string, model: string): BlockLmUsage {
  return {
    provider,
    model,
    requests: 0,
    cacheHits: 0,
    failures: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
  };
}

/** Adds one finished LM request to a block's usage. */
export function countLmRequest(usage: BlockLmUsage, event: LmRequestEvent): void {
  usage.requests++;
  if (event.cached) usage.cacheHits++;
  if (!event.ok) usage.failures++;
  usage.promptTokens += event.promptTokens;
  usage.completionTokens += event.completionTokens;
  usage.costUsd += event.costUsd ?? 0;
}

/** Adds `more` (e.g. another task's usage of the same block) to `total`. */
export function addLmUsage(total: BlockLmUsage, more: BlockLmUsage): void {
  total.requests += more.requests;
  total.cacheHits += more.cacheHits;
  total.failures += more.failures;
  total.promptTokens += more.promptTokens;
  total.completionTokens += more.completionTokens;
  total.costUsd += more.costUsd;
}
