import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exactDedupBlock, normalizeText } from './exact-dedup.js';
import { callContext, makeBlock } from './shared/make-block.js';

const ctx = callContext();

describe('exact_dedup', () => {
  it('keeps the first copy and rejects later ones with a reason', async () => {
    const block = await makeBlock(exactDedupBlock, { filter: true });
    const rows = [
      { task_name: 't', input: 'What is the capital of France?' },
      { task_name: 't', input: 'what is the capital of   france' },
      { task_name: 't', input: 'What is the capital of Spain?' },
    ];
    const out = await block.call(rows, undefined, ctx);
    expect(out.rows.map((r) => r.input)).toEqual([
      'What is the capital of France?',
      'What is the capital of Spain?',
    ]);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected?.[0]?.row).toBe(rows[1]);
    expect(out.rejected?.[0]?.reason).toMatch(/duplicate/);
  });

  it('compares within a task only', async () => {
    const block = await makeBlock(exactDedupBlock, { filter: true });
    const out = await block.call(
      [
        { task_name: 'a', input: 'same' },
        { task_name: 'b', input: 'same' },
      ],
      undefined,
      ctx,
    );
    expect(out.rows).toHaveLength(2);
  });

  it('marks instead of dropping without filter', async () => {
    const block = await makeBlock(exactDedupBlock, { normalize: false });
    const out = await block.call(
      [
        { task_name: 't', input: 'x' },
        { task_name: 't', input: 'x' },
        { task_name: 't', input: 'X' },
      ],
      undefined,
      ctx,
    );
    expect(out.rows.map((r) => r.is_valid)).toEqual([true, false, true]);
    expect(out.rows[1]?.invalid_reason).toMatch(/duplicate/);
    expect(out.rejected).toEqual([]);
  });

  it('remembers accepted rows across calls and across a new block instance (resume)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-exact-'));
    const first = await makeBlock(exactDedupBlock, { filter: true, name: 'dedup' });
    await first.call([{ task_name: 't', input: 'alpha' }], undefined, callContext(dir));
    const again = await first.call(
      [
        { task_name: 't', input: 'Alpha!' },
        { task_name: 't', input: 'beta' },
      ],
      undefined,
      callContext(dir),
    );
    expect(again.rows.map((r) => r.input)).toEqual(['beta']);
    await first.close?.();

    const resumed = await makeBlock(exactDedupBlock, { filter: true, name: 'dedup' });
    const out = await resumed.call(
      [
        { task_name: 't', input: 'beta' },
        { task_name: 't', input: 'gamma' },
      ],
      undefined,
      callContext(dir),
    );
    expect(out.rows.map((r) => r.input)).toEqual(['gamma']);
    await resumed.close?.();
  });

  it('a replayed last call (killed before its records were saved) is not a duplicate of itself', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-exact-'));
    const batch = () => [
      { task_name: 't', input: 'one' },
      { task_name: 't', input: 'two' },
    ];
    const first = await makeBlock(exactDedupBlock, { filter: true });
    await first.call(batch(), undefined, callContext(dir));
    await first.close?.();
    const resumed = await makeBlock(exactDedupBlock, { filter: true });
    expect((await resumed.call(batch(), undefined, callContext(dir))).rows).toHaveLength(2);
    // …and the replayed rows count as accepted afterwards.
    expect((await resumed.call(batch(), undefined, callContext(dir))).rows).toHaveLength(0);
    await resumed.close?.();
  });

  it('a postprocessor pass (phase: postprocess) dedups within the call only', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-exact-'));
    const block = await makeBlock(exactDedupBlock, { filter: true });
    const rows = () => [
      { task_name: 't', input: 'a' },
      { task_name: 't', input: 'b' },
    ];
    await block.call(rows(), undefined, callContext(dir));
    const pass = await block.call(
      [...rows(), { task_name: 't', input: 'A' }],
      {},
      {
        ...callContext(dir),
        phase: 'postprocess',
      },
    );
    expect(pass.rows.map((r) => r.input)).toEqual(['a', 'b']);
    await block.close?.();
  });

  it('normalises case, punctuation and spaces', () => {
    expect(normalizeText('  Hello,   World!! ')).toBe('hello world');
  });
});
