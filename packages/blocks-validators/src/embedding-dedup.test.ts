import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mockBlock from '@dgt/blocks-lm/mock';
import openaiBlock from '@dgt/blocks-lm/openai';
import type { BlockInitContext, DgtEvent } from '@dgt/core';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddingDedupBlock } from './embedding-dedup.js';
import { makeBlock } from './shared/make-block.js';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/**
 * A fake embedding model that knows synonyms: texts about the same place get the same vector
 * whatever their wording, unrelated texts orthogonal ones.
 */
function topicEmbedding(text: string): number[] {
  const topics = ['paris|france', 'nile|egypt', 'everest|himalaya'];
  const vector = topics.map((t) => (new RegExp(t, 'i').test(text) ? 1 : 0));
  return vector.some(Boolean) ? vector : [0, 0, 0.5];
}

async function setup(dir: string) {
  const server = await startFakeOpenAI({ embed: topicEmbedding });
  servers.push(server);
  const init: Partial<BlockInitContext> = {
    outputDir: dir,
    env: {},
    createBlock: async (config) =>
      openaiBlock.create(
        {
          ...openaiBlock.configSchema.parse({ ...config, base_url: server.baseURL, api_key: 'k' }),
          name: config.name ?? 'dedup/embedder',
          type: config.type,
        },
        { outputDir: dir, env: { DGT_CACHE_DIR: path.join(dir, 'cache') } },
      ),
  };
  return { server, init };
}

const rows = (texts: string[]) => texts.map((input) => ({ task_name: 't', input }));

function callCtx(dir: string, events: DgtEvent[] = []) {
  return { emit: (e: DgtEvent) => events.push(e), taskDir: (task: string) => path.join(dir, task) };
}

describe('embedding_dedup', () => {
  it('drops rows that mean the same as an earlier one, across calls and after a restart of the block', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-embed-dedup-'));
    const { server, init } = await setup(dir);
    const config = {
      name: 'dedup',
      filter: true,
      threshold: 0.9,
      embedder: { type: 'openai', model_id_or_path: 'text-embedding-3-small' },
    };
    const block = await makeBlock(embeddingDedupBlock, config, init);
    const first = await block.call(
      rows(['Where is Paris?', 'Which country is Paris the capital of?', 'How long is the Nile?']),
      undefined,
      callCtx(dir),
    );
    expect(first.rows.map((r) => r.input)).toEqual(['Where is Paris?', 'How long is the Nile?']);
    expect(first.rejected![0]!.reason).toMatch(/near-duplicate: cosine similarity 1\.000 ≥ 0\.9/);
    await block.close?.();
    // A new instance (a resumed run) loads the kept vectors from the task folder.
    const again = await makeBlock(embeddingDedupBlock, config, init);
    const second = await again.call(
      rows(['Tell me about the river Nile in Egypt', 'How tall is Everest?']),
      undefined,
      callCtx(dir),
    );
    expect(second.rows.map((r) => r.input)).toEqual(['How tall is Everest?']);
    expect(server.requests.every((r) => r.path === '/v1/embeddings')).toBe(true);
  });

  it('compares within the call only as a postprocessor', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-embed-dedup-'));
    const { init } = await setup(dir);
    const block = await makeBlock(
      embeddingDedupBlock,
      { name: 'dedup', filter: true, embedder: { type: 'openai', model_id_or_path: 'e' } },
      init,
    );
    await block.call(rows(['Where is Paris?']), undefined, callCtx(dir));
    const post = await block.call(rows(['Where is Paris?', 'Paris, France?']), undefined, {
      ...callCtx(dir),
      phase: 'postprocess',
    });
    expect(post.rows.map((r) => r.input)).toEqual(['Where is Paris?']);
  });

  /** An embedding_dedup block whose embedder is the mock engine, with or without its embeddings. */
  async function overMock(dir: string, embeddings: boolean) {
    return makeBlock(
      embeddingDedupBlock,
      { name: 'dedup', filter: true, threshold: 0.9, embedder: { type: 'mock' } },
      {
        outputDir: dir,
        env: {},
        createBlock: async (config) => {
          const model = await mockBlock.create(
            { ...mockBlock.configSchema.parse(config), name: 'dedup/embedder', type: 'mock' },
            { outputDir: dir, env: {} },
          );
          if (embeddings) return model;
          // A model without an embeddings endpoint (a chat-only provider).
          const { embed: _, ...chatOnly } = model as typeof model & { embed?: unknown };
          return chatOnly;
        },
      },
    );
  }

  it('embeds through the mock engine in a dry run: no fallback, no warning', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-embed-dedup-'));
    const block = await overMock(dir, true);
    const events: DgtEvent[] = [];
    const out = await block.call(
      rows(['What is the capital of France?', 'what is the capital of france', 'Name a river.']),
      undefined,
      callCtx(dir, events),
    );
    expect(out.rows.map((r) => r.input)).toEqual([
      'What is the capital of France?',
      'Name a river.',
    ]);
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
    expect(events.filter((e) => e.type === 'lm-request')).toEqual([
      expect.objectContaining({ provider: 'mock', ok: true }),
    ]);
  });

  it('falls back to lexical vectors, with a warning, when the embedder has no embeddings endpoint', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-embed-dedup-'));
    const block = await overMock(dir, false);
    const events: DgtEvent[] = [];
    const out = await block.call(
      rows(['What is the capital of France?', 'what is the capital of france', 'Name a river.']),
      undefined,
      callCtx(dir, events),
    );
    expect(out.rows.map((r) => r.input)).toEqual([
      'What is the capital of France?',
      'Name a river.',
    ]);
    expect(events.filter((e) => e.type === 'warning')).toHaveLength(1);
  });
});
