import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './openai.js';
import type { FakeLmServer } from './types.js';

let server: FakeLmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function line(id: string, content: string, url = '/v1/chat/completions') {
  return JSON.stringify({
    custom_id: id,
    method: 'POST',
    url,
    body: { model: 'fake-model', messages: [{ role: 'user', content }] },
  });
}

async function submit(client: OpenAI, lines: string[], endpoint = '/v1/chat/completions') {
  const file = await client.files.create({
    file: await toFile(Buffer.from(`${lines.join('\n')}\n`), 'batch.jsonl'),
    purpose: 'batch',
  });
  return client.batches.create({
    input_file_id: file.id,
    endpoint: endpoint as '/v1/chat/completions',
    completion_window: '24h',
  });
}

describe('fake OpenAI Batch API', () => {
  it('answers a batch after its delay with output and error files, and counts no online request', async () => {
    server = await startFakeOpenAI({
      batch: {
        delayMs: 40,
        failRequest: (item) =>
          item.customId === 'b' ? { status: 500, message: 'boom' } : undefined,
      },
    });
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'k' });
    const created = await submit(client, [line('a', 'Hello'), line('b', 'World')]);
    expect(created.status).toBe('in_progress');
    expect((await client.batches.retrieve(created.id)).output_file_id).toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    const done = await client.batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
    const output = await (await client.files.content(done.output_file_id!)).text();
    const ok = JSON.parse(output.trim());
    expect(ok.custom_id).toBe('a');
    expect(ok.response.status_code).toBe(200);
    expect(ok.response.body.choices[0].message.content).toEqual(expect.any(String));
    const errors = await (await client.files.content(done.error_file_id!)).text();
    expect(JSON.parse(errors.trim()).response.status_code).toBe(500);
    expect(server.stats.requests).toBe(0);
    expect(server.batches.map((b) => b.customIds)).toEqual([['a', 'b']]);
  });

  it('expires, cancels, and refuses files over the byte limit', async () => {
    server = await startFakeOpenAI({
      batch: {
        delayMs: Number.POSITIVE_INFINITY,
        expire: (b) => (b.customIds[0] === 'x' ? 1 : undefined),
        maxBytes: 2000,
      },
    });
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 });
    const expiring = await submit(client, [line('x', 'one'), line('y', 'two')]);
    const cancelled = await submit(client, [line('z', 'three')]);
    expect((await client.batches.cancel(cancelled.id)).status).toBe('cancelled');
    expect((await client.batches.retrieve(expiring.id)).status).toBe('in_progress');
    server.finishBatches();
    const expired = await client.batches.retrieve(expiring.id);
    expect(expired.status).toBe('expired');
    const errors = await (await client.files.content(expired.error_file_id!)).text();
    expect(JSON.parse(errors.trim()).error.code).toBe('batch_expired');
    await expect(submit(client, [line('big', 'w '.repeat(2000))])).rejects.toMatchObject({
      status: 413,
    });
  });

  it("serves Azure's /openai/files and /openai/batches paths", async () => {
    server = await startFakeOpenAI();
    const client = new AzureOpenAI({ endpoint: server.url, apiKey: 'k', apiVersion: '2024-10-21' });
    const created = await submit(
      client,
      [line('a', 'Hi', '/chat/completions')],
      '/chat/completions',
    );
    const done = await client.batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts?.completed).toBe(1);
  });
});
