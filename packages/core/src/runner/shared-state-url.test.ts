import { describe, expect, it } from 'vitest';
import { redactUrl, resolveSharedStateUrl } from './shared-state-url.js';

describe('resolveSharedStateUrl', () => {
  it('takes --queue over DGT_QUEUE_URL, and neither means no shared state', () => {
    const env = { DGT_QUEUE_URL: 'redis://env:6379' };
    expect(resolveSharedStateUrl('redis://flag:6379', env)).toBe('redis://flag:6379');
    expect(resolveSharedStateUrl(undefined, env)).toBe('redis://env:6379');
    expect(resolveSharedStateUrl(undefined, {})).toBeUndefined();
    expect(resolveSharedStateUrl(undefined, { DGT_QUEUE_URL: '' })).toBeUndefined();
  });

  it('rejects a URL that is not Redis, naming where it came from without its password', () => {
    expect(() => resolveSharedStateUrl('http://:hunter2@host:6379', {})).toThrow(
      /--queue must be a Redis URL.*got http:\/\/\*\*\*@host:6379/,
    );
    expect(() => resolveSharedStateUrl(undefined, { DGT_QUEUE_URL: 'localhost:6379' })).toThrow(
      /DGT_QUEUE_URL must be a Redis URL/,
    );
    const error = (() => {
      try {
        resolveSharedStateUrl('not a url :hunter2@x', {});
      } catch (e) {
        return String(e);
      }
    })();
    expect(error).not.toContain('hunter2');
  });

  it('redacts passwords', () => {
    expect(redactUrl('redis://:s3cret@h:1/2')).toBe('redis://***@h:1/2');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
  });
});
