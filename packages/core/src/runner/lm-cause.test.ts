import { describe, expect, it } from 'vitest';
import { lmErrorCause } from './lm-cause.js';

describe('lmErrorCause', () => {
  it('names the class of an LM error and what to do', () => {
    expect(lmErrorCause('openai request failed: HTTP 401: Incorrect API key provided')).toBe(
      'HTTP 401: check the API key',
    );
    expect(lmErrorCause('openai request failed (after 3 retries): Request timed out.')).toBe(
      'LM requests time out',
    );
    expect(lmErrorCause('openai request failed: HTTP 503: overloaded')).toBe(
      'LM server errors (HTTP 5xx)',
    );
    expect(lmErrorCause('cannot reach http://127.0.0.1:9/v1: Connection error.')).toBe(
      'LM server unreachable',
    );
    expect(lmErrorCause('the reply was not JSON')).toBeUndefined();
  });
});
