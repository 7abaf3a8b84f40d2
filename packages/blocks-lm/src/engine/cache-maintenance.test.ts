import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempCacheDir } from '../test-utils.js';
import { cacheKey, openRequestCache } from './cache.js';
import { clearRequestCache, describeRequestCache } from './cache-maintenance.js';

const DAY = 86_400_000;
const NOW = new Date('2025-06-01T12:00:00Z');

afterEach(() => {
  vi.useRealTimers();
});

type Seed = { provider: string; model: string; count: number; daysAgo: number; size?: number };

type Written = Map<string, { value: unknown; seed: Seed }>;

/** Writes entries through the engine's own cache, `daysAgo` days before NOW; returns them by key. */
async function fill(dir: string, seeds: Seed[]): Promise<Written> {
  const written: Written = new Map();
  // Only Date is faked: the cache's setImmediate flush must still run for real.
  vi.useFakeTimers({ toFake: ['Date'] });
  const cache = await openRequestCache(dir);
  for (const seed of seeds) {
    vi.setSystemTime(NOW.getTime() - seed.daysAgo * DAY);
    for (let i = 0; i < seed.count; i++) {
      const key = cacheKey(`${seed.provider}|${seed.model}|${seed.daysAgo}|${i}`);
      const value = { text: `answer ${i} ${'x'.repeat(seed.size ?? 10)}` };
      cache.put(key, { provider: seed.provider, model: seed.model, value });
      written.set(key, { value, seed });
    }
    cache.flush();
  }
  cache.release();
  vi.setSystemTime(NOW);
  return written;
}

const SEEDS: Seed[] = [
  { provider: 'openai', model: 'gpt-4o-mini', count: 5, daysAgo: 40 },
  { provider: 'openai', model: 'gpt-4o-mini', count: 3, daysAgo: 1 },
  { provider: 'openai', model: 'gpt-4o', count: 2, daysAgo: 10 },
  { provider: 'ollama', model: 'granite4:3b', count: 4, daysAgo: 2 },
];

async function readBack(dir: string, keys: Iterable<string>) {
  const cache = await openRequestCache(dir);
  try {
    return [...keys].map((key) => cache.get(key));
  } finally {
    cache.release();
  }
}

describe('describeRequestCache', () => {
  it('reports a folder without a cache as not existing, without creating it', async () => {
    const dir = join(tempCacheDir(), 'never-used');
    const info = await describeRequestCache(dir);
    expect(info).toEqual({
      path: join(dir, 'lm-cache.sqlite'),
      exists: false,
      files: [],
      bytesOnDisk: 0,
      entries: 0,
      models: [],
    });
    expect(existsSync(dir)).toBe(false);
  });

  it('counts entries and their bytes per provider and model, with the oldest and newest', async () => {
    const dir = tempCacheDir();
    const written = await fill(dir, SEEDS);
    const info = await describeRequestCache(dir);
    expect(info.exists).toBe(true);
    expect(info.entries).toBe(14);
    expect(info.oldest).toEqual(new Date(NOW.getTime() - 40 * DAY));
    expect(info.newest).toEqual(new Date(NOW.getTime() - DAY));
    expect(
      info.models.map((m) => [m.provider, m.model, m.entries, m.oldest.getTime(), m.newest]),
    ).toEqual([
      ['openai', 'gpt-4o-mini', 8, NOW.getTime() - 40 * DAY, new Date(NOW.getTime() - DAY)],
      ['ollama', 'granite4:3b', 4, NOW.getTime() - 2 * DAY, new Date(NOW.getTime() - 2 * DAY)],
      ['openai', 'gpt-4o', 2, NOW.getTime() - 10 * DAY, new Date(NOW.getTime() - 10 * DAY)],
    ]);
    // Keys are 64 hex characters; values are stored as their JSON text.
    const bytes = [...written.values()].reduce<number>(
      (sum, { value }) => sum + 64 + Buffer.byteLength(JSON.stringify(value)),
      0,
    );
    expect(info.models.reduce((sum, m) => sum + m.approxBytes, 0)).toBe(bytes);
    expect(info.files[0]).toEqual({
      path: info.path,
      bytes: statSync(info.path).size,
    });
    expect(info.bytesOnDisk).toBe(info.files.reduce((sum, f) => sum + f.bytes, 0));
  });
});

describe('clearRequestCache', () => {
  it('removes only the entries of one model, and the others still read back', async () => {
    const dir = tempCacheDir();
    const written = await fill(dir, SEEDS);
    const result = await clearRequestCache(dir, { model: 'gpt-4o-mini' });
    expect(result).toMatchObject({ exists: true, removed: 8, remaining: 6, compacted: true });
    const info = await describeRequestCache(dir);
    expect(info.models.map((m) => m.model).sort()).toEqual(['gpt-4o', 'granite4:3b']);
    const kept = [...written].filter(([, { seed }]) => seed.model !== 'gpt-4o-mini');
    expect(kept).toHaveLength(6);
    expect(
      await readBack(
        dir,
        kept.map(([key]) => key),
      ),
    ).toEqual(kept.map(([, w]) => w.value));
    const gone = [...written.keys()].filter((key) => !kept.some(([k]) => k === key));
    expect((await readBack(dir, gone)).every((v) => v === undefined)).toBe(true);
  });

  it('removes by provider', async () => {
    const dir = tempCacheDir();
    await fill(dir, SEEDS);
    expect((await clearRequestCache(dir, { provider: 'ollama' })).removed).toBe(4);
    expect((await describeRequestCache(dir)).models.every((m) => m.provider === 'openai')).toBe(
      true,
    );
  });

  it('removes entries older than a moment, and combines filters with AND', async () => {
    const dir = tempCacheDir();
    const written = await fill(dir, SEEDS);
    const week = new Date(NOW.getTime() - 7 * DAY);
    expect(
      (await clearRequestCache(dir, { provider: 'openai', model: 'gpt-4o', createdBefore: week }))
        .removed,
    ).toBe(2);
    expect((await clearRequestCache(dir, { createdBefore: week })).removed).toBe(5);
    const info = await describeRequestCache(dir);
    expect(info.entries).toBe(7);
    expect(info.oldest).toEqual(new Date(NOW.getTime() - 2 * DAY));
    const kept = [...written].filter(([, { seed }]) => seed.daysAgo < 7);
    expect(
      await readBack(
        dir,
        kept.map(([key]) => key),
      ),
    ).toEqual(kept.map(([, w]) => w.value));
  });

  it("removes everything with 'all' and gives the space back to the disk", async () => {
    const dir = tempCacheDir();
    await fill(dir, [{ provider: 'openai', model: 'm', count: 300, daysAgo: 0, size: 4000 }]);
    const before = await describeRequestCache(dir);
    expect(before.bytesOnDisk).toBeGreaterThan(1_000_000);
    const result = await clearRequestCache(dir, 'all');
    expect(result).toMatchObject({ removed: 300, remaining: 0, compacted: true });
    expect(result.bytesAfter).toBeLessThan(100_000);
    expect(result.reclaimedBytes).toBe(result.bytesBefore - result.bytesAfter);
    expect((await describeRequestCache(dir)).bytesOnDisk).toBe(result.bytesAfter);
    // The emptied cache still works.
    const cache = await openRequestCache(dir);
    cache.put('k', { provider: 'openai', model: 'm', value: 1 });
    cache.flush();
    cache.release();
    expect((await describeRequestCache(dir)).entries).toBe(1);
  });

  it('clears while another connection holds the cache open and keeps writing', async () => {
    const dir = tempCacheDir();
    await fill(dir, SEEDS);
    const running = await openRequestCache(dir);
    try {
      running.put('during', { provider: 'openai', model: 'gpt-4o-mini', value: 'x' });
      running.flush();
      expect((await clearRequestCache(dir, { model: 'gpt-4o-mini' })).removed).toBe(9);
      running.put('after', { provider: 'openai', model: 'gpt-4o-mini', value: 'y' });
      running.flush();
      expect(running.get('after')).toBe('y');
      expect(running.get('during')).toBeUndefined();
    } finally {
      running.release();
    }
    expect((await describeRequestCache(dir)).entries).toBe(7);
  });

  it('removes nothing from a folder without a cache', async () => {
    const dir = join(tempCacheDir(), 'never-used');
    expect(await clearRequestCache(dir, 'all')).toMatchObject({ exists: false, removed: 0 });
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a filter with no field set, which would otherwise clear everything', async () => {
    const dir = tempCacheDir();
    await fill(dir, SEEDS);
    await expect(clearRequestCache(dir, { model: undefined })).rejects.toMatchObject({
      code: 'USAGE',
    });
    expect((await describeRequestCache(dir)).entries).toBe(14);
  });
});
