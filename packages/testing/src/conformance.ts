// The engine behaviours every LM provider block must show against its fake server. Imported as
// `@dgt/testing/conformance` from a vitest test file (vitest is a peer dependency of this entry).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BlockDefinition,
  type BlockRow,
  type BlockV1,
  brandBlock,
  type DgtEvent,
  type LmRequestEvent,
} from '@dgt/core';
import { afterEach, describe, expect, it } from 'vitest';
import { lognormalLatency } from './latency.js';
import type { FakeLmServer, FakeServerOptions } from './types.js';

/** How to run one provider block against its fake server. */
export type LmProviderConformanceOptions = {
  /** Names the suite (`gemini`). */
  name: string;
  /** The provider's block definition (what `defineLmProvider` returned). */
  block: BlockDefinition;
  /** Starts the provider's fake server (`startFakeGemini`). */
  startServer(options: FakeServerOptions): Promise<FakeLmServer>;
  /** The block's configuration against that server: `type`, model, `base_url`, key. */
  config(server: FakeLmServer): Record<string, unknown>;
  /** Environment the block is created with (a key, a project), besides a private cache folder. */
  env?(server: FakeLmServer): Record<string, string>;
  /** Whether the provider speaks function calling (default true). */
  tools?: boolean;
  /**
   * The API key `config` or `env` gives: checked never to appear in a row error or an event, even
   * when the server's error message repeats it.
   */
  apiKey?: string;
};

const qaSchema = {
  type: 'object',
  properties: { question: { type: 'string' }, answer: { type: 'string' } },
  required: ['question', 'answer'],
  additionalProperties: false,
};
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
};

/**
 * Defines the shared provider suite: a block defined with `defineLmProvider`, called as the
 * runner calls it, over real HTTP to the provider's fake server, must write results and usage,
 * count events, validate and repair structured output, call tools, retry 5xx, wait out a 429 as
 * long as the server asks, not retry a 400, record a final failure on its row, keep
 * `max_concurrency` under uneven latency, time out and retry a hung request, stop when aborted,
 * keep the API key out of errors and events, fail fast when the server was never reachable,
 * and answer a repeated request from the cache. Every built-in provider and every scaffolded
 * provider plugin runs it.
 */
export function describeLmProviderConformance(options: LmProviderConformanceOptions): void {
  describe(`${options.name} provider conformance`, () => {
    let servers: FakeLmServer[] = [];
    let blocks: BlockV1[] = [];
    afterEach(async () => {
      await Promise.all(blocks.map((b) => b.close?.()));
      await Promise.all(servers.map((s) => s.close()));
      servers = [];
      blocks = [];
    });

    async function setup(
      serverOptions: FakeServerOptions = {},
      config: Record<string, unknown> = {},
      cacheDir = mkdtempSync(join(tmpdir(), 'dgt-conformance-')),
    ) {
      const server = await options.startServer(serverOptions);
      servers.push(server);
      const block = await create(server, config, cacheDir);
      return { server, block, cacheDir };
    }

    async function create(server: FakeLmServer, config: Record<string, unknown>, cacheDir: string) {
      const parsed = options.block.configSchema.parse({
        name: 'generator',
        ...options.config(server),
        ...config,
      });
      const made = await options.block.create(parsed, {
        outputDir: cacheDir,
        env: { DGT_CACHE_DIR: cacheDir, ...options.env?.(server) },
      });
      // As the runner does: the instance gets its brand, role, type and name.
      const block = brandBlock(made, { role: 'lm', type: parsed.type, name: parsed.name });
      blocks.push(block);
      return block;
    }

    async function call(
      block: BlockV1,
      rows: BlockRow[],
      callOptions: Record<string, unknown> = {},
      signal?: AbortSignal,
    ) {
      const events: DgtEvent[] = [];
      await block.call(rows, callOptions, {
        emit: (e) => events.push(e),
        ...(signal ? { signal } : {}),
      });
      return events.filter((e): e is LmRequestEvent => e.type === 'lm-request');
    }

    it('writes result and usage on each row and one lm-request event per request', async () => {
      const { block, server } = await setup({ reply: () => 'answer ok' });
      const rows: BlockRow[] = [{ input: 'first question' }, { input: 'second question' }];
      const events = await call(block, rows);
      expect(rows.map((r) => r.result)).toEqual(['answer ok', 'answer ok']);
      for (const row of rows) {
        expect(row.usage).toMatchObject({
          prompt_tokens: expect.any(Number),
          completion_tokens: 2,
        });
        expect((row.usage as { prompt_tokens: number }).prompt_tokens).toBeGreaterThan(0);
      }
      expect(events).toHaveLength(2);
      expect(events.every((e) => e.ok && !e.cached && e.block === 'generator')).toBe(true);
      expect(server.stats.requests).toBe(2);
    });

    it('returns n completions in results', async () => {
      const { block } = await setup({
        reply: (req) => `choice ${req.choice} of ${req.sameBodyCount}`,
      });
      const rows: BlockRow[] = [{ input: 'pick', gen_kwargs: { n: 2 } }];
      await call(block, rows);
      expect(rows[0]?.results).toHaveLength(2);
      expect(new Set(rows[0]?.results as string[]).size).toBe(2);
    });

    it('validates structured output and repairs a reply that misses a field', async () => {
      const { block, server } = await setup({
        reply: (req) =>
          req.prompt.includes('not valid')
            ? JSON.stringify({ question: 'Q?', answer: 'A.' })
            : JSON.stringify({ question: 'Q?' }),
      });
      const rows: BlockRow[] = [{ input: 'make a pair' }];
      const events = await call(block, rows, { responseSchema: { name: 'qa', schema: qaSchema } });
      expect(rows[0]?.parsed).toEqual({ question: 'Q?', answer: 'A.' });
      expect(server.requests[0]?.schema).toMatchObject({ required: ['question', 'answer'] });
      expect(server.stats.requests).toBe(2);
      expect(events).toHaveLength(2);
    });

    it.runIf(options.tools !== false)('offers tools and reads a forced tool call', async () => {
      const { block } = await setup();
      const rows: BlockRow[] = [
        {
          input: 'Weather in Oslo?',
          gen_kwargs: { tools: [weatherTool], tool_choice: 'required' },
        },
      ];
      await call(block, rows);
      const calls = rows[0]?.tool_calls as Array<{ name: string; arguments: { city?: unknown } }>;
      expect(calls).toHaveLength(1);
      expect(calls[0]?.name).toBe('get_weather');
      expect(typeof calls[0]?.arguments.city).toBe('string');
    });

    it('retries 5xx answers and recovers', async () => {
      const { block, server } = await setup({
        reply: () => 'recovered',
        faults: [
          { status: 500, times: 1 },
          { status: 503, times: 1 },
        ],
      });
      const rows: BlockRow[] = [{ input: 'x' }];
      const events = await call(block, rows, {});
      expect(rows[0]?.result).toBe('recovered');
      expect(events[0]?.retries).toBe(2);
      expect(server.stats.requests).toBe(3);
    });

    it('waits as long as a 429 asks before retrying', async () => {
      const { block } = await setup({
        reply: () => 'after the wait',
        faults: [{ status: 429, retryAfterSeconds: 1 }],
      });
      const rows: BlockRow[] = [{ input: 'x' }];
      const started = performance.now();
      await call(block, rows);
      expect(rows[0]?.result).toBe('after the wait');
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    });

    it('does not retry a 400, and records it on the row without failing the others', async () => {
      const { block, server } = await setup(
        {
          reply: () => 'fine',
          faults: (req) => (req.prompt.includes('bad') ? { status: 400 } : undefined),
        },
        { max_retries: 3 },
      );
      const rows: BlockRow[] = [{ input: 'bad one' }, { input: 'good one' }];
      const events = await call(block, rows);
      expect(rows[0]?.error).toMatch(/HTTP 400/);
      expect(rows[0]).not.toHaveProperty('result');
      expect(rows[1]?.result).toBe('fine');
      expect(server.stats.requests).toBe(2);
      expect(events.filter((e) => !e.ok)).toHaveLength(1);
    });

    it('gives up after max_retries and records the failure on the row', async () => {
      const { block, server } = await setup(
        { faults: () => ({ status: 500 }) },
        { max_retries: 2, retry_initial_delay: 0.01 },
      );
      const rows: BlockRow[] = [{ input: 'x' }];
      await call(block, rows);
      expect(rows[0]?.error).toMatch(/after 2 retries/);
      expect(server.stats.requests).toBe(3);
    });

    it('keeps at most max_concurrency requests in flight under uneven latency', async () => {
      const { block, server } = await setup(
        // A p99 about ten times the median, as real servers show.
        { latencyMs: lognormalLatency({ medianMs: 20, sigma: 1, seed: 3 }) },
        { max_concurrency: 3 },
      );
      const rows: BlockRow[] = Array.from({ length: 15 }, (_, i) => ({ input: `q${i}` }));
      await call(block, rows);
      expect(rows.every((r) => typeof r.result === 'string')).toBe(true);
      expect(server.stats.maxInFlight).toBe(3);
    });

    it('times out a hung request and retries it', async () => {
      const { block, server } = await setup(
        { reply: () => 'second try', latencyMs: (req) => (req.index === 0 ? 60_000 : 5) },
        { timeout: 0.3, retry_initial_delay: 0.01 },
      );
      const rows: BlockRow[] = [{ input: 'x' }];
      const events = await call(block, rows);
      expect(rows[0]?.result).toBe('second try');
      expect(events[0]?.retries).toBe(1);
      expect(server.stats.requests).toBe(2);
    });

    it('stops promptly when the call is aborted', async () => {
      const { block } = await setup({ latencyMs: 30_000 });
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(new Error('stopped by test')), 100);
      await expect(call(block, [{ input: 'x' }], {}, controller.signal)).rejects.toThrow(
        'stopped by test',
      );
      expect(performance.now() - started).toBeLessThan(5_000);
    });

    it.runIf(options.apiKey !== undefined)(
      'never shows the API key in a row error or an event',
      async () => {
        const key = options.apiKey as string;
        const message = `API key ${key} is not valid`;
        const { block } = await setup({
          faults: [
            {
              status: 400,
              body: JSON.stringify({
                error: { message, code: 400, type: 'invalid_request_error' },
              }),
            },
          ],
        });
        const rows: BlockRow[] = [{ input: 'x' }];
        const events = await call(block, rows);
        expect(rows[0]?.error).toMatch(/HTTP 400/);
        expect(JSON.stringify(rows)).not.toContain(key);
        expect(JSON.stringify(events)).not.toContain(key);
      },
    );

    it('fails the call fast, as LM_UNREACHABLE, when the server was never reachable', async () => {
      const { server } = await setup();
      await server.close();
      servers = servers.filter((s) => s !== server);
      const dead = await create(
        server,
        { max_retries: 4, retry_initial_delay: 0.01 },
        mkdtempSync(join(tmpdir(), 'dgt-conformance-')),
      );
      const started = performance.now();
      const error = await call(dead, [{ input: 'x' }, { input: 'y' }]).catch((e: unknown) => e);
      expect((error as { code?: unknown }).code).toBe('LM_UNREACHABLE');
      expect(performance.now() - started).toBeLessThan(5_000);
    });

    it('answers a repeated request from the request cache, at no cost', async () => {
      const { block, server, cacheDir } = await setup({ reply: () => 'cached answer' });
      await call(block, [{ input: 'same prompt' }]);
      await block.close?.();
      blocks = blocks.filter((b) => b !== block);
      const again = await create(server, {}, cacheDir);
      const rows: BlockRow[] = [{ input: 'same prompt' }];
      const events = await call(again, rows);
      expect(rows[0]?.result).toBe('cached answer');
      expect(events[0]).toMatchObject({ cached: true, costUsd: 0 });
      expect(server.stats.requests).toBe(1);
    });
  });
}
