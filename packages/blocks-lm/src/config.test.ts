import { isDgtError } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { LM_DEFAULTS, lmBlockConfigSchema, resolveDecoding, resolveLmConfig } from './config.js';

const parse = (config: Record<string, unknown>) =>
  lmBlockConfigSchema.parse({ name: 'gen', type: 'openai', ...config }) as ReturnType<
    typeof lmBlockConfigSchema.parse
  > & {
    name: string;
    type: string;
  };

describe('LM block config', () => {
  it("accepts DiGiT's keys and resolves their aliases", () => {
    const resolved = resolveLmConfig(
      parse({
        model_id_or_path: 'granite',
        max_new_tokens: 100,
        stop_sequences: ['\n\n'],
        random_seed: 4,
        call_limit: 2,
        timeout: 30,
        decoding_method: 'greedy',
        batch_size: 8,
        repetition_penalty: 1.1,
      }),
    );
    expect(resolved).toMatchObject({
      model: 'granite',
      maxConcurrency: 2,
      timeoutMs: 30_000,
      maxRetries: 4,
    });
    expect(resolved.params).toEqual({
      max_tokens: 100,
      stop: ['\n\n'],
      seed: 4,
      temperature: 0,
      repetition_penalty: 1.1,
    });
  });

  it('applies defaults and lets canonical keys win over aliases', () => {
    const resolved = resolveLmConfig(
      parse({ model: 'm', max_tokens: 5, max_completion_tokens: 9, stop: 'x' }),
    );
    expect(resolved).toMatchObject({
      maxConcurrency: LM_DEFAULTS.maxConcurrency,
      maxRetries: LM_DEFAULTS.maxRetries,
      timeoutMs: LM_DEFAULTS.timeoutSeconds * 1000,
    });
    expect(resolved.params).toEqual({ max_tokens: 5, stop: ['x'] });
    expect(resolveDecoding({ max_completion_tokens: 9, api_key: 'k', max_concurrency: 3 })).toEqual(
      { max_tokens: 9 },
    );
  });

  it('rejects wrong types through the schema', () => {
    expect(lmBlockConfigSchema.safeParse({ temperature: 'hot' }).success).toBe(false);
    expect(lmBlockConfigSchema.safeParse({ max_concurrency: 0 }).success).toBe(false);
  });

  it('names the block and the key when the model is missing', () => {
    let error: unknown;
    try {
      resolveLmConfig(parse({}));
    } catch (e) {
      error = e;
    }
    expect(isDgtError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_BLOCK_CONFIG' });
    expect((error as Error).message).toMatch(/"gen".*model_id_or_path/);
  });
});
