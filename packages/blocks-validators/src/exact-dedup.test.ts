import { describe, expect, it } from 'vitest';
import { exactDedupBlock, normalizeText } from './exact-dedup.js';

const ctx = { emit: () => undefined };

async function make(config: Record<string, unknown> = {}) {
  const parsed = exactDedupBlock.configSchema.parse({
    name: 'dedup',
    type: 'exact_dedup',
    ...config,
  });
  return exactDedupBlock.create(
    { ...parsed, name: 'dedup', type: 'exact_dedup' },
    { outputDir: '.', env: {} },
  );
}

describe('exact_dedup', () => {
  it('keeps the first copy and rejects later ones with a reason', async () => {
    const block = await make();
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
    const block = await make();
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
    const block = await make({ filter: false, normalize: false });
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
    expect(out.rejected).toEqual([]);
  });

  it('normalises case, punctuation and spaces', () => {
    expect(normalizeText('  Hello,   World!! ')).toBe('hello world');
  });
});
