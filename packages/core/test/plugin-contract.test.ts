import { describe, expect, it } from 'vitest';
import {
  type BlockRow,
  defineBlock,
  defineBuilder,
  isDgtError,
  runTasks,
  type StandardSchemaV1,
} from '../src/index.js';
import { tempProject, testRegistry } from './fixtures.js';

/**
 * A schema written against the Standard Schema interface alone, as valibot or arktype would
 * provide one: no zod anywhere in this plugin.
 */
function standardSchema<Output>(
  check: (value: unknown) => { value: Output } | { issues: StandardSchemaV1.Issue[] },
): StandardSchemaV1<unknown, Output> {
  return { '~standard': { version: 1, vendor: 'hand-written', validate: check } };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// `label` must be text; a missing label defaults to "stamped" (the block sees the schema's output).
const stampConfig = standardSchema<{ label: string; [key: string]: unknown }>((value) => {
  if (!isRecord(value)) return { issues: [{ message: 'expected a mapping' }] };
  if (value.label !== undefined && typeof value.label !== 'string')
    return { issues: [{ message: 'must be text', path: [{ key: 'label' }] }] };
  return { value: { ...value, label: (value.label as string | undefined) ?? 'stamped' } };
});

/** A block that states only its behaviour: no brand, role, type or name on the instance. */
const stampBlock = defineBlock({
  role: 'transform',
  configSchema: stampConfig,
  create: (config) => ({
    async call(rows: BlockRow[]) {
      for (const row of rows) row.stamp = `${config.label}:${config.name}`;
      return { rows };
    },
  }),
});

/** The same block as a definition from another copy of core, which would not brand instances. */
const unbrandedDefinition = {
  specificationVersion: 'v1',
  kind: 'block-definition',
  role: 'transform',
  configSchema: stampConfig,
  create: (config: { label: string; name: string }) => ({
    async call(rows: BlockRow[]) {
      for (const row of rows) row.stamp = `${config.label}:${config.name}`;
      return { rows };
    },
  }),
};

const stampBuilder = (blockType: string, label?: unknown) =>
  defineBuilder({
    kind: 'transformation',
    name: 'test/stamp',
    config: {
      name: 'test/stamp',
      blocks: [{ name: 'stamper', type: blockType, ...(label !== undefined ? { label } : {}) }],
    },
    inputSchema: standardSchema((value) =>
      isRecord(value) && typeof value.text === 'string'
        ? { value: value as { task_name: string; text: string } }
        : { issues: [{ message: 'expected text', path: ['text'] }] },
    ),
    async call(batch, ctx) {
      return (await ctx.blocks.stamper!(batch.map((record) => ({ ...record })))) as never;
    },
  });

async function run(builder: ReturnType<typeof stampBuilder>, blocks: Record<string, unknown>) {
  const project = await tempProject();
  await project.write(
    'task.yaml',
    'task_name: stamp\ndata_builder: test/stamp\ndata:\n  - text: a\n  - text: b\n',
  );
  const { registry } = await testRegistry(project.dir, { 'test/stamp': builder }, blocks);
  const result = await runTasks({ taskPaths: ['task.yaml'], cwd: project.dir, env: {}, registry });
  return { result, final: await project.jsonl('output/stamp/final_data.jsonl') };
}

describe('plugin contract v1: Standard Schema configs and brands added by core', () => {
  it('runs a block whose schema is not zod and whose instance carries no brand', async () => {
    const { result, final } = await run(stampBuilder('stamp'), { stamp: stampBlock });
    expect(result.status).toBe('completed');
    expect(final.map((r) => r.stamp)).toEqual(['stamped:stamper', 'stamped:stamper']);
  });

  it('brands the instances of a definition not made with this copy of defineBlock', async () => {
    const { result, final } = await run(stampBuilder('stamp', 'mine'), {
      stamp: unbrandedDefinition,
    });
    expect(result.status).toBe('completed');
    expect(final.map((r) => r.stamp)).toEqual(['mine:stamper', 'mine:stamper']);
  });

  it("reports a Standard Schema issue with the block and the key's path", async () => {
    const error = await run(stampBuilder('stamp', 42), { stamp: stampBlock }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDgtError(error) && error.code).toBe('INVALID_BLOCK_CONFIG');
    expect(String((error as Error).message)).toMatch(/label: must be text/);
  });

  it('defineBlock brands what create returns, keeping a synchronous factory synchronous', () => {
    const made = stampBlock.create(
      { label: 'l', name: 'n', type: 'stamp' },
      {
        outputDir: '/tmp',
        env: {},
      },
    );
    expect(made).not.toBeInstanceOf(Promise);
    expect(made).toMatchObject({
      specificationVersion: 'v1',
      kind: 'block',
      role: 'transform',
      type: 'stamp',
      name: 'n',
    });
  });
});
