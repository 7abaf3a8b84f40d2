import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BlockRow, type DgtEvent, defineBlock, runTasks } from '../src/index.js';
import { eventLog, tempProject, testRegistry } from './fixtures.js';

const generationTask = (name: string, extra = '') =>
  `task_name: ${name}\ndata_builder: test/questions\nseed_examples:\n  - question: alpha\n  - question: beta\n  - question: gamma\n${extra}`;

/**
 * An LM block that reports a price with each request, as the LM engine does: `price(n)` is the
 * cost of the n-th request (`undefined`: no price known), `cached` marks cache hits (cost 0).
 */
function pricedLmBlock(options: {
  price: (n: number) => number | undefined;
  cached?: boolean;
  /** Milliseconds each request of the n-th call takes (default 2). */
  latency?: (call: number) => number;
}) {
  const stats = { requests: 0, calls: 0 };
  const definition = defineBlock({
    role: 'lm',
    configSchema: z.looseObject({ model_id_or_path: z.string().optional() }),
    create: (config) => ({
      specificationVersion: 'v1',
      kind: 'block',
      role: 'lm',
      type: config.type,
      name: config.name,
      async call(rows: BlockRow[], _options, ctx) {
        const call = ++stats.calls;
        for (const row of rows) {
          const n = ++stats.requests;
          // Replies arrive later than the call, as over a network: attempts overlap.
          await new Promise((resolve) => setTimeout(resolve, options.latency?.(call) ?? 2));
          row.result = `${String(row.input)} #${n}`;
          const costUsd = options.cached ? 0 : options.price(n);
          ctx.emit({
            type: 'lm-request',
            block: config.name,
            provider: 'priced',
            model: config.model_id_or_path ?? 'priced',
            task: String(row.task_name),
            ok: true,
            cached: options.cached ?? false,
            promptTokens: 10,
            completionTokens: 10,
            durationMs: 2,
            retries: 0,
            ...(costUsd !== undefined ? { costUsd } : {}),
          });
        }
        return { rows };
      },
    }),
  });
  return { definition, stats };
}

const smallBatches = { numOutputsToGenerate: 100, seedBatchSize: 2, machineBatchSize: 0 };

/** Writes the task files into a fresh project and runs them with `priced` as the LM block. */
async function runPriced(
  files: Record<string, string>,
  priced: ReturnType<typeof pricedLmBlock>,
  runner: Parameters<typeof runTasks>[0]['runner'],
  onEvent?: (event: DgtEvent) => void,
) {
  const project = await tempProject();
  for (const [name, text] of Object.entries(files)) await project.write(name, text);
  const { registry } = await testRegistry(project.dir, {}, { echo: priced.definition });
  const log = eventLog();
  const result = await runTasks({
    taskPaths: Object.keys(files),
    cwd: project.dir,
    env: {},
    registry,
    ...(runner ? { runner } : {}),
    onEvent: (event) => {
      log.onEvent(event);
      onEvent?.(event);
    },
  });
  return { project, result, log };
}

describe('runner_config.max_cost_usd', () => {
  it('stops a task before an attempt would pass its budget, keeping what was accepted', async () => {
    const priced = pricedLmBlock({ price: () => 0.001 });
    // The command line's budget wins over the task file's.
    const { project, result, log } = await runPriced(
      { 'task.yaml': generationTask('spender', 'runner_config:\n  max_cost_usd: 5\n') },
      priced,
      { ...smallBatches, maxCostUsd: 0.0095 },
    );
    const [task] = result.tasks;
    // Each attempt makes 2 requests at $0.001: after 4 attempts ($0.008) a fifth would pass $0.0095.
    expect(task).toMatchObject({ status: 'budget', attempts: 4, accepted: 8, lmRequests: 8 });
    expect(task?.costUsd).toBeCloseTo(0.008, 10);
    expect(task?.reason).toBe(
      'estimated cost $0.008 of the $0.0095 budget (max_cost_usd): another attempt, about $0.002 on average, would pass it',
    );
    expect(priced.stats.calls).toBe(4);
    expect(result.status).toBe('failed');
    expect(await project.jsonl('output/spender/final_data.jsonl')).toHaveLength(8);
    const [saved] = await project.jsonl('output/spender/task_results.jsonl');
    expect(saved).toMatchObject({ status: 'budget', reason: task?.reason });
    expect(log.of('warning')).toEqual([]);
  });

  it('runs one attempt at a time until the cost of an attempt is known', async () => {
    // One attempt already costs more than the whole budget: a second one must never start.
    const priced = pricedLmBlock({ price: () => 0.05 });
    const { result } = await runPriced({ 'task.yaml': generationTask('pricey') }, priced, {
      ...smallBatches,
      maxCostUsd: 0.01,
    });
    expect(result.tasks[0]).toMatchObject({ status: 'budget', attempts: 1, accepted: 2 });
    expect(result.tasks[0]?.reason).toBe(
      'estimated cost $0.10 reached the budget of $0.01 (max_cost_usd)',
    );
    expect(priced.stats.calls).toBe(1);
  });

  it('knows what each attempt in flight has cost, so attempts keep overlapping near the budget', async () => {
    // Attempt 2 is slow, attempt 3 fast: when attempt 2 commits, attempt 3 has spent its $0.002.
    const priced = pricedLmBlock({ price: () => 0.001, latency: (call) => (call === 2 ? 30 : 1) });
    const callsAtCommit: number[] = [];
    const { result } = await runPriced(
      { 'task.yaml': generationTask('overlap') },
      priced,
      { ...smallBatches, maxCostUsd: 0.009 },
      (event) => {
        if (event.type === 'attempt') callsAtCommit.push(priced.stats.calls);
      },
    );
    expect(result.tasks[0]).toMatchObject({ status: 'budget', attempts: 4, accepted: 8 });
    // $0.006 spent, of which attempt 3 (in flight, done) $0.002: the average stays $0.002, so
    // attempt 4 ($0.008 in all) starts as soon as attempt 2 commits, before attempt 3 does.
    // Were attempt 3's cost counted as committed, the average would read $0.003 and attempt 4
    // would wait for attempt 3.
    expect(callsAtCommit).toEqual([1, 3, 4, 4]);
  });

  it('stops only the task over its budget; the others of the builder go on', async () => {
    const priced = pricedLmBlock({ price: () => 0.001 });
    const { result } = await runPriced(
      {
        'a.yaml': generationTask('capped', 'runner_config:\n  max_cost_usd: 0.003\n'),
        'b.yaml': generationTask('free'),
      },
      priced,
      { ...smallBatches, numOutputsToGenerate: 10 },
    );
    const byName = Object.fromEntries(result.tasks.map((t) => [t.task, t]));
    expect(byName.capped).toMatchObject({ status: 'budget', accepted: 2 });
    expect(byName.capped!.costUsd).toBeLessThanOrEqual(0.003);
    expect(byName.free).toMatchObject({ status: 'completed', accepted: 10 });
  });

  it('does not count requests answered from the cache', async () => {
    const priced = pricedLmBlock({ price: () => 1, cached: true });
    const { result, log } = await runPriced({ 'task.yaml': generationTask('cached') }, priced, {
      ...smallBatches,
      numOutputsToGenerate: 10,
      maxCostUsd: 0.001,
    });
    expect(result.tasks[0]).toMatchObject({ status: 'completed', accepted: 10, costUsd: 0 });
    expect(log.of('warning')).toEqual([]);
  });

  it('warns once and does not enforce the budget when the model has no price', async () => {
    // The first request is priced, the rest are not (as with a second, unknown model).
    const priced = pricedLmBlock({ price: (n) => (n === 1 ? 0.0001 : undefined) });
    const { project, result, log } = await runPriced(
      { 'task.yaml': generationTask('unpriced') },
      priced,
      { ...smallBatches, numOutputsToGenerate: 10, maxCostUsd: 0.0001 },
    );
    expect(result.tasks[0]).toMatchObject({ status: 'completed', accepted: 10 });
    const warnings = log.of('warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ task: 'unpriced' });
    expect(warnings[0]?.message).toContain('block generator has no price for model "m1"');
    expect(warnings[0]?.message).toContain('pricing');
    expect(warnings[0]?.message).toContain('DGT_PRICES_FILE');
    // The warning is in the task's log too.
    const logs = await project.jsonl('output/unpriced/logs.jsonl');
    expect(logs.filter((line) => line.type === 'warning')).toHaveLength(1);
  });

  it('says nothing about unpriced models when no budget is set', async () => {
    const priced = pricedLmBlock({ price: () => undefined });
    const { result, log } = await runPriced({ 'task.yaml': generationTask('nobudget') }, priced, {
      ...smallBatches,
      numOutputsToGenerate: 4,
    });
    expect(result.tasks[0]?.status).toBe('completed');
    expect(log.of('warning')).toEqual([]);
  });
});
