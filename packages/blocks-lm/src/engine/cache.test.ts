import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import openaiBlock from '../openai.js';
import { callBlock, makeBlock, tempCacheDir } from '../test-utils.js';
import { resolveCacheDir } from './cache.js';

let server: FakeLmServer;
let cacheDir: string;

beforeEach(async () => {
  server = await startFakeOpenAI();
  cacheDir = tempCacheDir();
});
afterEach(() => server.close());

async function run(
  inputs: string[],
  config: Record<string, unknown> = {},
  env: Record<string, string> = {},
) {
  const block = await makeBlock(
    openaiBlock,
    {
      type: 'openai',
      model_id_or_path: 'gpt-4o-mini',
      base_url: server.baseURL,
      retry_initial_delay: 0.01,
      ...config,
    },
    { DGT_CACHE_DIR: cacheDir, ...env },
  );
  const rows = inputs.map((input) => ({ input, task_name: 't' }) as Record<string, unknown>);
  const { events } = await callBlock(block, rows);
  await block.close?.();
  return { rows, events };
}

describe('request cache', () => {
  it('answers a rerun from disk with zero LM calls and real-looking usage', async () => {
    const first = await run(['a', 'b', 'c']);
    expect(server.stats.requests).toBe(3);
    const second = await run(['a', 'b', 'c']);
    expect(server.stats.requests).toBe(3);
    expect(second.rows.map((r) => r.result)).toEqual(first.rows.map((r) => r.result));
    expect(second.rows.map((r) => r.usage)).toEqual(first.rows.map((r) => r.usage));
    expect(second.events.every((e) => e.cached && e.ok && e.costUsd === 0)).toBe(true);
    expect(second.events[0]?.promptTokens).toBeGreaterThan(0);
  });

  it('gives the k-th identical request its own sample, and finds each again on a rerun', async () => {
    const first = await run(['same', 'same', 'same']);
    expect(server.stats.requests).toBe(3);
    expect(new Set(first.rows.map((r) => r.result)).size).toBe(3);
    const second = await run(['same', 'same', 'same', 'same']);
    expect(server.stats.requests).toBe(4);
    expect(second.rows.slice(0, 3).map((r) => r.result)).toEqual(first.rows.map((r) => r.result));
  });

  it('re-calls only what changed', async () => {
    await run(['a', 'b']);
    await run(['a', 'b edited']);
    expect(server.requests.map((r) => r.prompt)).toEqual(['a', 'b', 'b edited']);
  });

  it('keys on decoding parameters, schema and model', async () => {
    await run(['a']);
    await run(['a'], { temperature: 0.3 });
    await run(['a'], { model_id_or_path: 'gpt-4o' });
    expect(server.stats.requests).toBe(3);
  });

  it('honours the policies: off, read (never writes), refresh (never reads)', async () => {
    await run(['a'], { cache: 'off' });
    await run(['a'], { cache: 'read' });
    expect(server.stats.requests).toBe(2);
    await run(['a'], { cache: 'refresh' });
    expect(server.stats.requests).toBe(3);
    const hit = await run(['a'], { cache: 'read' });
    expect(server.stats.requests).toBe(3);
    expect(hit.events[0]?.cached).toBe(true);
    await run(['a'], { cache: 'refresh' });
    expect(server.stats.requests).toBe(4);
  });

  it('never caches errors', async () => {
    await server.close();
    server = await startFakeOpenAI({ faults: [{ status: 400 }] });
    const failed = await run(['a']);
    expect(failed.rows[0]?.error).toMatch(/HTTP 400/);
    const retried = await run(['a']);
    expect(retried.rows[0]?.error).toBeUndefined();
    expect(server.stats.requests).toBe(2);
  });

  it('lives in DGT_CACHE_DIR, else XDG_CACHE_HOME/dgt, else ~/.cache/dgt', () => {
    expect(resolveCacheDir({ DGT_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(resolveCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(join('/x', 'dgt'));
    expect(resolveCacheDir({ HOME: '/home/u' })).toBe(join('/home/u', '.cache', 'dgt'));
  });
});

describe('cost', () => {
  it('prices requests of known models, and not those of unknown ones', async () => {
    const { events, rows } = await run(['a b c'], { cache: 'off' });
    const usage = rows[0]?.usage as { prompt_tokens: number; completion_tokens: number };
    expect(events[0]?.costUsd).toBeCloseTo(
      (usage.prompt_tokens * 0.15 + usage.completion_tokens * 0.6) / 1e6,
      12,
    );
    const unknown = await run(['a'], { cache: 'off', model_id_or_path: 'my-local-model' });
    expect(unknown.events[0]?.costUsd).toBeUndefined();
  });

  it('takes prices from the block config and from DGT_PRICES_FILE', async () => {
    const explicit = await run(['a'], {
      cache: 'off',
      model_id_or_path: 'mine',
      pricing: { input_per_million: 1_000_000, output_per_million: 0 },
    });
    expect(explicit.events[0]?.costUsd).toBe(explicit.events[0]?.promptTokens);
    const file = join(cacheDir, 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({ mine: { input_per_million: 0, output_per_million: 2e6 } }),
    );
    const fromFile = await run(
      ['a'],
      { cache: 'off', model_id_or_path: 'mine-v2' },
      {
        DGT_PRICES_FILE: file,
      },
    );
    expect(fromFile.events[0]?.costUsd).toBe(2 * (fromFile.events[0]?.completionTokens ?? 0));
  });
});
