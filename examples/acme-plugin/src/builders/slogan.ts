import { type DataPoint, defineBuilder, type LmRow, packageAsset } from '@dgt/core';
import { z } from 'zod';

const text = z.union([z.string(), z.number()]).transform((value) => String(value).trim());

/** A product and its slogan: seeds and outputs alike. */
export const sloganSchema = z.looseObject({
  task_name: z.string(),
  is_seed: z.boolean().optional(),
  product: text.pipe(z.string().min(1)),
  slogan: text.pipe(z.string().min(1)),
});

/** Extra task-file keys of acme/slogan. */
export const sloganTaskSchema = z.looseObject({
  /** The brand voice every slogan should have, e.g. "playful" or "premium". */
  tone: z.string().min(1).optional(),
});

/** The JSON the generator is asked for (structured output where the provider has it). */
const replySchema = {
  type: 'object',
  properties: {
    product: { type: 'string', description: 'a new product, in a few words' },
    slogan: { type: 'string', description: 'its slogan' },
  },
  required: ['product', 'slogan'],
  additionalProperties: false,
} as const;

/** Reads `{product, slogan}` out of a generator reply: structured output, else JSON in the text. */
export function readSlogan(
  row: Pick<LmRow, 'parsed' | 'result'>,
): { product: string; slogan: string } | undefined {
  const from = (value: unknown) => {
    const parsed = sloganSchema.pick({ product: true, slogan: true }).safeParse(value);
    return parsed.success ? parsed.data : undefined;
  };
  const structured = from(row.parsed);
  if (structured) return structured;
  const match = /\{[\s\S]*\}/.exec(row.result ?? '');
  if (!match) return undefined;
  try {
    return from(JSON.parse(match[0]));
  } catch {
    return undefined;
  }
}

/**
 * `acme/slogan`: invents products with slogans in the style of a task's seeds. Each batch item is
 * one request showing three examples (seeds and earlier outputs); the `slogan_length` block then
 * drops slogans of the wrong length.
 */
export const sloganBuilder = defineBuilder({
  kind: 'generation',
  name: 'acme/slogan',
  description: 'Products with short marketing slogans, in the style of the seed examples.',
  config: packageAsset(import.meta.url, 'assets/slogan.yaml'),
  inputSchema: sloganSchema,
  outputSchema: sloganSchema,
  taskSchema: sloganTaskSchema,
  async call(batch, ctx) {
    const requests: LmRow[] = batch.map((item) => {
      const shown = ctx.sampleExamples(item.task_name, 3);
      const examples = (shown.length ? shown : [item])
        .map((e) => `Product: ${String(e.product)}\nSlogan: ${String(e.slogan)}`)
        .join('\n\n');
      const tone = ctx.tasks[item.task_name]?.tone;
      return {
        task_name: item.task_name,
        input: [
          {
            role: 'user',
            content: `You write slogans for Acme Corporation.${tone ? ` Tone: ${String(tone)}.` : ''}\n\n${examples}\n\nInvent one new product and its slogan (at most 12 words). Reply with JSON: {"product": "...", "slogan": "..."}`,
          },
        ],
      };
    });
    const replies = (await ctx.blocks.generator!(requests, {
      responseSchema: { name: 'acme_slogan', schema: replySchema },
    })) as LmRow[];
    const candidates: DataPoint[] = [];
    for (const reply of replies) {
      const pair = readSlogan(reply);
      if (pair) candidates.push({ task_name: String(reply.task_name), is_seed: false, ...pair });
    }
    return (await ctx.blocks.slogan_length!(candidates)) as DataPoint[];
  },
});

export default sloganBuilder;
