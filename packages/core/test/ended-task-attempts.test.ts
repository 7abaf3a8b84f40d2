import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BlockRow, defineBlock, defineBuilder, runTasks } from '../src/index.js';
import { tempProject, testRegistry } from './fixtures.js';

/**
 * An LM-role block that behaves as the LM engine does on a graceful stop: a call that starts
 * after `stopSignal` aborted sends nothing and rejects. A request whose input says `hold` waits
 * until the stop signal aborts (its reply then arrives, as a request already on the wire does)
 * or, without one, for a fallback timer.
 */
function stoppableBlock() {
  const sent: string[] = [];
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
        async call(rows: BlockRow[], _options, ctx) {
          if (ctx.stopSignal?.aborted) throw ctx.stopSignal.reason;
          for (const row of rows) {
            sent.push(String(row.input));
            if (String(row.input).includes('hold')) {
              await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, 2000);
                ctx.stopSignal?.addEventListener('abort', () => {
                  clearTimeout(timer);
                  resolve();
                });
              });
            }
            row.result = `reply to ${String(row.input)}`;
          }
          return { rows };
        },
      };
    },
  });
  return { definition, sent };
}

/** Two requests per batch item, one after the other: a draft, then its revision. */
const twoStepBuilder = defineBuilder({
  kind: 'generation',
  name: 'test/two-step',
  config: { name: 'test/two-step', blocks: [{ name: 'generator', type: 'stoppable' }] },
  inputSchema: z.looseObject({ question: z.string() }),
  async call(batch, ctx) {
    const drafts = await ctx.blocks.generator!(
      batch.map((item) => ({ task_name: item.task_name, input: `draft ${item.question}` })),
    );
    const revised = await ctx.blocks.generator!(
      drafts.map((row) => ({ task_name: row.task_name, input: `revise ${String(row.result)}` })),
    );
    // Two records per item, so the first attempt alone completes a target of 2.
    return revised.flatMap((row) =>
      [1, 2].map((n) => ({
        task_name: String(row.task_name),
        question: `${String(row.result)} #${n}`,
      })),
    );
  },
});

describe('attempts of a task that has ended', () => {
  it('send no new LM request: their outputs would be dropped', async () => {
    const project = await tempProject();
    // Two attempts run at once: "alpha" completes the task (target 2) while "hold" is still
    // waiting for its draft.
    await project.write(
      'task.yaml',
      'task_name: ended\ndata_builder: test/two-step\nseed_examples:\n  - question: alpha\n  - question: hold\n',
    );
    const block = stoppableBlock();
    const { registry } = await testRegistry(
      project.dir,
      { 'test/two-step': twoStepBuilder },
      { stoppable: block.definition },
    );
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 2, seedBatchSize: 1, machineBatchSize: 0 },
    });
    expect(result.status).toBe('completed');
    expect(await project.jsonl('output/ended/data.jsonl')).toHaveLength(2);
    // The held attempt's draft was on the wire and came back; its revision was never sent.
    expect(block.sent).toContain('draft hold');
    expect(block.sent.filter((input) => input.startsWith('revise reply to draft hold'))).toEqual(
      [],
    );
  });
});
