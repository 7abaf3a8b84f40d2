import { type DgtEvent, hasEmbeddings, type LmRequestEvent, lexicalEmbedding } from '@dgt/core';
import {
  FAKE_WATSONX_API_KEY,
  type FakeLmServer,
  startFakeOllama,
  startFakeOpenAI,
  startFakeWatsonx,
} from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import mockBlock from '../mock.js';
import ollamaBlock from '../ollama.js';
import openaiBlock from '../openai.js';
import { makeBlock, tempCacheDir } from '../test-utils.js';
import watsonxBlock from '../watsonx.js';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const texts = Array.from({ length: 150 }, (_, i) => `Question ${i}: how far is city ${i}?`);

async function embedAll(block: Awaited<ReturnType<typeof makeBlock>>, input: string[]) {
  if (!hasEmbeddings(block)) throw new Error('no embeddings capability');
  const events: DgtEvent[] = [];
  const vectors = await block.embed(input, { emit: (e) => events.push(e), taskName: 't' });
  return {
    vectors,
    events: events.filter((e): e is LmRequestEvent => e.type === 'lm-request'),
  };
}

describe('the embeddings capability of LM blocks', () => {
  it('openai: batches of 64 through /v1/embeddings, vectors in text order (SDK base64 decoding)', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model_id_or_path: 'text-embedding-3-small',
      base_url: server.baseURL,
      api_key: 'k',
    });
    const { vectors, events } = await embedAll(block, texts);
    expect(server.requests.map((r) => r.path)).toEqual(Array(3).fill('/v1/embeddings'));
    expect(server.requests.map((r) => (r.body.input as string[]).length)).toEqual([64, 64, 22]);
    expect(vectors).toHaveLength(150);
    for (const [i, text] of texts.entries()) {
      const expected = lexicalEmbedding(text);
      // float32 over the wire: equal to 6 decimals.
      expect(vectors[i]!.length).toBe(expected.length);
      expect(Math.abs(vectors[i]![5]! - expected[5]!)).toBeLessThan(1e-6);
    }
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ ok: true, provider: 'openai', task: 't' });
    expect(events[0]!.promptTokens).toBeGreaterThan(0);
  });

  it('openai: a rerun takes every vector from the request cache, making no embeddings request', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const env = { DGT_CACHE_DIR: tempCacheDir() };
    const config = {
      type: 'openai',
      model_id_or_path: 'text-embedding-3-small',
      base_url: server.baseURL,
      api_key: 'k',
    };
    const embeddingRequests = () =>
      server.requests.filter((r) => r.path === '/v1/embeddings').length;
    const first = await makeBlock(openaiBlock, config, env);
    const sent = await embedAll(first, texts);
    await first.close?.();
    expect(embeddingRequests()).toBe(3);
    // A new block over the same cache (a rerun), the texts in another order and batching.
    const rerun = await makeBlock(openaiBlock, config, env);
    const again = await embedAll(rerun, [...texts].reverse());
    expect(embeddingRequests()).toBe(3);
    expect(again.vectors).toEqual([...sent.vectors].reverse());
    expect(again.events).toEqual([expect.objectContaining({ ok: true, cached: true, task: 't' })]);
    // Half known, half new: only the new texts are sent.
    await embedAll(rerun, [...texts.slice(0, 10), 'a text never embedded']);
    expect(server.requests.at(-1)!.body.input).toEqual(['a text never embedded']);
    await rerun.close?.();
    // The key covers the model and the server; `cache: off` neither reads nor writes.
    const otherModel = await makeBlock(openaiBlock, { ...config, model_id_or_path: 'e2' }, env);
    await embedAll(otherModel, texts.slice(0, 1));
    expect(embeddingRequests()).toBe(5);
    const other = await startFakeOpenAI();
    servers.push(other);
    const otherServer = await makeBlock(openaiBlock, { ...config, base_url: other.baseURL }, env);
    await embedAll(otherServer, texts.slice(0, 1));
    expect(other.requests).toHaveLength(1);
    const off = await makeBlock(openaiBlock, { ...config, cache: 'off' }, env);
    await embedAll(off, texts.slice(0, 1));
    expect(embeddingRequests()).toBe(6);
  });

  it('openai: retries a 429 with Retry-After and a 500, then succeeds', async () => {
    const server = await startFakeOpenAI({
      faults: [{ status: 429, retryAfterSeconds: 0.05 }, { status: 500 }],
    });
    servers.push(server);
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model_id_or_path: 'e',
      base_url: server.baseURL,
      api_key: 'k',
      retry_initial_delay: 0.01,
    });
    const { vectors, events } = await embedAll(block, ['a b c']);
    expect(vectors).toEqual([expect.any(Array)]);
    expect(server.requests).toHaveLength(3);
    expect(events[0]).toMatchObject({ ok: true, retries: 2 });
  });

  it('openai: a 400 is not retried and names the block and the model', async () => {
    const server = await startFakeOpenAI({ faults: [{ status: 400 }] });
    servers.push(server);
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model_id_or_path: 'e',
      base_url: server.baseURL,
      api_key: 'k',
    });
    await expect(embedAll(block, ['x'])).rejects.toThrow(
      'block "generator": embeddings request to openai (model e) failed',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('ollama: /api/embed through the ollama SDK', async () => {
    const server = await startFakeOllama({ faults: [{ status: 503 }] });
    servers.push(server);
    const block = await makeBlock(ollamaBlock, {
      type: 'ollama',
      model_id_or_path: 'nomic-embed-text',
      base_url: server.url,
      retry_initial_delay: 0.01,
    });
    const { vectors } = await embedAll(block, texts.slice(0, 3));
    expect(server.requests.map((r) => r.path)).toEqual(['/api/embed', '/api/embed']);
    expect(vectors).toEqual(texts.slice(0, 3).map((t) => lexicalEmbedding(t)));
  });

  it('watsonx: /ml/v1/text/embeddings with an IAM token and the project', async () => {
    const server = await startFakeWatsonx();
    servers.push(server);
    const block = await makeBlock(
      watsonxBlock,
      { type: 'watsonx', model_id_or_path: 'ibm/slate-125m-english-rtrvr' },
      {
        WATSONX_URL: server.url,
        WATSONX_IAM_URL: server.url,
        WATSONX_API_KEY: FAKE_WATSONX_API_KEY,
        WATSONX_PROJECT_ID: 'proj-1',
      },
    );
    const { vectors } = await embedAll(block, ['first text', 'second text']);
    expect(server.requests[0]!.body).toMatchObject({
      model_id: 'ibm/slate-125m-english-rtrvr',
      project_id: 'proj-1',
      inputs: ['first text', 'second text'],
    });
    expect(vectors).toEqual(['first text', 'second text'].map((t) => lexicalEmbedding(t)));
  });

  it('mock: deterministic offline vectors through the same capability, reported as requests', async () => {
    const block = await makeBlock(mockBlock, { type: 'mock' });
    const first = await embedAll(block, texts);
    const again = await embedAll(block, texts.slice(0, 2));
    expect(first.vectors).toHaveLength(150);
    expect(first.vectors[0]).toEqual(again.vectors[0]);
    // The same vectors the fake servers answer with: near-duplicates are as near as with them.
    expect(first.vectors[1]).toEqual(lexicalEmbedding(texts[1]!));
    expect(first.events).toHaveLength(3);
    expect(first.events[0]).toMatchObject({ ok: true, provider: 'mock', model: 'mock', task: 't' });
  });
});
