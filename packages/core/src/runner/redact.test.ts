import { describe, expect, it } from 'vitest';
import { redactSecrets, redactText, secretValues } from './redact.js';

describe('redactSecrets', () => {
  it('hides secret-named keys in any case style, and keeps token counts and limits', () => {
    const out = redactSecrets({
      api_key: 'abc',
      apiKey: 'abc',
      blocks: [{ access_token: 'x', client_secret: 'y', max_tokens: 256, promptTokens: 12 }],
    });
    expect(out).toEqual({
      api_key: '***',
      apiKey: '***',
      blocks: [{ access_token: '***', client_secret: '***', max_tokens: 256, promptTokens: 12 }],
    });
  });

  it('hides known secret values wherever they appear in text', () => {
    const secrets = secretValues({
      OPENAI_API_KEY: 'sk-0123456789abcdef',
      HOME: '/root',
      HF_TOKEN: 'hf_abcdefghijkl',
    });
    expect(secrets).toEqual(new Set(['sk-0123456789abcdef', 'hf_abcdefghijkl']));
    expect(redactSecrets({ note: 'key=sk-0123456789abcdef; hf_abcdefghijkl' }, secrets)).toEqual({
      note: 'key=***; ***',
    });
  });

  it('returns parts without secrets as they are and copies the parts it changes', () => {
    const secrets = new Set(['sk-0123456789abcdef']);
    const clean = { type: 'lm-request', usage: { promptTokens: 3 }, tags: ['a', 'b'] };
    expect(redactSecrets(clean, secrets)).toBe(clean);
    const nested = { keep: { n: 1 }, list: ['x', 'key sk-0123456789abcdef'], after: 2 };
    const out = redactSecrets(nested, secrets) as typeof nested;
    expect(out).toEqual({ keep: { n: 1 }, list: ['x', 'key ***'], after: 2 });
    expect(Object.keys(out)).toEqual(['keep', 'list', 'after']);
    expect(out.keep).toBe(nested.keep);
    expect(nested.list[1]).toBe('key sk-0123456789abcdef');
  });
});

describe('redactText', () => {
  it('hides the user info of URLs and known secret values', () => {
    expect(redactText('cannot reach http://alice:pa55@host:8000/v1 (ECONNREFUSED)')).toBe(
      'cannot reach http://***@host:8000/v1 (ECONNREFUSED)',
    );
    expect(redactText('key sk-0123456789abcdef', new Set(['sk-0123456789abcdef']))).toBe('key ***');
    expect(redactText('mail me at a@b.c, see https://host/x')).toBe(
      'mail me at a@b.c, see https://host/x',
    );
  });
});
