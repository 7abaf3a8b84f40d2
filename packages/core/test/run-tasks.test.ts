import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineBuilder, isDgtError, runTasks } from '../src/index.js';
import { echoLmBlock, eventLog, questionBuilder, tempProject, testRegistry } from './fixtures.js';

const SEEDS = `seed_examples:
  - question: alpha
  - question: beta
  - question: gamma
`;

function taskYaml(name: string, extra = '') {
  return `task_name: ${name}
task_description: test
created_by: tests
data_builder: test/questions
${SEEDS}${extra}`;
}

describe('runTasks: generation', () => {
  it('writes exactly the target count and DiGiT output layout', async () => {
    const project = await tempProject();
    await project.write('task.yaml', taskYaml('demo/qa'));
    const { registry, echo } = await testRegistry(project.dir);
    const log = eventLog();
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 7, seedBatchSize: 3, machineBatchSize: 2 },
      onEvent: log.onEvent,
    });
    expect(result.status).toBe('completed');
    const final = await project.jsonl('output/demo/qa/final_data.jsonl');
    expect(final).toHaveLength(7);
    expect(new Set(final.map((r) => r.question)).size).toBe(7);
    expect(final.every((r) => r.task_name === 'demo/qa' && r.is_seed === false)).toBe(true);
    const files = await readdir(path.join(project.dir, 'output/demo/qa'));
    expect(files.sort()).toEqual(
      [
        'data.jsonl',
        'dataloader_state.jsonl',
        'final_data.jsonl',
        'logs.jsonl',
        'provenance.jsonl',
        'task_card.jsonl',
        'task_results.jsonl',
      ].sort(),
    );
    const [results] = await project.jsonl('output/demo/qa/task_results.jsonl');
    expect(results).toMatchObject({ task: 'demo/qa', status: 'completed', accepted: 7, target: 7 });
    // Never more requests than records still needed: 3+2, then 2 → 7 requests for 7 records.
    expect(echo.stats.requests).toBe(7);
    expect(log.of('run-end')[0]?.status).toBe('completed');
    expect(log.of('lm-request')).toHaveLength(7);
  });

  it('resumes from data.jsonl and makes only the missing records', async () => {
    const project = await tempProject();
    await project.write('task.yaml', taskYaml('resume'));
    const first = await testRegistry(project.dir);
    await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry: first.registry,
      runner: { numOutputsToGenerate: 4 },
    });
    const second = await testRegistry(project.dir);
    const log = eventLog();
    await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry: second.registry,
      runner: { numOutputsToGenerate: 6 },
      onEvent: log.onEvent,
    });
    expect(log.of('task-start')[0]?.resumed).toBe(4);
    expect(second.echo.stats.requests).toBe(2);
    expect(await project.jsonl('output/resume/final_data.jsonl')).toHaveLength(6);
    expect(await project.jsonl('output/resume/data.jsonl')).toHaveLength(6);

    // A finished task rerun makes no request at all.
    const third = await testRegistry(project.dir);
    await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry: third.registry,
      runner: { numOutputsToGenerate: 6 },
    });
    expect(third.echo.stats.requests).toBe(0);
  });

  it('--restart discards earlier outputs', async () => {
    const project = await tempProject();
    await project.write('task.yaml', taskYaml('restart'));
    await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry: (await testRegistry(project.dir)).registry,
      runner: { numOutputsToGenerate: 5 },
    });
    const again = await testRegistry(project.dir);
    await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry: again.registry,
      runner: { numOutputsToGenerate: 3, restart: true },
    });
    expect(again.echo.stats.requests).toBe(3);
    expect(await project.jsonl('output/restart/data.jsonl')).toHaveLength(3);
  });

  it('runs the dedup postprocessor, stores rejects with reasons, and generates again to refill', async () => {
    const project = await tempProject();
    await project.write('task.yaml', taskYaml('dedup'));
    // Every other reply repeats an earlier one.
    const echo = echoLmBlock({ replies: (_input, n) => `question ${n % 2 === 0 ? 1 : n}` });
    const { registry } = await testRegistry(project.dir, {}, { echo: echo.definition });
    const log = eventLog();
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 5 },
      onEvent: log.onEvent,
    });
    expect(result.status).toBe('completed');
    const final = await project.jsonl('output/dedup/final_data.jsonl');
    expect(final).toHaveLength(5);
    expect(new Set(final.map((r) => r.question)).size).toBe(5);
    const rejects = await project.jsonl('output/dedup/blocks/dedup.jsonl');
    expect(rejects.length).toBeGreaterThan(0);
    expect(rejects[0]).toMatchObject({ _block: 'dedup', _reason: 'duplicate', task_name: 'dedup' });
    expect(log.of('postprocess').length).toBeGreaterThan(1);
    expect(result.tasks[0]?.rejected.dedup).toBe(rejects.length);
  });

  it('pools tasks of one builder into one call per attempt and routes outputs by task_name', async () => {
    const project = await tempProject();
    await project.write('a/task.yaml', taskYaml('pool/a'));
    await project.write('b/task.yaml', taskYaml('pool/b'));
    const { registry, echo } = await testRegistry(project.dir);
    const log = eventLog();
    await runTasks({
      taskPaths: ['.'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 4, seedBatchSize: 4 },
      onEvent: log.onEvent,
    });
    expect(log.of('attempt')[0]?.tasks.sort()).toEqual(['pool/a', 'pool/b']);
    expect(echo.stats.calls).toBe(1);
    expect(await project.jsonl('output/pool/a/final_data.jsonl')).toHaveLength(4);
    expect(
      (await project.jsonl('output/pool/b/final_data.jsonl')).every(
        (r) => r.task_name === 'pool/b',
      ),
    ).toBe(true);
  });

  it('stops a task that makes no progress (stall limit) and reports it', async () => {
    const project = await tempProject();
    await project.write(
      'task.yaml',
      taskYaml('stall', 'runner_config:\n  max_stalled_requests: 2\n'),
    );
    const empty = defineBuilder({
      ...questionBuilder,
      name: 'test/empty',
      async call() {
        return [];
      },
    });
    const { registry } = await testRegistry(project.dir, { 'test/empty': empty });
    await project.write(
      'task.yaml',
      taskYaml('stall', 'runner_config:\n  max_stalled_requests: 2\n').replace(
        'test/questions',
        'test/empty',
      ),
    );
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
    });
    expect(result.status).toBe('failed');
    expect(result.tasks[0]).toMatchObject({ status: 'stalled', attempts: 2 });
  });

  it('marks the task failed with the reason when the builder throws', async () => {
    const project = await tempProject();
    const broken = defineBuilder({
      ...questionBuilder,
      name: 'test/broken',
      async call() {
        throw new Error('boom');
      },
    });
    const { registry } = await testRegistry(project.dir, { 'test/broken': broken });
    await project.write('task.yaml', taskYaml('broken').replace('test/questions', 'test/broken'));
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
    });
    expect(result.tasks[0]?.status).toBe('failed');
    expect(result.tasks[0]?.reason).toContain('boom');
  });

  it('stops issuing attempts when aborted and can resume later', async () => {
    const project = await tempProject();
    await project.write('task.yaml', taskYaml('abort'));
    const controller = new AbortController();
    const { registry } = await testRegistry(project.dir);
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 50, seedBatchSize: 2, machineBatchSize: 0 },
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'records' && e.accepted >= 4) controller.abort();
      },
    });
    expect(result.status).toBe('interrupted');
    const made = (await project.jsonl('output/abort/data.jsonl')).length;
    expect(made).toBeGreaterThanOrEqual(4);
    expect(made).toBeLessThan(50);
    const resumed = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry: (await testRegistry(project.dir)).registry,
      runner: { numOutputsToGenerate: 50, seedBatchSize: 2, machineBatchSize: 0 },
    });
    expect(resumed.status).toBe('completed');
    expect(await project.jsonl('output/abort/final_data.jsonl')).toHaveLength(50);
  });
});

describe('runTasks: transformation', () => {
  it('makes one pass over the input and resumes without duplicates', async () => {
    const project = await tempProject();
    await project.write(
      'in.jsonl',
      Array.from({ length: 25 }, (_, i) => JSON.stringify({ text: `row ${i}` })).join('\n') + '\n',
    );
    await project.write(
      'task.yaml',
      'task_name: upper\ndata_builder: test/upper\ndata:\n  type: default\n  data_path: in.jsonl\nrunner_config:\n  transform_batch_size: 10\n',
    );
    const { registry } = await testRegistry(project.dir);
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
    });
    expect(result.status).toBe('completed');
    const final = await project.jsonl('output/upper/final_data.jsonl');
    expect(final.map((r) => r.text)).toEqual(Array.from({ length: 25 }, (_, i) => `ROW ${i}`));
    // Rerun: nothing is transformed twice.
    await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry: (await testRegistry(project.dir)).registry,
    });
    expect(await project.jsonl('output/upper/final_data.jsonl')).toHaveLength(25);
  });
});

describe('runTasks: configuration', () => {
  it('merges override blocks by name, drops the old provider keys on a type change, and applies task overrides', async () => {
    const project = await tempProject();
    await project.write('task.yaml', taskYaml('ovr'));
    await project.write(
      'override.yaml',
      `databuilders:
  test/questions:
    blocks:
      - name: generator
        type: echo2
        model_id_or_path: m2
tasks:
  ovr:
    runner_config:
      num_outputs_to_generate: 2
    seed_examples: null
    seed_datastore:
      type: default
      data_path: \${DATA}/seeds.jsonl
`,
    );
    await project.write('data/seeds.jsonl', '{"question":"from file"}\n');
    const echo2 = echoLmBlock();
    const { registry } = await testRegistry(project.dir, {}, { echo2: echo2.definition });
    await runTasks({
      taskPaths: ['task.yaml'],
      configPath: 'override.yaml',
      cwd: project.dir,
      env: { DATA: path.join(project.dir, 'data') },
      registry,
    });
    expect(echo2.stats.requests).toBe(2);
    const [card] = await project.jsonl('output/ovr/task_card.jsonl');
    const generator = (card!.builder_config as { blocks: Record<string, unknown>[] }).blocks[0];
    expect(generator).toMatchObject({
      name: 'generator',
      type: 'echo2',
      model_id_or_path: 'm2',
      temperature: 0.5,
    });
    expect(generator).not.toHaveProperty('num_ctx');
    const final = await project.jsonl('output/ovr/final_data.jsonl');
    expect(final.every((r) => String(r.question).startsWith('from from file'))).toBe(true);
  });

  it('--engine replaces every LM block provider, and --model sets its model', async () => {
    const project = await tempProject();
    await project.write('task.yaml', taskYaml('engine'));
    const echo2 = echoLmBlock();
    const { registry } = await testRegistry(project.dir, {}, { echo2: echo2.definition });
    await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      engine: { type: 'echo2', model: 'big' },
      runner: { numOutputsToGenerate: 1 },
    });
    const [card] = await project.jsonl('output/engine/task_card.jsonl');
    expect((card!.builder_config as { blocks: Record<string, unknown>[] }).blocks[0]).toMatchObject(
      { type: 'echo2', model_id_or_path: 'big' },
    );
    expect(echo2.stats.requests).toBe(1);
  });

  it('applies include: from the task file folder, appending seed examples', async () => {
    const project = await tempProject();
    await project.write('t/extra.yaml', '- question: delta\n- question: epsilon\n');
    await project.write(
      't/task.yaml',
      `${taskYaml('incl')}include:\n  seed_examples: extra.yaml\n`,
    );
    const { registry } = await testRegistry(project.dir);
    await runTasks({
      taskPaths: ['t/task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 5, seedBatchSize: 5, machineBatchSize: 0 },
    });
    const final = await project.jsonl('output/incl/final_data.jsonl');
    expect(final.map((r) => r.question)).toEqual(
      expect.arrayContaining(['from delta #4', 'from epsilon #5']),
    );
  });

  it('never writes an API key from the environment into the task card or logs', async () => {
    const project = await tempProject();
    const key = 'sk-test-very-secret-1234567890';
    await project.write(
      'task.yaml',
      taskYaml('secret').replace('created_by: tests', 'created_by: ${OPENAI_API_KEY}'),
    );
    const { registry } = await testRegistry(project.dir);
    await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: { OPENAI_API_KEY: key },
      registry,
      runner: { numOutputsToGenerate: 1 },
    });
    for (const file of await readdir(path.join(project.dir, 'output/secret'))) {
      if (file.endsWith('.jsonl'))
        expect(await readFile(path.join(project.dir, 'output/secret', file), 'utf8')).not.toContain(
          key,
        );
    }
  });

  it('refuses a task name that would write outside the output folder', async () => {
    const project = await tempProject();
    await project.write('task.yaml', taskYaml('../escape'));
    const { registry } = await testRegistry(project.dir);
    const error = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
    }).catch((e: unknown) => e);
    expect(isDgtError(error) && error.code).toBe('OUTPUT_PATH');
  });
});
