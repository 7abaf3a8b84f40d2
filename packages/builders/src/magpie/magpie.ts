import { createHash } from 'node:crypto';
import { type DataPoint, defineBuilder, packageAsset } from '@dgt/core';
import { z } from 'zod';

/** Input records of `magpie`: single-turn (`question`, `answer`) or multi-turn (`messages`). */
export const magpieRecordSchema = z.looseObject({
  task_name: z.string(),
  question: z.unknown().optional(),
  answer: z.unknown().optional(),
  messages: z.unknown().optional(),
});

/** A stable id for a record without one: a hash of its question, answer and messages. */
export function recordId(record: DataPoint): string {
  const basis = JSON.stringify([
    record.question ?? null,
    record.answer ?? null,
    record.messages ?? null,
  ]);
  return createHash('sha256').update(basis).digest('hex').slice(0, 16);
}

/**
 * `magpie`: DiGiT's Magpie transformation: tags instruction data with an LM (`tagger`,
 * `magpie_tag`: input quality, difficulty, category, response score), marks near-duplicates by
 * embedding distance (`dedup`, `magpie_distance`), and keeps what the criteria approve
 * (`filter`, `magpie_filter`; the others go to `blocks/filter.jsonl` with the tag at fault).
 * The blocks run in the order of the builder YAML, so an override can add, drop or reorder
 * them. Records keep their fields and gain `id` and `magpie_tags`.
 */
export const magpieBuilder = defineBuilder({
  kind: 'transformation',
  // Inline records so the scaffold stands alone; two near-duplicate questions show the dedup step.
  taskExample: {
    data: [
      { question: 'What is the capital of Canada?', answer: 'Ottawa.' },
      {
        question: 'Which city is the capital of Canada?',
        answer: 'Ottawa is the capital of Canada.',
      },
      {
        question: 'What is the deepest lake in the world?',
        answer: 'Lake Baikal in Siberia, about 1,640 metres deep.',
      },
      { question: 'Which ocean is the largest?', answer: 'The Pacific Ocean.' },
      { question: 'What is the smallest country in the world?', answer: 'Vatican City.' },
    ],
  },
  name: 'magpie',
  description: 'Tags instruction data with an LM, removes near-duplicates by embedding, filters.',
  config: packageAsset(import.meta.url, 'assets/magpie/magpie.yaml'),
  inputSchema: magpieRecordSchema,
  outputSchema: magpieRecordSchema,
  async call(batch, ctx) {
    let records: DataPoint[] = batch.map((record) => {
      const out: DataPoint = { ...record, is_seed: false };
      out.id ??= recordId(record);
      // Blocks add their tags to this object (magpie_distance writes into it in place).
      if (out.magpie_tags === null || typeof out.magpie_tags !== 'object') out.magpie_tags = {};
      return out;
    });
    const postprocessors = new Set(
      ctx.config.postprocessors.map((entry) => (typeof entry === 'string' ? entry : entry.name)),
    );
    for (const { name } of ctx.config.blocks) {
      const block = ctx.blocks[name];
      if (!block || postprocessors.has(name) || records.length === 0) continue;
      records = (await block(records)) as DataPoint[];
    }
    return records;
  },
});
