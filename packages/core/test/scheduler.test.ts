import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BlockRow, defineBlock, defineBuilder, runTasks } from '../src/index.js';
import { echoLmBlock, eventLog, questionBuilder, tempProject, testRegistry } from './fixtures.js';

const SEEDS = 'seed_examples:\n  - question: alpha\n  - question: beta\n  - question: gamma\n';
const task = (name: string, builder: string, extra = '') =>
  `task_name: ${name}\ndata_builder: ${builder}\n${SEEDS}${extra}`;

/**
 * An LM-role block with `slots` request slots that reports its free capacity like the LM engine
 * does. Rows whose input `hold` matches wait for `release()`; the others answer after 2 ms.
 */
function slottedBlock(slots: number, hold: (input: string) => boolean) {
  const state = { inFlight: 0, maxInFlight: 0, requests: 0 };
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const definition = defineBlock({
    role: 'lm',
    configSchema: z.looseObject({}),
    create(config) {
      return {
        specificationVersion: 'v1',
        kind: 'block',
        role: 'lm',
        type: config.type,
        name: config.name,
        capacity: () => ({ free: Math.max(0, slots - state.inFlight), queued: 0 }),
        async call(rows: BlockRow[]) {
          await Promise.all(
            rows.map(async (row) => {
              const n = ++state.requests;
              state.inFlight++;
              state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
              if (hold(String(row.input))) await released;
              else await new Promise((resolve) => setTimeout(resolve, 2));
              row.result = `answer ${n}`;
              state.inFlight--;
            }),
          );
          return { rows };
        },
      };
    },
  });
  return { definition, state, release: () => release() };
}

describe('scheduler', () => {
  it('commits later attempts while an earlier one waits for a slow reply (no head-of-line blocking)', async () => {
    const project = await tempProject();
    await project.write('task.yaml', task('hol', 'test/questions'));
    // The first request (from seed "alpha") is held until five records have been committed.
    let first = true;
    const block = slottedBlock(4, () => {
      const held = first;
      first = false;
      return held;
    });
    const { registry } = await testRegistry(project.dir, {}, { echo: block.definition });
    const order: string[] = [];
    // A safety net so a runner with head-of-line blocking fails instead of hanging; the test
    // itself reads the order of events, not the clock.
    const fallback = setTimeout(() => {
      order.push('released by fallback');
      block.release();
    }, 5000);
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 6, seedBatchSize: 1, machineBatchSize: 0 },
      onEvent: (event) => {
        if (event.type !== 'records') return;
        order.push(`records ${event.accepted}`);
        if (event.accepted === 5) {
          order.push('released');
          block.release();
        }
      },
    });
    clearTimeout(fallback);
    expect(result.status).toBe('completed');
    // Five records were committed while the first request was still held (commits may be
    // grouped, so fewer `records` events than records); its own record came after the release.
    expect(order).not.toContain('released by fallback');
    expect(order.slice(-3)).toEqual(['records 5', 'released', 'records 6']);
    const data = await project.jsonl('output/hol/data.jsonl');
    // The held request was the first asked, and its record was committed last.
    expect(data.at(-1)?.question).toBe('answer 1');
    expect(block.state.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('keeps a block that reports capacity exactly full, never over it', async () => {
    const project = await tempProject();
    await project.write('task.yaml', task('full', 'test/questions'));
    const block = slottedBlock(5, () => false);
    const { registry } = await testRegistry(project.dir, {}, { echo: block.definition });
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 60, seedBatchSize: 1, machineBatchSize: 0 },
    });
    expect(result.status).toBe('completed');
    // Five one-request attempts at once: more than the two a fixed depth would run.
    expect(block.state.maxInFlight).toBe(5);
    expect(block.state.requests).toBe(60);
  });

  it('runs the tasks of different builders at the same time', async () => {
    const project = await tempProject();
    await project.write('a/task.yaml', task('together/a', 'test/a'));
    await project.write('b/task.yaml', task('together/b', 'test/b'));
    // Each builder's first call waits until the other builder has been called too: run one
    // after the other, the first would wait for the fallback and finish alone.
    const entered = new Set<string>();
    const order: string[] = [];
    let meet!: () => void;
    const bothIn = new Promise<void>((resolve) => {
      meet = resolve;
    });
    const rendezvous = (name: string) =>
      defineBuilder({
        ...questionBuilder,
        name,
        async call(batch, ctx) {
          order.push(`enter ${name}`);
          entered.add(name);
          if (entered.size === 2) meet();
          const timer = setTimeout(meet, 3000);
          await bothIn;
          clearTimeout(timer);
          order.push(`leave ${name}`);
          return questionBuilder.call(batch, ctx);
        },
      });
    const { registry } = await testRegistry(project.dir, {
      'test/a': rendezvous('test/a'),
      'test/b': rendezvous('test/b'),
    });
    const result = await runTasks({
      taskPaths: ['a/task.yaml', 'b/task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 2, seedBatchSize: 2, machineBatchSize: 0 },
    });
    expect(result.status).toBe('completed');
    expect(order.slice(0, 2).sort()).toEqual(['enter test/a', 'enter test/b']);
  });

  it('stops a model that repeats one answer, whose copies dedup removes, as stalled', async () => {
    const project = await tempProject();
    await project.write(
      'task.yaml',
      task('repeat', 'test/questions', 'runner_config:\n  max_gen_requests: 300\n'),
    );
    const echo = echoLmBlock({ replies: () => 'the same question' });
    const { registry } = await testRegistry(project.dir, {}, { echo: echo.definition });
    const log = eventLog();
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      // Five attempts fill the target, so four of every five add records before dedup runs.
      runner: { numOutputsToGenerate: 10, seedBatchSize: 2, machineBatchSize: 0 },
      onEvent: log.onEvent,
    });
    expect(result.tasks[0]).toMatchObject({ status: 'stalled' });
    expect(echo.stats.requests).toBeLessThanOrEqual(30);
    expect(log.of('postprocess').length).toBeGreaterThanOrEqual(2);
  });
});
