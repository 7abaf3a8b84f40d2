import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BlockRow, defineBlock, defineBuilder, recordId, runTasks } from '../src/index.js';
import { tempProject, testRegistry } from './fixtures.js';

/** An LM-role block that notes each request for its row, as the LM engine does. */
const notingLm = defineBlock({
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
        row.result = `a reply about ${String(row.input)}`;
        const request = {
          block: config.name,
          provider: 'test',
          model: 'm',
          ok: true,
          cached: false,
          promptTokens: 10,
          completionTokens: 5,
          costUsd: 0.5,
          durationMs: 1,
          retries: 0,
        };
        ctx.emit({ type: 'lm-request', ...request, task: String(row.task_name) });
        ctx.note?.(row, {
          kind: 'lm-request',
          ...request,
          prompt: row.input,
          response: String(row.result),
        });
      }
      return { rows };
    },
  }),
});

/** A judge-like validator: scores each row, keeps those scoring 3 or more. */
const scorer = defineBlock({
  role: 'validator',
  configSchema: z.looseObject({}),
  create: (config) => ({
    specificationVersion: 'v1',
    kind: 'block',
    role: 'validator',
    type: config.type,
    name: config.name,
    async call(rows: BlockRow[]) {
      for (const row of rows) row.judge_score = String(row.question).length % 7;
      return {
        rows: rows.filter((row) => Number(row.judge_score) >= 3),
        rejected: rows
          .filter((row) => Number(row.judge_score) < 3)
          .map((row) => ({ row, reason: 'low score' })),
      };
    },
  }),
});

const builder = defineBuilder({
  kind: 'generation',
  name: 'test/judged',
  config: {
    name: 'test/judged',
    blocks: [
      { name: 'generator', type: 'noting_lm' },
      { name: 'judge', type: 'scorer' },
    ],
  },
  async call(batch, ctx) {
    const replies = await ctx.blocks.generator!(
      batch.map((item) => ({ task_name: item.task_name, input: `${String(item.question)}?` })),
    );
    // Built afresh from the replies, as most builders do; then judged.
    const records = replies.map((reply) => ({
      task_name: String(reply.task_name),
      question: String(reply.result),
    }));
    return (await ctx.blocks.judge!(records)) as typeof records;
  },
});

describe('provenance.jsonl', () => {
  it("names each record's request, its reply, and the judge's verdict and score", async () => {
    const project = await tempProject();
    await project.write(
      'task.yaml',
      'task_name: judged\ntask_description: t\ncreated_by: t\ndata_builder: test/judged\nseed_examples:\n  - question: alpha one\n  - question: beta two two\n  - question: gamma three three three\n',
    );
    const { registry } = await testRegistry(
      project.dir,
      { 'test/judged': builder },
      { noting_lm: notingLm, scorer },
    );
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 6, seedBatchSize: 3, machineBatchSize: 2 },
    });
    expect(result.status).toBe('completed');
    const data = await project.jsonl('output/judged/data.jsonl');
    const provenance = await project.jsonl('output/judged/provenance.jsonl');
    expect(provenance.map((e) => e.id)).toEqual(data.map((r) => recordId(r)));
    for (const [i, entry] of provenance.entries()) {
      const record = data[i]!;
      expect(entry.lm_attribution).toBe('reply');
      expect(entry.lm).toEqual([
        expect.objectContaining({ block: 'generator', response: record.question }),
      ]);
      expect(entry.verdicts).toEqual([
        {
          block: 'judge',
          type: 'scorer',
          verdict: 'pass',
          fields: { judge_score: record.judge_score },
        },
      ]);
      expect(entry).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, cost_usd: 0.5 });
      expect(entry.builder).toEqual({ id: 'test/judged', version: expect.any(String) });
    }
  });
});

/** Calls of {@link roomyLm} wait here until six are under way, then finish together. */
let entered = 0;
let release: () => void = () => undefined;
let together = Promise.resolve();

/** {@link notingLm} that reports room for many requests and holds its calls (see above). */
const roomyLm = defineBlock({
  role: 'lm',
  configSchema: z.looseObject({}),
  create: async (config, ctx) => {
    const inner = await notingLm.create(config, ctx);
    return {
      ...inner,
      capacity: () => ({ free: 64, queued: 0 }),
      async call(rows, options, callCtx) {
        if (++entered === 6) release();
        await together;
        return inner.call(rows, options, callCtx);
      },
    };
  },
});

describe('provenance.jsonl with attempts committed together', () => {
  it('gives each record the number of the attempt that made it', async () => {
    // The attempts finish at once, so the runner commits several of them in one group.
    entered = 0;
    together = new Promise<void>((resolve) => {
      release = resolve;
    });
    const grouped = defineBuilder({
      kind: 'generation',
      name: 'test/grouped',
      config: { name: 'test/grouped', blocks: [{ name: 'generator', type: 'roomy_lm' }] },
      async call(batch, ctx) {
        const replies = await ctx.blocks.generator!(
          batch.map((item) => ({ task_name: item.task_name, input: `${ctx.attempt}` })),
        );
        return replies.map((reply) => ({
          task_name: String(reply.task_name),
          question: String(reply.result),
          made_in: ctx.attempt,
        }));
      },
    });
    const project = await tempProject();
    await project.write(
      'task.yaml',
      'task_name: grouped\ntask_description: t\ncreated_by: t\ndata_builder: test/grouped\nseed_examples:\n  - question: one\n  - question: two\n',
    );
    const { registry } = await testRegistry(
      project.dir,
      { 'test/grouped': grouped },
      { roomy_lm: roomyLm },
    );
    const result = await runTasks({
      taskPaths: ['task.yaml'],
      cwd: project.dir,
      env: {},
      registry,
      runner: { numOutputsToGenerate: 6, seedBatchSize: 1, machineBatchSize: 0 },
    });
    expect(result.status).toBe('completed');
    const data = await project.jsonl('output/grouped/data.jsonl');
    const provenance = await project.jsonl('output/grouped/provenance.jsonl');
    expect(new Set(data.map((r) => r.made_in)).size).toBeGreaterThan(1);
    for (const [i, entry] of provenance.entries()) {
      expect(entry.attempt).toBe(data[i]!.made_in);
      expect(entry.lm).toEqual([expect.objectContaining({ response: data[i]!.question })]);
    }
  });
});
