import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import mockBlock from './mock.js';
import { callBlock, makeBlock } from './test-utils.js';

const texts = (rows: Record<string, unknown>[]) => rows.map((r) => r.result);

describe('mock block', () => {
  it('replies deterministically: fresh blocks agree, repeated inputs vary', async () => {
    const rowsFor = (): Record<string, unknown>[] => [
      { input: 'Tell me about rivers' },
      { input: 'Tell me about rivers' },
      { input: 'Other' },
    ];
    const a = rowsFor();
    const b = rowsFor();
    await callBlock(await makeBlock(mockBlock, { type: 'mock' }), a);
    await callBlock(await makeBlock(mockBlock, { type: 'mock' }), b);
    expect(texts(a)).toEqual(texts(b));
    expect(a[0]?.result).not.toBe(a[1]?.result);
    expect(a[0]?.result).toMatch(/^[A-Z].*\.$/);
  });

  it('depends on the model and the decoding params', async () => {
    const one = [{ input: 'x' }];
    const two = [{ input: 'x' }];
    const three = [{ input: 'x', gen_kwargs: { temperature: 0.5 } }];
    await callBlock(await makeBlock(mockBlock, { type: 'mock' }), one);
    await callBlock(await makeBlock(mockBlock, { type: 'mock', model: 'other' }), two);
    await callBlock(await makeBlock(mockBlock, { type: 'mock' }), three);
    expect(new Set([...texts(one), ...texts(two), ...texts(three)]).size).toBe(3);
  });

  it('fills the response schema with valid JSON', async () => {
    const shape = z.object({
      question: z.string(),
      answer: z.string(),
      tags: z.array(z.enum(['a', 'b', 'c'])).min(1),
      score: z.number().min(0).max(1),
    });
    const schema = z.toJSONSchema(shape) as Record<string, unknown>;
    const rows: Record<string, unknown>[] = Array.from({ length: 30 }, (_, i) => ({
      input: `q${i % 3}`,
    }));
    await callBlock(await makeBlock(mockBlock, { type: 'mock', max_tokens: 3 }), rows, {
      responseSchema: { name: 'qa', schema },
    });
    for (const row of rows)
      expect(shape.parse(row.parsed)).toEqual(JSON.parse(row.result as string));
    expect(new Set(texts(rows)).size).toBe(30);
  });

  it('returns n replies, counts usage and emits events', async () => {
    const block = await makeBlock(mockBlock, { type: 'mock', n: 3, max_new_tokens: 4 });
    const rows: Record<string, unknown>[] = [{ input: 'one two three', task_name: 'demo' }];
    const { events } = await callBlock(block, rows, { method: 'completion' });
    const results = rows[0]?.results as string[];
    expect(results).toHaveLength(3);
    expect(results.every((t) => t.split(' ').length <= 4)).toBe(true);
    expect(rows[0]?.usage).toMatchObject({ prompt_tokens: 3 });
    expect(events).toEqual([
      expect.objectContaining({
        provider: 'mock',
        model: 'mock',
        task: 'demo',
        ok: true,
        promptTokens: 3,
      }),
    ]);
  });

  it('records rows without a usable input instead of throwing', async () => {
    const rows: Record<string, unknown>[] = [{ input: 42 }, { input: 'fine' }];
    await callBlock(await makeBlock(mockBlock, { type: 'mock' }), rows);
    expect(rows[0]?.error).toMatch(/no valid input/);
    expect(typeof rows[1]?.result).toBe('string');
  });
});
