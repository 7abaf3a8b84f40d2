import type { BlockRow, BlockV1, DgtEvent, LmBatchEvent, LmRequestEvent } from '@dgt/core';
import {
  type FakeLmServer,
  type FakeServerOptions,
  startFakeAnthropic,
  startFakeOpenAI,
} from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import anthropicBlock from '../../anthropic.js';
import azureOpenAIBlock from '../../azure-openai.js';
import mockBlock from '../../mock.js';
import openaiBlock from '../../openai.js';
import { makeBlock, tempCacheDir } from '../../test-utils.js';

let servers: FakeLmServer[] = [];
let blocks: BlockV1[] = [];
afterEach(async () => {
  await Promise.all(blocks.map((b) => b.close?.()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  blocks = [];
});

// Short gather and poll intervals: the fake answers batches within milliseconds.
const FAST = { batch: true, batch_gather_window: 0.02, batch_poll_interval: 0.01 };

async function server(kind: 'openai' | 'anthropic', options: FakeServerOptions = {}) {
  const s = await (kind === 'openai' ? startFakeOpenAI(options) : startFakeAnthropic(options));
  servers.push(s);
  return s;
}

async function openai(
  s: FakeLmServer,
  config: Record<string, unknown> = {},
  cacheDir = tempCacheDir(),
) {
  const block = await makeBlock(
    openaiBlock,
    {
      type: 'openai',
      model_id_or_path: 'gpt-4o-mini',
      base_url: s.baseURL,
      retry_initial_delay: 0.01,
      ...FAST,
      ...config,
    },
    { OPENAI_API_KEY: 'sk-test', DGT_CACHE_DIR: cacheDir },
  );
  blocks.push(block);
  return block;
}

function rowsOf(n: number, prefix = 'Question'): BlockRow[] {
  return Array.from({ length: n }, (_, i) => ({ input: `${prefix} ${i}?`, task_name: 't' }));
}

async function call(block: BlockV1, rows: BlockRow[], signal?: AbortSignal) {
  const events: DgtEvent[] = [];
  await block.call(rows, {}, { emit: (e) => events.push(e), ...(signal ? { signal } : {}) });
  return {
    requests: events.filter((e): e is LmRequestEvent => e.type === 'lm-request'),
    batches: events.filter((e): e is LmBatchEvent => e.type === 'lm-batch'),
    warnings: events.filter((e) => e.type === 'warning'),
  };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('batch mode (openai)', () => {
  it('answers every row through one batch, with no online request, at half the online price', async () => {
    // One fixed reply, so the batch and online runs produce the same tokens.
    const s = await server('openai', { reply: () => 'The answer is forty two.' });
    const rows = rowsOf(6);
    const { requests, batches } = await call(await openai(s), rows);
    expect(s.stats.requests).toBe(0);
    expect(s.batches).toHaveLength(1);
    expect(s.batches[0]?.customIds).toHaveLength(6);
    expect(rows.every((r) => typeof r.result === 'string' && r.result !== '')).toBe(true);
    expect(requests.every((e) => e.ok && e.batch === true)).toBe(true);
    expect(batches.map((b) => b.state)).toEqual(['submitted', 'ended']);
    expect(batches[1]).toMatchObject({ pending: 0, completed: 1, succeeded: 6 });

    // The same work online: same tokens (same fake replies), twice the cost.
    const online = rowsOf(6);
    const onlineRun = await call(await openai(s, { batch: false }), online);
    expect(online.map((r) => r.result)).toEqual(rows.map((r) => r.result));
    const cost = (list: LmRequestEvent[]) => list.reduce((sum, e) => sum + (e.costUsd ?? 0), 0);
    expect(cost(requests)).toBeGreaterThan(0);
    expect(cost(requests) / cost(onlineRun.requests)).toBeCloseTo(0.5, 6);
  });

  it('splits batches at the request and byte limits', async () => {
    const s = await server('openai');
    await call(await openai(s, { batch_max_requests: 2 }), rowsOf(5));
    // Batches are submitted concurrently, so they may arrive in any order.
    const sizes = (srv: FakeLmServer) => srv.batches.map((b) => b.customIds.length).sort();
    expect(sizes(s)).toEqual([1, 2, 2]);
    const t = await server('openai');
    // Each line is ~250 bytes: three fit in 800.
    await call(await openai(t, { batch_max_bytes: 800 }), rowsOf(7, 'Bytes'));
    expect(sizes(t)).toEqual([1, 3, 3]);
    expect(t.stats.requests + s.stats.requests).toBe(0);
  });

  it('retries failed and expired requests in the next batch, and reports permanent errors', async () => {
    const s = await server('openai', {
      batch: {
        failRequest: (item, batch) =>
          batch.id === s.batches[0]?.id && item.customId === batch.customIds[0]
            ? { status: 500, message: 'transient' }
            : String(JSON.stringify(item.body)).includes('Broken')
              ? { status: 400, message: 'bad request' }
              : undefined,
        expire: (batch) => (batch.id === s.batches[0]?.id ? 3 : undefined),
      },
    });
    const rows = [...rowsOf(5), { input: 'Broken?', task_name: 't' }];
    await call(await openai(s), rows);
    expect(s.stats.requests).toBe(0);
    expect(s.batches).toHaveLength(2);
    // The failed first request and the three that expired (indexes 3..5 minus the broken one,
    // which ran and failed for good only if it was among the first three) go in batch two.
    const first = s.batches[0]!;
    const second = s.batches[1]!;
    expect(second.customIds).toContain(first.customIds[0]);
    expect(second.customIds).toEqual(expect.arrayContaining(first.customIds.slice(3)));
    expect(rows.slice(0, 5).every((r) => typeof r.result === 'string')).toBe(true);
    expect(rows[5]?.error).toMatch(/HTTP 400: bad request/);
  });

  it('cancels a batch at its deadline and sends what it had not finished online', async () => {
    const s = await server('openai', { batch: { delayMs: Number.POSITIVE_INFINITY } });
    const rows = rowsOf(3);
    const started = Date.now();
    const { batches } = await call(await openai(s, { batch_deadline: 0.2 }), rows);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(s.batches[0]?.cancelledAt).toBeDefined();
    expect(s.stats.requests).toBe(3);
    expect(rows.every((r) => typeof r.result === 'string')).toBe(true);
    expect(batches.map((b) => b.state)).toEqual(['submitted', 'cancelling', 'ended']);
  });

  it('re-attaches to a pending batch after a crash instead of submitting it again', async () => {
    const s = await server('openai', { batch: { delayMs: Number.POSITIVE_INFINITY } });
    const cacheDir = tempCacheDir();
    const first = await openai(s, {}, cacheDir);
    const stop = new AbortController();
    const running = call(first, rowsOf(4), stop.signal).catch(() => 'aborted');
    await until(() => s.batches.length === 1);
    // The process "dies": its calls are abandoned, nothing is collected.
    stop.abort();
    expect(await running).toBe('aborted');
    await first.close?.();

    const second = await openai(s, {}, cacheDir);
    const rows = rowsOf(4);
    const resumed = call(second, rows);
    await new Promise((r) => setTimeout(r, 60));
    expect(s.batches).toHaveLength(1);
    s.finishBatches();
    const { batches } = await resumed;
    expect(s.batches).toHaveLength(1);
    expect(s.stats.requests).toBe(0);
    expect(rows.every((r) => typeof r.result === 'string')).toBe(true);
    expect(batches.map((b) => b.state)).toEqual(['re-attached', 'ended']);
  });

  it('collects a batch that finished while no run was up, into the cache both modes read', async () => {
    const s = await server('openai', { batch: { delayMs: Number.POSITIVE_INFINITY } });
    const cacheDir = tempCacheDir();
    const stop = new AbortController();
    const dying = await openai(s, {}, cacheDir);
    const running = call(dying, rowsOf(3), stop.signal).catch(() => 'x');
    await until(() => s.batches.length === 1);
    stop.abort();
    await running;
    await dying.close?.();
    s.finishBatches();
    const resumed = await openai(s, {}, cacheDir);
    const seen: DgtEvent[] = [];
    await resumed.call([], {}, { emit: (e) => seen.push(e) });
    await until(() => seen.some((e) => e.type === 'lm-batch' && e.state === 'ended'));
    // Online mode now: every answer comes from the cache the batch filled.
    const rows = rowsOf(3);
    const { requests } = await call(await openai(s, { batch: false }, cacheDir), rows);
    expect(requests.every((e) => e.cached)).toBe(true);
    expect(s.stats.requests).toBe(0);
    expect(s.batches).toHaveLength(1);
  });

  it('does not submit a batch that could pass the budget', async () => {
    const s = await server('openai');
    const rows = rowsOf(4);
    await call(await openai(s, { batch_max_cost_usd: 0.0001, max_tokens: 1000 }), rows);
    expect(s.batches).toHaveLength(0);
    expect(s.stats.requests).toBe(0);
    expect(rows[0]?.error).toMatch(/budget/);
  });
});

describe('batch mode without a Batch API', () => {
  it('runs online with one notice naming the block and provider', async () => {
    const block = await makeBlock(mockBlock, { type: 'mock', batch: true });
    blocks.push(block);
    const rows = rowsOf(2);
    const first = await call(block, rows);
    const second = await call(block, rowsOf(2, 'Again'));
    expect(first.warnings).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/block generator: mock has no Batch API/),
      }),
    ]);
    expect(second.warnings).toEqual([]);
    expect(rows.every((r) => typeof r.result === 'string')).toBe(true);
    expect(first.requests.some((e) => e.batch)).toBe(false);
  });
});

describe('batch mode (azure-openai, anthropic)', () => {
  it('runs Azure requests through its global-batch deployment', async () => {
    const s = await server('openai');
    const block = await makeBlock(
      azureOpenAIBlock,
      {
        type: 'azure-openai',
        model_id_or_path: 'gpt-4o-mini',
        endpoint: s.url,
        deployment: 'online-dep',
        batch_deployment: 'batch-dep',
        ...FAST,
      },
      { AZURE_OPENAI_API_KEY: 'az-key' },
    );
    blocks.push(block);
    const rows = rowsOf(3);
    const { requests, batches } = await call(block, rows);
    expect(batches.find((b) => b.state === 'submit-failed')?.message).toBeUndefined();
    expect(s.stats.requests).toBe(0);
    expect(s.batches).toHaveLength(1);
    expect(s.batches[0]?.items[0]?.body).toMatchObject({ model: 'batch-dep' });
    expect(requests.every((e) => e.batch && (e.costUsd ?? 0) > 0)).toBe(true);
    expect(rows.every((r) => typeof r.result === 'string')).toBe(true);
  });

  it('runs Anthropic requests through Message Batches and re-attaches after a crash', async () => {
    const s = await server('anthropic', { batch: { delayMs: Number.POSITIVE_INFINITY } });
    const cacheDir = tempCacheDir();
    const make = async () => {
      const block = await makeBlock(
        anthropicBlock,
        { type: 'anthropic', model_id_or_path: 'claude-haiku-4-5', base_url: s.baseURL, ...FAST },
        { ANTHROPIC_API_KEY: 'sk-ant', DGT_CACHE_DIR: cacheDir },
      );
      blocks.push(block);
      return block;
    };
    const stop = new AbortController();
    const dying = await make();
    const running = call(dying, rowsOf(3), stop.signal).catch(() => 'x');
    await until(() => s.batches.length === 1);
    stop.abort();
    await running;
    await dying.close?.();
    const rows = rowsOf(3);
    const resumed = call(await make(), rows);
    await new Promise((r) => setTimeout(r, 40));
    s.finishBatches();
    const { requests } = await resumed;
    expect(s.batches).toHaveLength(1);
    expect(s.stats.requests).toBe(0);
    expect(rows.every((r) => typeof r.result === 'string' && r.result !== '')).toBe(true);
    expect(requests.every((e) => e.batch && (e.costUsd ?? 0) > 0)).toBe(true);
  });
});
