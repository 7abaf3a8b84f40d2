import { describe, expect, it } from 'vitest';
import {
  type AttemptCall,
  type AttemptExecutor,
  defineBuilder,
  type LmRequestEvent,
  runTasks,
} from '../src/index.js';
import { tempProject, testRegistry } from './fixtures.js';

// Its call must never run here: with an executor, builder calls happen elsewhere.
const remoteOnly = defineBuilder({
  kind: 'generation',
  name: 'test/remote',
  config: { name: 'test/remote', blocks: [] },
  async call() {
    throw new Error('called in-process');
  },
});

/**
 * An executor standing in for a worker: it makes each call's outputs from the call alone (as a
 * worker does from a job), rejects the first row of every call, and reports one LM request per
 * row; it runs two calls at a time and counts how many it held at once.
 */
function fakeRemote(slots: number) {
  const calls: AttemptCall[] = [];
  let inFlight = 0;
  let most = 0;
  const executor: AttemptExecutor = {
    capacity: () => ({
      limit: slots,
      free: Math.max(0, slots - inFlight),
      queued: Math.max(0, inFlight - slots),
    }),
    async execute(call) {
      calls.push(JSON.parse(JSON.stringify(call)));
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      const [first, ...rest] = call.batch;
      const events: LmRequestEvent[] = call.batch.map((row) => ({
        type: 'lm-request',
        block: 'generator',
        provider: 'fake',
        model: 'm',
        task: String(row.task_name),
        ok: true,
        cached: false,
        retries: 0,
        promptTokens: 3,
        completionTokens: 2,
        costUsd: 0.001,
        durationMs: 5,
      }));
      return {
        outputs: rest.map((row, i) => ({ task_name: row.task_name, n: `${call.attempt}.${i}` })),
        rejects: [
          {
            task: String(first!.task_name),
            block: 'judge',
            rows: [{ row: { ...first! }, reason: 'not good enough' }],
          },
        ],
        costs: { [String(first!.task_name)]: 0.001 * call.batch.length },
        events,
      };
    },
  };
  return { executor, calls, most: () => most };
}

describe('runTasks with an attempt executor', () => {
  it('hands every attempt to it, admits by its capacity and commits its results as its own', async () => {
    const project = await tempProject();
    await project.write(
      'task.yaml',
      'task_name: remote/t\ndata_builder: test/remote\nseed_examples: [{q: a}, {q: b}, {q: c}, {q: d}]\nrunner_config:\n  num_outputs_to_generate: 30\n  seed_batch_size: 4\n  machine_batch_size: 2\n',
    );
    const { registry } = await testRegistry(project.dir, { 'test/remote': remoteOnly });
    const remote = fakeRemote(2);
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      attemptExecutor: remote.executor,
    });
    expect(result.status).toBe('completed');
    const final = await project.jsonl('output/remote/t/final_data.jsonl');
    expect(final).toHaveLength(30);

    // Each call carries what a worker needs, and numbers that never repeat.
    const numbers = remote.calls.map((c) => c.attempt);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const call of remote.calls) {
      expect(call).toMatchObject({
        builderId: 'test/remote',
        unit: `remote/t#${call.attempt}`,
        randomSeed: 42,
        config: { name: 'test/remote', blocks: [] },
        tasks: { 'remote/t': { task_name: 'remote/t' } },
      });
      expect(call.examples['remote/t']!.seeds).toHaveLength(4);
      expect(call.taskLocations['remote/t']!.outputDir).toContain('output');
    }
    // Admission followed the executor: two slots plus at most an eighth of them waiting.
    expect(remote.most()).toBeLessThanOrEqual(3);

    // Its rejects, requests and costs count for the task as an in-process call's would. An
    // attempt still in flight when the target is reached is not committed, nor are its rejects.
    const summary = result.tasks[0]!;
    const rowsSent = remote.calls.reduce((sum, c) => sum + c.batch.length, 0);
    expect(summary.lmRequests).toBe(rowsSent);
    expect(summary.costUsd).toBeCloseTo(0.001 * rowsSent, 6);
    const rejects = await project.jsonl('output/remote/t/blocks/judge.jsonl');
    expect(summary.rejected).toEqual({ judge: rejects.length });
    expect(rejects.length).toBeGreaterThanOrEqual(remote.calls.length - 3);
    expect(rejects.length).toBeLessThanOrEqual(remote.calls.length);
    expect(rejects.every((r) => JSON.stringify(r).includes('not good enough'))).toBe(true);
  });
});
