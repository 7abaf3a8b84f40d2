import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BlockConfig, defineBlock, defineBuilder, discoverPlugins, planRun } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import mockBlock from './mock.js';
import ollamaBlock from './ollama.js';
import openaiBlock from './openai.js';

// A non-LM block beside the LM ones: run-wide flags must leave it alone.
const keepBlock = defineBlock({
  role: 'validator',
  configSchema: z.looseObject({ filter: z.boolean().optional() }),
  create: () => ({ call: async (rows) => ({ rows }) }),
});

const builder = defineBuilder({
  kind: 'generation',
  name: 'test/lm',
  config: {
    name: 'test/lm',
    blocks: [
      {
        name: 'generator',
        type: 'ollama',
        model_id_or_path: 'granite',
        temperature: 0.2,
        num_ctx: 4096,
        top_k: 40,
      },
      { name: 'check', type: 'keep', filter: true },
    ],
  },
  call: async (batch) => batch,
});

/** Plans a one-task run of `builder` with the given flags and override file; returns its blocks. */
async function plan(engine: Record<string, unknown>, override?: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-run-options-'));
  await writeFile(
    path.join(dir, 'task.yaml'),
    'task_name: t\ndata_builder: test/lm\nseed_examples: [{question: q}]\n',
  );
  if (override) await writeFile(path.join(dir, 'override.yaml'), override);
  const registry = await discoverPlugins({
    projectRoot: dir,
    builtins: {
      builders: { 'test/lm': () => builder },
      blocks: {
        ollama: () => ollamaBlock,
        openai: () => openaiBlock,
        mock: () => mockBlock,
        keep: () => keepBlock,
      },
    },
  });
  const planned = await planRun({
    taskPaths: ['task.yaml'],
    cwd: dir,
    env: { OPENAI_API_KEY: 'k' },
    registry,
    engine,
    ...(override ? { configPath: path.join(dir, 'override.yaml') } : {}),
  });
  const blocks = Object.fromEntries(
    planned.builders[0]!.blockConfigs.map((block: BlockConfig) => [block.name, block]),
  );
  return { blocks, warnings: planned.warnings };
}

describe('lmRunOptions: how LM blocks take the run-wide flags', () => {
  it('--engine moves LM blocks to the engine, keeping portable keys and dropping the old model', async () => {
    const { blocks } = await plan({ type: 'mock' });
    expect(blocks.generator).toMatchObject({ type: 'mock', temperature: 0.2 });
    expect(blocks.generator).not.toHaveProperty('model_id_or_path');
    expect(blocks.generator).not.toHaveProperty('num_ctx');
    expect(blocks.check).toEqual({ name: 'check', type: 'keep', filter: true });
  });

  it('--model, --base-url, --no-cache and --max-concurrency set the LM blocks only', async () => {
    const { blocks } = await plan({
      model: 'llama',
      baseUrl: 'http://127.0.0.1:9',
      cache: 'off',
      maxConcurrency: 64,
    });
    expect(blocks.generator).toMatchObject({
      type: 'ollama',
      model_id_or_path: 'llama',
      base_url: 'http://127.0.0.1:9',
      cache: 'off',
      max_concurrency: 64,
      num_ctx: 4096,
    });
    expect(blocks.check).toEqual({ name: 'check', type: 'keep', filter: true });
  });

  it('an override changing the type keeps --base-url and --no-cache', async () => {
    const { blocks } = await plan(
      { baseUrl: 'http://127.0.0.1:9/v1', cache: 'off' },
      'databuilders:\n  test/lm:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: gpt\n',
    );
    expect(blocks.generator).toMatchObject({
      type: 'openai',
      model_id_or_path: 'gpt',
      base_url: 'http://127.0.0.1:9/v1',
      cache: 'off',
      temperature: 0.2,
    });
    expect(blocks.generator).not.toHaveProperty('num_ctx');
  });

  it('an override in the other spelling replaces the default (model ≡ model_id_or_path)', async () => {
    const { blocks } = await plan(
      {},
      'databuilders:\n  test/lm:\n    blocks:\n      - name: generator\n        model: llama\n',
    );
    expect(blocks.generator).toMatchObject({ model: 'llama' });
    expect(blocks.generator).not.toHaveProperty('model_id_or_path');
  });

  it('warns about a misspelled LM key with the key meant, never about server parameters', async () => {
    const { warnings } = await plan(
      {},
      'databuilders:\n  test/lm:\n    blocks:\n      - name: generator\n        temprature: 0.5\n        min_p: 0.1\n',
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /override\.yaml:5 block "generator" \(ollama\): unknown key "temprature" — did you mean "temperature"\? It is passed to the provider as is\./,
    );
  });
});
