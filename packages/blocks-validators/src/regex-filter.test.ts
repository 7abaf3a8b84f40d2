import { describe, expect, it } from 'vitest';
import { regexFilterBlock } from './regex-filter.js';
import { callContext, makeBlock } from './shared/make-block.js';

describe('regex', () => {
  it('keeps matching rows, or with invert drops them', async () => {
    const rows = () => [
      { input: 'As an AI language model, I cannot do that.' },
      { input: 'Paris is the capital of France.' },
    ];
    const blocklist = await makeBlock(regexFilterBlock, {
      pattern: 'as an ai (language )?model',
      flags: 'i',
      invert: true,
      filter: true,
    });
    const out = await blocklist.call(rows(), undefined, callContext());
    expect(out.rows.map((r) => r.input)).toEqual(['Paris is the capital of France.']);
    expect(out.rejected?.[0]?.reason).toBe('matches /as an ai (language )?model/i');

    const allow = await makeBlock(regexFilterBlock, { pattern: '^[A-Z].*\\.$' });
    const marked = await allow.call(
      [{ input: 'ok.' }, { input: 'Fine.' }],
      undefined,
      callContext(),
    );
    expect(marked.rows.map((r) => r.is_valid)).toEqual([false, true]);
  });

  it('refuses an invalid pattern', async () => {
    await expect(makeBlock(regexFilterBlock, { pattern: '(' })).rejects.toThrow(
      /not a valid regular expression/,
    );
  });
});
