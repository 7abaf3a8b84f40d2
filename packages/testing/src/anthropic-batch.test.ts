import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './anthropic.js';
import type { FakeLmServer } from './types.js';

let server: FakeLmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const request = (id: string, content: string) => ({
  custom_id: id,
  params: { model: 'claude-x', max_tokens: 32, messages: [{ role: 'user' as const, content }] },
});

describe('fake Anthropic Message Batches', () => {
  it('ends a batch after its delay and streams its results', async () => {
    server = await startFakeAnthropic({
      batch: {
        delayMs: 30,
        failRequest: (item) =>
          item.customId === 'b' ? { status: 500, message: 'boom' } : undefined,
      },
    });
    const client = new Anthropic({ baseURL: server.baseURL, apiKey: 'k' });
    const created = await client.messages.batches.create({
      requests: [request('a', 'Hello'), request('b', 'World')],
    });
    expect(created.processing_status).toBe('in_progress');
    await new Promise((r) => setTimeout(r, 40));
    const done = await client.messages.batches.retrieve(created.id);
    expect(done.processing_status).toBe('ended');
    expect(done.request_counts).toMatchObject({ succeeded: 1, errored: 1 });
    const results = [];
    for await (const r of await client.messages.batches.results(created.id)) results.push(r);
    expect(results.map((r) => [r.custom_id, r.result.type])).toEqual([
      ['a', 'succeeded'],
      ['b', 'errored'],
    ]);
    expect(server.stats.requests).toBe(0);
  });

  it('cancels and expires batches', async () => {
    server = await startFakeAnthropic({
      batch: {
        delayMs: Number.POSITIVE_INFINITY,
        expire: (b) => (b.customIds[0] === 'x' ? 0 : undefined),
      },
    });
    const client = new Anthropic({ baseURL: server.baseURL, apiKey: 'k' });
    const expiring = await client.messages.batches.create({ requests: [request('x', 'one')] });
    const cancelling = await client.messages.batches.create({ requests: [request('z', 'two')] });
    await client.messages.batches.cancel(cancelling.id);
    const cancelled = [];
    for await (const r of await client.messages.batches.results(cancelling.id)) cancelled.push(r);
    expect(cancelled[0]?.result.type).toBe('canceled');
    server.finishBatches();
    const expired = [];
    for await (const r of await client.messages.batches.results(expiring.id)) expired.push(r);
    expect(expired[0]?.result.type).toBe('expired');
  });
});
