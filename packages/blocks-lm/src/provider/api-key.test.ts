import { isDgtError } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { findApiKey, loadApiKey } from './api-key.js';

const block = { name: 'generator', type: 'gemini' };

describe('loadApiKey', () => {
  it('prefers the configured key, then the variables in order, ignoring empty values', () => {
    const env = { A_KEY: '', B_KEY: 'from-b', C_KEY: 'from-c' };
    expect(loadApiKey({ apiKey: 'configured', env, variable: 'B_KEY', block })).toBe('configured');
    expect(
      loadApiKey({ apiKey: undefined, env, variable: ['A_KEY', 'B_KEY', 'C_KEY'], block }),
    ).toBe('from-b');
    expect(findApiKey({ apiKey: '', env, variable: 'A_KEY' })).toBeUndefined();
  });

  it('names the block and the variable to set when there is no key', () => {
    let caught: unknown;
    try {
      loadApiKey({
        apiKey: undefined,
        env: { GEMINI_API_KEY: '' },
        variable: 'GEMINI_API_KEY',
        block,
      });
    } catch (error) {
      caught = error;
    }
    expect(isDgtError(caught) && caught.code).toBe('MISSING_CREDENTIALS');
    expect((caught as Error).message).toBe(
      `Block "generator" (type gemini): no API key — set GEMINI_API_KEY in the environment (or .env), or the block's "api_key" key.`,
    );
  });
});
