import { startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import openaiBlock from '../openai.js';
import { makeBlock } from '../test-utils.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('LM block load and graceful stop', () => {
  it('reports free slots and queued requests as its calls run', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startFakeOpenAI({
      reply: async () => {
        await gate;
        return 'ok';
      },
    });
    closers.push(() => server.close());
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model_id_or_path: 'm',
      base_url: server.baseURL,
      max_concurrency: 3,
      cache: 'off',
    });
    closers.push(() => block.close!());
    expect(block.capacity!()).toEqual({ free: 3, queued: 0, limit: 3 });
    const rows = Array.from({ length: 5 }, (_, i) => ({ input: `q${i}` }));
    const call = block.call(rows, {}, { emit: () => undefined });
    // The call takes its slots before it first waits.
    expect(block.capacity!()).toEqual({ free: 0, queued: 2, limit: 3 });
    release();
    await call;
    expect(block.capacity!()).toEqual({ free: 3, queued: 0, limit: 3 });
  });

  it('sends no new request once the stop signal aborts; requests under way finish', async () => {
    const server = await startFakeOpenAI({ latencyMs: 50 });
    closers.push(() => server.close());
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model_id_or_path: 'm',
      base_url: server.baseURL,
      max_concurrency: 2,
      cache: 'off',
    });
    closers.push(() => block.close!());
    const stop = new AbortController();
    const rows = Array.from({ length: 6 }, (_, i) => ({ input: `q${i}` }));
    const call = block.call(rows, {}, { emit: () => undefined, stopSignal: stop.signal });
    while (server.stats.requests < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    stop.abort();
    await expect(call).rejects.toThrow(/abort/i);
    // The two requests under way were answered; the four waiting were never sent.
    expect(server.stats.requests).toBe(2);
    expect(server.stats.completed).toBe(2);
    expect(
      rows.filter((row) => typeof (row as { result?: string }).result === 'string'),
    ).toHaveLength(2);
  });
});
