import { type BlockRow, type DataPoint, DgtError, defineBuilder, packageAsset } from '@dgt/core';
import { z } from 'zod';

/**
 * `pipeline` (alias `transform_pipeline`): a transformation that runs the blocks of its builder
 * config, in order, over each batch of the task's `data`. Each block gets the rows the previous
 * one passed on (use `input_map` / `output_map` to pick and name fields); rows a validator
 * rejects with `filter: true` go to `blocks/<block>.jsonl` with the reason. The output is every
 * surviving row: the input record's fields plus what the blocks wrote.
 *
 * @example
 * # task.yaml
 * task_name: dedup_docs
 * data_builder: pipeline
 * data: { type: default, data_path: docs.jsonl }
 *
 * # override.yaml (dgt run --task-paths task.yaml --config-path override.yaml)
 * databuilders:
 *   pipeline:
 *     blocks:
 *       - { name: dedup, type: minhash_dedup, filter: true, threshold: 0.7, input_map: { text: input } }
 */
export const pipelineBuilder = defineBuilder({
  kind: 'transformation',
  name: 'pipeline',
  description: 'Runs the blocks listed in its config, in order, over a task’s data (no code).',
  config: packageAsset(import.meta.url, 'assets/pipeline/pipeline.yaml'),
  // No task keys of its own: any extra key in a task is reported as unknown.
  taskSchema: z.looseObject({}),
  taskExample: {
    data: [
      { text: 'A compact steel water bottle that keeps drinks cold for a day.' },
      { text: 'A compact steel water bottle that keeps drinks cold for a day.' },
      { text: 'A folding wooden chair for the garden.' },
    ],
  },
  async call(batch, ctx) {
    let rows: BlockRow[] = batch.map((record) => ({ ...record }));
    for (const { name } of ctx.config.blocks) {
      const block = ctx.blocks[name];
      if (!block) {
        throw new DgtError('INVALID_BUILDER_CONFIG', `pipeline: block "${name}" was not created.`);
      }
      if (rows.length === 0) break;
      rows = (await block.run(rows)).rows;
    }
    return rows as DataPoint[];
  },
});
