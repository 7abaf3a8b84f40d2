import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineBlock, defineBuilder, planRun, runTasks } from '../src/index.js';
import { eventLog, tempProject, testRegistry } from './fixtures.js';

/** A validator with a modelled key, configured like the real ones (`z.looseObject`). */
const thresholdBlock = defineBlock({
  role: 'validator',
  configSchema: z.looseObject({
    filter: z.boolean().default(false),
    threshold: z.number().default(1),
  }),
  create(config) {
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      call: async (rows) => ({ rows }),
    };
  },
});

const BUILDER_YAML = `name: test/typos
blocks:
  - name: generator
    type: echo
    model_id_or_path: m1
    temprature: 0.7
    top_k: 40
    min_p: 0.05
    num_ctx: 4096
    repetition_penalty: 1.1
  - name: check
    type: threshold
    filer: true
    threshold: 0.5
`;

/** A project whose builder config (a YAML file, so warnings carry lines) has typos. */
async function typoProject(override?: string) {
  const project = await tempProject();
  const config = await project.write('builder.yaml', BUILDER_YAML);
  await project.write(
    'task.yaml',
    'task_name: t\ndata_builder: test/typos\nseed_examples: [{question: a}]\nrunner_config:\n  num_outputs_to_generate: 2\n',
  );
  if (override) await project.write('override.yaml', override);
  const builder = defineBuilder({
    kind: 'generation',
    name: 'test/typos',
    config,
    async call(batch, ctx) {
      const replies = await ctx.blocks.generator!(
        batch.map((item) => ({ task_name: item.task_name, input: String(item.question) })),
      );
      return replies.map((r) => ({ task_name: String(r.task_name), question: String(r.result) }));
    },
  });
  const { registry } = await testRegistry(
    project.dir,
    { 'test/typos': builder },
    { threshold: thresholdBlock },
  );
  return { project, config, registry };
}

describe('block keys that look like typos', () => {
  it('planRun warns with the line, the block and the key meant; provider parameters stay silent', async () => {
    const { project, config, registry } = await typoProject();
    const plan = await planRun({ taskPaths: ['task.yaml'], cwd: project.dir, env: {}, registry });
    expect(plan.warnings).toEqual([
      `${config}:6 block "generator" (echo): unknown key "temprature" — did you mean "temperature"? It is passed to the provider as is.`,
      `${config}:13 block "check" (threshold): unknown key "filer" — did you mean "filter"? It is ignored.`,
    ]);
  });

  it('a typo in a --config-path override names the override file and its line', async () => {
    const { project, registry } = await typoProject(
      'databuilders:\n  test/typos:\n    blocks:\n      - name: generator\n        max_token: 100\n',
    );
    const plan = await planRun({
      taskPaths: ['task.yaml'],
      configPath: 'override.yaml',
      cwd: project.dir,
      env: {},
      registry,
    });
    expect(plan.warnings).toContain(
      `${path.join(project.dir, 'override.yaml')}:5 block "generator" (echo): unknown key "max_token" — did you mean "max_tokens"? It is passed to the provider as is.`,
    );
    expect(plan.warnings).toHaveLength(3);
  });

  it('the run emits each warning as a warning event after run-start and still completes', async () => {
    const { project, registry } = await typoProject();
    const log = eventLog();
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      onEvent: log.onEvent,
    });
    expect(result.tasks[0]!.status).toBe('completed');
    const types = log.events.map((e) => e.type);
    expect(types.indexOf('warning')).toBe(types.indexOf('run-start') + 1);
    expect(log.of('warning').map((w) => w.message)).toEqual([
      expect.stringContaining('unknown key "temprature"'),
      expect.stringContaining('unknown key "filer"'),
    ]);
  });

  it('a config without typos gives no warnings', async () => {
    const project = await tempProject();
    await project.write(
      'task.yaml',
      'task_name: t\ndata_builder: test/questions\nseed_examples: [{question: a}]\n',
    );
    const { registry } = await testRegistry(project.dir);
    const plan = await planRun({ taskPaths: ['task.yaml'], cwd: project.dir, env: {}, registry });
    expect(plan.warnings).toEqual([]);
  });
});
