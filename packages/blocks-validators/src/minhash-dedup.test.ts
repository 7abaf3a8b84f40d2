import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBands, estimateJaccard, MinHasher, shingleHashes } from './dedup/minhash.js';
import { minhashDedupBlock } from './minhash-dedup.js';
import { callContext, makeBlock } from './shared/make-block.js';

const BASE =
  'The old lighthouse keeper climbed the spiral stairs every evening at dusk to light the great lamp that guided fishing boats safely past the jagged rocks of the northern bay';
const ONE_WORD_CHANGED = BASE.replace('fishing', 'cargo');
const OTHER =
  'Rainfall in the valley feeds a slow river whose banks are lined with willows and reed beds where herons wait patiently for small fish during the warm summer months';

describe('minhash signatures', () => {
  it('are deterministic and estimate Jaccard similarity', () => {
    const hasher = new MinHasher(128, 1);
    const a = hasher.signature(shingleHashes(BASE, 3));
    expect(new MinHasher(128, 1).signature(shingleHashes(BASE, 3))).toEqual(a);
    const b = hasher.signature(shingleHashes(ONE_WORD_CHANGED, 3));
    const c = hasher.signature(shingleHashes(OTHER, 3));
    // 29 three-word shingles, 3 of them changed: true Jaccard 26/32 ≈ 0.81.
    expect(estimateJaccard(a, b)).toBeGreaterThan(0.7);
    expect(estimateJaccard(a, c)).toBeLessThan(0.1);
  });

  it('chooses bands whose S-curve favours recall at the threshold', () => {
    const { bands, rows } = chooseBands(0.7, 128);
    expect(bands * rows).toBeLessThanOrEqual(128);
    const p = (s: number) => 1 - (1 - s ** rows) ** bands;
    expect(p(0.75)).toBeGreaterThan(0.95);
    expect(p(0.2)).toBeLessThan(0.01);
  });
});

describe('minhash_dedup', () => {
  it('drops a one-word variant, keeps distinct texts, and says why', async () => {
    const block = await makeBlock(minhashDedupBlock, { filter: true, threshold: 0.7 });
    const out = await block.call(
      [
        { task_name: 't', input: BASE },
        { task_name: 't', input: OTHER },
        { task_name: 't', input: ONE_WORD_CHANGED },
      ],
      undefined,
      callContext(),
    );
    expect(out.rows.map((r) => r.input)).toEqual([BASE, OTHER]);
    expect(out.rejected?.[0]?.reason).toMatch(/near duplicate .*Jaccard 0\.\d+ ≥ 0\.7/);
  });

  it('character shingles catch variants of short texts', async () => {
    const block = await makeBlock(minhashDedupBlock, {
      threshold: 0.6,
      shingle_unit: 'char',
      shingle_size: 4,
    });
    const out = await block.call(
      [
        { task_name: 't', input: 'What is the capital of Australia?' },
        { task_name: 't', input: 'What is the capitol of Australia?' },
        { task_name: 't', input: 'Which desert covers most of Mongolia?' },
      ],
      undefined,
      callContext(),
    );
    expect(out.rows.map((r) => r.is_valid)).toEqual([true, false, true]);
  });

  it('keeps its index per task on disk: later batches and a resumed block still see earlier rows', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-minhash-'));
    const first = await makeBlock(minhashDedupBlock, { filter: true, name: 'dedup' });
    await first.call([{ task_name: 't', input: BASE }], undefined, callContext(dir));
    const second = await first.call(
      [{ task_name: 't', input: ONE_WORD_CHANGED }],
      undefined,
      callContext(dir),
    );
    expect(second.rows).toHaveLength(0);
    await first.close?.();
    expect(await readdir(path.join(dir, 't', 'blocks'))).toEqual(['dedup.index.jsonl']);

    const resumed = await makeBlock(minhashDedupBlock, { filter: true, name: 'dedup' });
    const out = await resumed.call(
      [
        { task_name: 't', input: OTHER },
        { task_name: 't', input: ONE_WORD_CHANGED },
        { task_name: 'u', input: ONE_WORD_CHANGED },
      ],
      undefined,
      callContext(dir),
    );
    expect(out.rows.map((r) => [r.task_name, r.input])).toEqual([
      ['t', OTHER],
      ['u', ONE_WORD_CHANGED],
    ]);
    await resumed.close?.();
  });

  it('refuses an index saved with other hashing settings', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-minhash-'));
    const first = await makeBlock(minhashDedupBlock, { num_perm: 64 });
    await first.call([{ task_name: 't', input: BASE }], undefined, callContext(dir));
    await first.call([{ task_name: 't', input: OTHER }], undefined, callContext(dir));
    await first.close?.();
    const changed = await makeBlock(minhashDedupBlock, { num_perm: 128 });
    await expect(
      changed.call([{ task_name: 't', input: 'x' }], undefined, callContext(dir)),
    ).rejects.toThrow(/--restart/);
  });

  it('deduplicates 20,000 records in well under a few seconds', async () => {
    const block = await makeBlock(minhashDedupBlock, { filter: true });
    const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const rows = Array.from({ length: 20_000 }, () => ({
      task_name: 't',
      input: Array.from({ length: 32 }, () => words[Math.floor(random() * words.length)]).join(' '),
    }));
    const copies = rows.slice(0, 1000).map((row) => ({
      task_name: 't',
      input: String(row.input).replace(/^\S+/, 'changed'),
    }));
    const started = performance.now();
    const out = await block.call([...rows, ...copies], undefined, callContext());
    expect(performance.now() - started).toBeLessThan(5000);
    expect(out.rows.length).toBeLessThanOrEqual(20_000 + 20);
    expect(out.rejected!.length).toBeGreaterThanOrEqual(980);
  });
});
