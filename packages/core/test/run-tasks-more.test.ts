import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BlockRow, defineBlock, defineBuilder, runTasks } from '../src/index.js';
import { echoLmBlock, eventLog, tempProject, testRegistry } from './fixtures.js';

const generationTask = (name: string, extra = '') =>
  `task_name: ${name}\ndata_builder: test/questions\nseed_examples:\n  - question: alpha\n  - question: beta\n  - question: gamma\n${extra}`;

describe('runTasks: more behaviours', () => {
  it('runs different builders concurrently in one run', async () => {
    const project = await tempProject();
    await project.write('gen/task.yaml', generationTask('both/gen'));
    await project.write('tr/in.jsonl', '{"text":"a"}\n{"text":"b"}\n');
    await project.write(
      'tr/task.yaml',
      'task_name: both/tr\ndata_builder: test/upper\ndata:\n  data_path: in.jsonl\n',
    );
    const { registry } = await testRegistry(project.dir);
    const log = eventLog();
    const result = await runTasks({
      taskPaths: ['gen/task.yaml', 'tr/task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 3 },
      onEvent: log.onEvent,
    });
    expect(result.status).toBe('completed');
    // Both builders started before either finished.
    const order = log.events
      .filter((e) => e.type === 'task-start' || e.type === 'task-end')
      .map((e) => e.type);
    expect(order.slice(0, 2)).toEqual(['task-start', 'task-start']);
    expect(await project.jsonl('output/both/tr/final_data.jsonl')).toEqual([
      { text: 'A', task_name: 'both/tr', is_seed: false },
      { text: 'B', task_name: 'both/tr', is_seed: false },
    ]);
  });

  it('reads task_files from the override file and creates tasks the override defines', async () => {
    const project = await tempProject();
    await project.write('tasks/one/task.yaml', generationTask('one'));
    await project.write(
      'full.yaml',
      `task_files:\n  - ./tasks/one/task.yaml\ntasks:\n  two:\n    data_builder: test/questions\n    runner_config:\n      num_outputs_to_generate: 2\n    seed_examples:\n      - question: delta\n  one:\n    runner_config:\n      num_outputs_to_generate: 4\n`,
    );
    const { registry } = await testRegistry(project.dir);
    const result = await runTasks({
      taskPaths: [],
      configPath: 'full.yaml',
      cwd: project.dir,
      env: {},
      registry,
    });
    expect(result.tasks.map((t) => [t.task, t.accepted]).sort()).toEqual([
      ['one', 4],
      ['two', 2],
    ]);
  });

  it('issues the same requests when the same run is repeated (seeded sampling)', async () => {
    const prompts: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const project = await tempProject();
      await project.write('task.yaml', generationTask('same', 'random_seed: 11\n'));
      const seen: string[] = [];
      const echo = echoLmBlock({
        replies: (input, n) => {
          seen.push(input);
          return `${input} ${n}`;
        },
      });
      const { registry } = await testRegistry(project.dir, {}, { echo: echo.definition });
      await runTasks({
        taskPaths: ['task.yaml'],
        cwd: project.dir,
        env: {},
        registry,
        runner: { numOutputsToGenerate: 12, seedBatchSize: 2, machineBatchSize: 2 },
      });
      prompts.push(seen);
    }
    expect(prompts[0]).toHaveLength(12);
    expect(prompts[1]).toEqual(prompts[0]);
  });

  it('fails a task whose LM requests fail beyond the failure threshold', async () => {
    const project = await tempProject();
    await project.write(
      'task.yaml',
      generationTask(
        'flaky',
        'runner_config:\n  failure_threshold: 0.3\n  max_stalled_requests: 100\n',
      ),
    );
    const failing = defineBlock({
      role: 'lm',
      configSchema: z.looseObject({}),
      create: (config) => ({
        specificationVersion: 'v1',
        kind: 'block',
        role: 'lm',
        type: config.type,
        name: config.name,
        async call(rows: BlockRow[], _options, ctx) {
          for (const row of rows) {
            row.error = 'HTTP 500';
            ctx.emit({
              type: 'lm-request',
              block: config.name,
              provider: 'x',
              model: 'x',
              task: String(row.task_name),
              ok: false,
              cached: false,
              promptTokens: 0,
              completionTokens: 0,
              durationMs: 0,
              retries: 3,
              error: 'HTTP 500',
            });
          }
          return { rows: [] };
        },
      }),
    });
    const { registry } = await testRegistry(project.dir, {}, { echo: failing });
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 50, seedBatchSize: 10 },
    });
    expect(result.tasks[0]).toMatchObject({ status: 'failed', lmFailures: 20 });
    expect(result.tasks[0]?.reason).toContain('failure threshold');
    expect(result.tasks[0]?.reason).toContain('last error: HTTP 500');
    const logs = await project.jsonl('output/flaky/logs.jsonl');
    expect(logs.some((l) => l.type === 'lm-request' && l.error === 'HTTP 500')).toBe(true);
  });

  it('stops at max_gen_requests', async () => {
    const project = await tempProject();
    await project.write('task.yaml', generationTask('capped'));
    const { registry, echo } = await testRegistry(project.dir);
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: {
        numOutputsToGenerate: 100,
        seedBatchSize: 2,
        machineBatchSize: 0,
        maxGenRequests: 3,
      },
    });
    expect(result.tasks[0]).toMatchObject({ status: 'max-requests', attempts: 3, accepted: 6 });
    expect(echo.stats.calls).toBe(3);
    // The records made are kept in final_data.jsonl even though the target was not reached.
    expect(await project.jsonl('output/capped/final_data.jsonl')).toHaveLength(6);
  });

  it('writes formatted_data.jsonl with the task formatter, and the build id in the task card', async () => {
    const project = await tempProject();
    await project.write(
      'task.yaml',
      generationTask(
        'fmt',
        'formatter:\n  type: native\n  format:\n    prompt: "Q: {{question}}"\n',
      ),
    );
    const { registry } = await testRegistry(project.dir);
    await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      buildId: 'exp-7',
      runner: { numOutputsToGenerate: 2, saveFormattedOutput: true },
    });
    const formatted = await project.jsonl('output/fmt/formatted_data.jsonl');
    expect(formatted).toHaveLength(2);
    expect(String(formatted[0]?.prompt)).toMatch(/^Q: from /);
    const [card] = await project.jsonl('output/fmt/task_card.jsonl');
    expect(card).toMatchObject({
      build_id: 'exp-7',
      task_name: 'fmt',
      task_file: path.join(project.dir, 'task.yaml'),
    });
  });

  it('lets a block create other blocks (engine flags apply) and keep per-task state in the task folder', async () => {
    const project = await tempProject();
    await project.write('task.yaml', generationTask('inner'));
    const echo2 = echoLmBlock();
    const judge = defineBlock({
      role: 'validator',
      configSchema: z.looseObject({ lm: z.looseObject({ type: z.string() }) }),
      async create(config, init) {
        const lm = await init.createBlock!(config.lm as { type: string });
        return {
          specificationVersion: 'v1',
          kind: 'block',
          role: 'validator',
          type: config.type,
          name: config.name,
          async call(rows: BlockRow[], options, ctx) {
            const judged = await lm.call(
              rows.map((row) => ({
                task_name: row.task_name,
                input: `judge ${String(row.input)}`,
              })),
              options,
              ctx,
            );
            const dir = ctx.taskDir?.(String(rows[0]?.task_name));
            if (dir)
              await import('node:fs/promises').then((fs) =>
                fs.writeFile(path.join(dir, 'judge-state.txt'), String(judged.rows.length)),
              );
            return { rows };
          },
        };
      },
    });
    const { registry } = await testRegistry(project.dir, {}, { echo2: echo2.definition, judge });
    await project.write(
      'o.yaml',
      'databuilders:\n  test/questions:\n    blocks:\n      - name: dedup\n        type: judge\n        lm: {type: echo, model_id_or_path: small}\n',
    );
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      configPath: 'o.yaml',
      cwd: project.dir,
      env: {},
      registry,
      engine: { type: 'echo2' },
      runner: { numOutputsToGenerate: 3 },
    });
    expect(result.status).toBe('completed');
    // The judge's inner LM block was switched to the --engine provider too.
    expect(echo2.stats.requests).toBe(3 + 3);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path.join(project.dir, 'output/inner/judge-state.txt'), 'utf8')).toBe(
      '3',
    );
  });

  it('keeps a second attempt in flight while the first one waits, and commits them in order', async () => {
    const project = await tempProject();
    await project.write(
      'task.yaml',
      generationTask('overlap').replace('test/questions', 'test/overlap'),
    );
    let secondStarted!: () => void;
    const second = new Promise<void>((resolve) => {
      secondStarted = resolve;
    });
    const overlap = defineBuilder({
      kind: 'generation',
      name: 'test/overlap',
      config: { name: 'test/overlap', blocks: [] },
      async call(batch, ctx) {
        if (ctx.attempt === 2) secondStarted();
        // Attempt 1 finishes only once attempt 2 has started: with one attempt at a time this
        // would never happen, and the deadline below fails the test instead of hanging.
        if (ctx.attempt === 1)
          await Promise.race([
            second,
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('attempt 2 never started')), 5000),
            ),
          ]);
        return batch.map((item, i) => ({
          task_name: item.task_name,
          question: `a${ctx.attempt}-${i}`,
        }));
      },
    });
    const { registry } = await testRegistry(project.dir, { 'test/overlap': overlap });
    const log = eventLog();
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 6, seedBatchSize: 2, machineBatchSize: 0 },
      onEvent: log.onEvent,
    });
    expect(result.status).toBe('completed');
    expect(log.of('attempt').map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect((await project.jsonl('output/overlap/data.jsonl')).map((r) => r.question)).toEqual([
      'a1-0',
      'a1-1',
      'a2-0',
      'a2-1',
      'a3-0',
      'a3-1',
    ]);
  });

  it('a graceful stop keeps the records of attempts already in flight', async () => {
    const project = await tempProject();
    await project.write('task.yaml', generationTask('graceful'));
    const controller = new AbortController();
    const { registry } = await testRegistry(project.dir);
    const log = eventLog();
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 40, seedBatchSize: 2, machineBatchSize: 0 },
      signal: controller.signal,
      onEvent: (event) => {
        log.onEvent(event);
        if (event.type === 'attempt' && event.attempt === 1) controller.abort();
      },
    });
    expect(result.status).toBe('interrupted');
    // Attempt 2 was in flight when the stop came: its records were committed too, nothing after.
    expect(log.of('attempt').map((e) => e.attempt)).toEqual([1, 2]);
    expect(await project.jsonl('output/graceful/data.jsonl')).toHaveLength(4);
  });

  it('sets aside transformation inputs that do not fit the builder, naming the record', async () => {
    const project = await tempProject();
    await project.write('in.jsonl', '{"text":"ok"}\n{"txt":"typo"}\n{"text":"fine"}\n');
    await project.write(
      'task.yaml',
      'task_name: strict\ndata_builder: test/strict\ndata:\n  data_path: in.jsonl\n',
    );
    const strict = defineBuilder({
      kind: 'transformation',
      name: 'test/strict',
      config: { name: 'test/strict', blocks: [] },
      inputSchema: z.looseObject({ text: z.string() }),
      async call(batch) {
        return batch.map((record) => ({ ...record, text: String(record.text).toUpperCase() }));
      },
    });
    const { registry } = await testRegistry(project.dir, { 'test/strict': strict });
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
    });
    expect(result.status).toBe('completed');
    expect((await project.jsonl('output/strict/final_data.jsonl')).map((r) => r.text)).toEqual([
      'OK',
      'FINE',
    ]);
    const [misfit] = await project.jsonl('output/strict/blocks/_input.jsonl');
    expect(misfit).toMatchObject({ txt: 'typo', _block: '_input' });
    expect(String(misfit?._reason)).toMatch(/^input record 2: text: /);
    expect(result.tasks[0]?.rejected._input).toBe(1);
  });

  it('stores each reject once across a crash and resume, and keeps the counts', async () => {
    const project = await tempProject();
    await project.write(
      'in.jsonl',
      Array.from({ length: 20 }, (_, i) => JSON.stringify({ n: i })).join('\n') + '\n',
    );
    await project.write(
      'task.yaml',
      'task_name: odd\ndata_builder: test/evens\ndata:\n  data_path: in.jsonl\nrunner_config:\n  transform_batch_size: 5\n',
    );
    const oddFilter = defineBlock({
      role: 'validator',
      configSchema: z.looseObject({}),
      create: (config) => ({
        specificationVersion: 'v1',
        kind: 'block',
        role: 'validator',
        type: config.type,
        name: config.name,
        async call(rows: BlockRow[]) {
          return {
            rows: rows.filter((row) => Number(row.n) % 2 === 0),
            rejected: rows
              .filter((row) => Number(row.n) % 2 === 1)
              .map((row) => ({ row, reason: 'odd' })),
          };
        },
      }),
    });
    const evens = defineBuilder({
      kind: 'transformation',
      name: 'test/evens',
      config: { name: 'test/evens', blocks: [{ name: 'odd', type: 'odd' }] },
      async call(batch, ctx) {
        return (await ctx.blocks.odd!(batch)) as typeof batch;
      },
    });
    const registry = async () =>
      (await testRegistry(project.dir, { 'test/evens': evens }, { odd: oddFilter })).registry;
    const controller = new AbortController();
    const first = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry: await registry(),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'attempt' && event.attempt === 1) controller.abort();
      },
    });
    expect(first.status).toBe('interrupted');
    // A crash right after rejects were stored, before the state was saved, left extra lines.
    const rejectFile = path.join(project.dir, 'output/odd/blocks/odd.jsonl');
    const { appendFile } = await import('node:fs/promises');
    await appendFile(
      rejectFile,
      '{"n":11,"_block":"odd","_reason":"odd"}\n{"n":13,"_block":"odd","_reason":"odd"}\n',
    );
    const second = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry: await registry(),
    });
    expect(second.status).toBe('completed');
    const rejects = await project.jsonl('output/odd/blocks/odd.jsonl');
    expect(rejects.map((r) => r.n)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(second.tasks[0]?.rejected.odd).toBe(10);
    expect((await project.jsonl('output/odd/final_data.jsonl')).map((r) => r.n)).toEqual([
      0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
    ]);
  });

  it('counts attempts whose records the postprocessors removed as stalled', async () => {
    const project = await tempProject();
    await project.write(
      'task.yaml',
      generationTask('loop', 'runner_config:\n  max_stalled_requests: 3\n'),
    );
    // Every reply repeats the first one: the dedup postprocessor removes each new record.
    const echo = echoLmBlock({ replies: () => 'always the same' });
    const { registry } = await testRegistry(project.dir, {}, { echo: echo.definition });
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 2, seedBatchSize: 1, machineBatchSize: 0 },
    });
    expect(result.tasks[0]).toMatchObject({ status: 'stalled', accepted: 1 });
  });

  it('never stops a transformation as stalled when whole batches are filtered out', async () => {
    const project = await tempProject();
    await project.write(
      'in.jsonl',
      Array.from({ length: 40 }, (_, i) => JSON.stringify({ n: i < 35 ? 1 : i })).join('\n') + '\n',
    );
    await project.write(
      'task.yaml',
      'task_name: filtered\ndata_builder: test/evens\ndata:\n  data_path: in.jsonl\nrunner_config:\n  transform_batch_size: 2\n  max_stalled_requests: 2\n',
    );
    const evens = defineBuilder({
      kind: 'transformation',
      name: 'test/evens',
      config: { name: 'test/evens', blocks: [] },
      async call(batch) {
        return batch.filter((row) => Number(row.n) % 2 === 0);
      },
    });
    const { registry } = await testRegistry(project.dir, { 'test/evens': evens });
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
    });
    expect(result.tasks[0]?.status).toBe('completed');
    expect((await project.jsonl('output/filtered/final_data.jsonl')).map((r) => r.n)).toEqual([
      36, 38,
    ]);
  });
});
