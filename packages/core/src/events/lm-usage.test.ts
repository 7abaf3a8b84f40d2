import { describe, expect, it } from 'vitest';
import type { LmRequestEvent } from './events.js';
import { addLmUsage, countLmRequest, emptyLmUsage } from './lm-usage.js';

const request = (over: Partial<LmRequestEvent>): LmRequestEvent => ({
  type: 'lm-request',
  block: 'generator',
  provider: 'openai',
  model: 'gpt-4o-mini',
  ok: true,
  cached: false,
  promptTokens: 100,
  completionTokens: 20,
  durationMs: 5,
  retries: 0,
  costUsd: 0.002,
  ...over,
});

describe('LM usage', () => {
  it('counts requests, cache hits, failures, tokens and cost', () => {
    const usage = emptyLmUsage('openai', 'gpt-4o-mini');
    countLmRequest(usage, request({}));
    countLmRequest(usage, request({ cached: true, costUsd: 0 }));
    countLmRequest(
      usage,
      request({ ok: false, promptTokens: 0, completionTokens: 0, costUsd: undefined }),
    );
    expect(usage).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      requests: 3,
      cacheHits: 1,
      failures: 1,
      promptTokens: 200,
      completionTokens: 40,
      costUsd: 0.002,
    });
    const total = emptyLmUsage('openai', 'gpt-4o-mini');
    addLmUsage(total, usage);
    addLmUsage(total, usage);
    expect(total).toMatchObject({
      requests: 6,
      cacheHits: 2,
      failures: 2,
      promptTokens: 400,
      costUsd: 0.004,
    });
  });
});
