import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineBlock, defineBuilder } from '../contracts/define.js';
import type { BlockInitContext, BlockV1 } from '../contracts/v1/block.js';
import { DgtError } from '../errors/dgt-error.js';
import { discoverPlugins } from '../registry/discover.js';
import { checkPlanBlocks } from './check-blocks.js';
import { planRun } from './plan-run.js';
import { runTasks } from './run-tasks.js';

/** What the fake blocks saw: each creation with its purpose, and each close. */
type Journal = { created: string[]; closed: string[] };

function blockOf(name: string, type: string, journal: Journal): BlockV1 {
  return {
    specificationVersion: 'v1',
    kind: 'block',
    role: 'transform',
    type,
    name,
    call: async (rows) => ({ rows }),
    close: async () => {
      journal.closed.push(name);
    },
  };
}

function record(journal: Journal, name: string, ctx: BlockInitContext) {
  journal.created.push(`${name}:${ctx.purpose ?? 'absent'}`);
}

/** A project whose builder uses a healthy block, one whose create fails, and a nesting one. */
async function project(blocks: { name: string; type: string; [key: string]: unknown }[]) {
  const journal: Journal = { created: [], closed: [] };
  const healthy = defineBlock({
    role: 'transform',
    configSchema: z.looseObject({}),
    create(config, ctx) {
      record(journal, config.name, ctx);
      return blockOf(config.name, config.type, journal);
    },
  });
  const keyless = defineBlock({
    role: 'lm',
    configSchema: z.looseObject({}),
    create(config, ctx) {
      record(journal, config.name, ctx);
      throw new DgtError(
        'MISSING_CREDENTIALS',
        `Block "${config.name}" (type ${config.type}): no API key — set FAKE_API_KEY.`,
      );
    },
  });
  const nesting = defineBlock({
    role: 'validator',
    configSchema: z.looseObject({ inner: z.looseObject({ type: z.string() }) }),
    async create(config, ctx) {
      record(journal, config.name, ctx);
      await ctx.createBlock!({ name: `${config.name}/inner`, ...config.inner });
      return blockOf(config.name, config.type, journal);
    },
  });
  const buggy = defineBlock({
    role: 'transform',
    configSchema: z.looseObject({}),
    create() {
      throw new TypeError('a bug, not a user error');
    },
  });
  const builder = defineBuilder({
    kind: 'generation',
    name: 'test/checked',
    config: { name: 'test/checked', blocks, postprocessors: [] },
    async call(batch) {
      return batch.map((item) => ({ task_name: item.task_name, text: 'x' }));
    },
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-check-blocks-'));
  await writeFile(
    path.join(dir, 'task.yaml'),
    'task_name: checked\ndata_builder: test/checked\nseed_examples: [{text: a}]\n',
  );
  const registry = await discoverPlugins({
    projectRoot: dir,
    builtins: {
      builders: { 'test/checked': () => builder },
      blocks: {
        healthy: () => healthy,
        keyless: () => keyless,
        nesting: () => nesting,
        buggy: () => buggy,
      },
    },
  });
  const plan = await planRun({ taskPaths: ['task.yaml'], cwd: dir, env: {}, registry });
  return { dir, journal, plan, registry };
}

describe('checkPlanBlocks', () => {
  it('reports a block whose create throws a DgtError, naming the builder, the block and its type, and closes every block it made', async () => {
    const { dir, journal, plan } = await project([
      { name: 'first', type: 'healthy' },
      { name: 'generator', type: 'keyless' },
      { name: 'judge', type: 'nesting', inner: { type: 'healthy' } },
      { name: 'last', type: 'healthy' },
    ]);

    const problems = await checkPlanBlocks(plan);

    expect(problems).toEqual([
      {
        builder: 'test/checked',
        block: 'generator',
        type: 'keyless',
        code: 'MISSING_CREDENTIALS',
        message:
          'block "generator" (keyless) of builder test/checked: Block "generator" (type keyless): no API key — set FAKE_API_KEY.',
      },
    ]);
    // Every block was created for a check (the failure did not stop the next ones) …
    expect(journal.created).toEqual([
      'first:check',
      'generator:check',
      'judge:check',
      'judge/inner:check',
      'last:check',
    ]);
    // … and every block that was made, including the one a block made for itself, is closed.
    expect(journal.closed.sort()).toEqual(['first', 'judge', 'judge/inner', 'last']);
    // Nothing was written: not even the output folder.
    expect(existsSync(path.join(dir, 'output'))).toBe(false);
  });

  it('reports a DgtError thrown while a block creates its inner block, under the outer block', async () => {
    const { journal, plan } = await project([
      { name: 'judge', type: 'nesting', inner: { type: 'keyless' } },
    ]);
    const problems = await checkPlanBlocks(plan);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ block: 'judge', type: 'nesting' });
    expect(problems[0]!.message).toContain('Block "judge/inner" (type keyless): no API key');
    expect(journal.closed).toEqual([]);
  });

  it('returns no problem for healthy blocks', async () => {
    const { plan } = await project([{ name: 'only', type: 'healthy' }]);
    expect(await checkPlanBlocks(plan)).toEqual([]);
  });

  it('lets an error that is not a DgtError through as a bug, after closing what it made', async () => {
    const { journal, plan } = await project([
      { name: 'first', type: 'healthy' },
      { name: 'broken', type: 'buggy' },
    ]);
    await expect(checkPlanBlocks(plan)).rejects.toThrow(TypeError);
    expect(journal.closed).toEqual(['first']);
  });

  it('a run creates the same blocks with purpose "run"', async () => {
    const { dir, journal, registry } = await project([
      { name: 'judge', type: 'nesting', inner: { type: 'healthy' } },
    ]);
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 1 },
    });
    expect(result.status).toBe('completed');
    expect(journal.created).toEqual(['judge:run', 'judge/inner:run']);
    expect(journal.closed.sort()).toEqual(['judge', 'judge/inner']);
  });
});
