import { isDgtError } from '@dgt/core';
import {
  FAKE_WATSONX_API_KEY,
  type FakeLmServer,
  type FakeServerOptions,
  startFakeWatsonx,
} from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callBlock, makeBlock } from './test-utils.js';
import watsonxBlock from './watsonx.js';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function setup(
  options: FakeServerOptions = {},
  config: Record<string, unknown> = {},
  env?: Record<string, string>,
) {
  const server = await startFakeWatsonx(options);
  servers.push(server);
  const block = await makeBlock(
    watsonxBlock,
    {
      type: 'watsonx',
      model_id_or_path: 'ibm/granite-3-8b-instruct',
      retry_initial_delay: 0.01,
      ...config,
    },
    env ?? {
      WATSONX_URL: server.url,
      WATSONX_IAM_URL: server.url,
      WATSONX_API_KEY: FAKE_WATSONX_API_KEY,
      WATSONX_PROJECT_ID: 'proj-1',
    },
  );
  return { server, block };
}

describe('watsonx block', () => {
  it('chats with an IAM token obtained from the API key', async () => {
    const { block, server } = await setup(
      { reply: () => 'Granite says hi' },
      { max_new_tokens: 20 },
    );
    const rows: Record<string, unknown>[] = Array.from({ length: 5 }, (_, i) => ({
      input: `q${i}`,
    }));
    const { events } = await callBlock(block, rows);
    expect(rows.every((r) => r.result === 'Granite says hi')).toBe(true);
    expect(server.requests[0]).toMatchObject({
      path: '/ml/v1/text/chat',
      body: { model_id: 'ibm/granite-3-8b-instruct', project_id: 'proj-1', max_tokens: 20 },
    });
    expect(events.every((e) => e.ok && e.provider === 'watsonx' && e.promptTokens === 1)).toBe(
      true,
    );
  });

  it('uses text generation for method completion, with watsonx parameter names', async () => {
    const { block, server } = await setup(
      {},
      { max_new_tokens: 7, stop: ['\n'], temperature: 0, seed: 4 },
    );
    const rows: Record<string, unknown>[] = [{ input: 'Once upon a time' }];
    const { events } = await callBlock(block, rows, { method: 'completion' });
    expect(server.requests[0]).toMatchObject({
      path: '/ml/v1/text/generation',
      body: {
        input: 'Once upon a time',
        project_id: 'proj-1',
        parameters: {
          decoding_method: 'greedy',
          max_new_tokens: 7,
          stop_sequences: ['\n'],
          random_seed: 4,
        },
      },
    });
    expect(typeof rows[0]?.result).toBe('string');
    expect(events[0]?.promptTokens).toBe(4);
  });

  it('accepts a ready bearer token in WATSONX_API_TOKEN', async () => {
    const server = await startFakeWatsonx();
    servers.push(server);
    const block = await makeBlock(
      watsonxBlock,
      { type: 'watsonx', model: 'm', project_id: 'p' },
      { WATSONX_URL: server.url, WATSONX_API_TOKEN: FAKE_WATSONX_API_KEY },
    );
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows);
    expect(typeof rows[0]?.result).toBe('string');
    expect(server.requests[0]?.body.project_id).toBe('p');
  });

  it("reads the server from DiGiT's WATSONX_API_URL when WATSONX_URL is unset", async () => {
    const server = await startFakeWatsonx();
    servers.push(server);
    const block = await makeBlock(
      watsonxBlock,
      { type: 'watsonx', model: 'm' },
      {
        WATSONX_API_URL: server.url,
        WATSONX_IAM_URL: server.url,
        WATSONX_API_KEY: FAKE_WATSONX_API_KEY,
        WATSONX_PROJECT_ID: 'proj-2',
      },
    );
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows);
    expect(typeof rows[0]?.result).toBe('string');
    expect(server.requests[0]?.body.project_id).toBe('proj-2');
  });

  it('maps structured output and tools to the chat API', async () => {
    const { block, server } = await setup();
    const shape = z.object({ city: z.string() });
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(block, rows, {
      responseSchema: { name: 'c', schema: z.toJSONSchema(shape) as Record<string, unknown> },
    });
    expect(shape.parse(rows[0]?.parsed)).toBeTruthy();
    expect(server.requests[0]?.body.response_format).toMatchObject({ type: 'json_schema' });
    const tools: Record<string, unknown>[] = [
      {
        input: 'y',
        gen_kwargs: {
          tools: [
            {
              name: 'lookup',
              parameters: { type: 'object', properties: { q: { type: 'string' } } },
            },
          ],
          tool_choice: 'lookup',
        },
      },
    ];
    await callBlock(block, tools);
    expect(tools[0]?.tool_calls).toEqual([
      expect.objectContaining({ name: 'lookup', arguments: { q: expect.any(String) } }),
    ]);
  });

  it('records a refused API key as a failure without retrying it', async () => {
    const server = await startFakeWatsonx();
    servers.push(server);
    const bad = await makeBlock(
      watsonxBlock,
      { type: 'watsonx', model: 'm' },
      {
        WATSONX_URL: server.url,
        WATSONX_IAM_URL: server.url,
        WATSONX_API_KEY: 'wrong',
        WATSONX_PROJECT_ID: 'p',
      },
    );
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    await callBlock(bad, rows);
    expect(rows[0]?.error).toMatch(/HTTP 400: Provided API key could not be found/);
    expect(server.stats.requests).toBe(0);
  });

  it('retries 429 with Retry-After', async () => {
    const { block } = await setup({ faults: [{ status: 429, retryAfterSeconds: 0.05 }] });
    const rows: Record<string, unknown>[] = [{ input: 'x' }];
    const { events } = await callBlock(block, rows);
    expect(events[0]).toMatchObject({ ok: true, retries: 1 });
  });

  it('names what is missing', async () => {
    const error = await makeBlock(watsonxBlock, { type: 'watsonx', model: 'm' }, {}).catch(
      (e: unknown) => e,
    );
    expect(isDgtError(error) && error.message).toMatch(/WATSONX_URL/);
  });
});
