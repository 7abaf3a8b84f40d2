import { describe, expect, it } from 'vitest';
import { noopBlock } from './noop.js';

describe('noop', () => {
  it('passes every row through untouched', async () => {
    const block = await noopBlock.create(
      { name: 'validator', type: 'noop' },
      { outputDir: '.', env: {} },
    );
    const rows = [{ input: 'a' }, { input: 'b' }];
    const out = await block.call(rows, undefined, { emit: () => undefined });
    expect(out.rows).toEqual(rows);
    expect(out.rows[0]).toBe(rows[0]);
    expect(out.rejected).toBeUndefined();
  });
});
