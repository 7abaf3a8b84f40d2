import {
  type DataPoint,
  defineBuilder,
  extractJson,
  type LmRow,
  loadTemplate,
  type PromptTemplate,
  packageAsset,
  parseLabelledRecords,
} from '@dgt/core';
import { z } from 'zod';
import { text } from '../shared/parse-reply.js';
import { textField } from '../shared/text-field.js';

/** A geography question/answer record (seeds and outputs alike); scalar answers become text. */
export const geographyQaSchema = z.looseObject({
  task_name: z.string(),
  is_seed: z.boolean().optional(),
  question: textField,
  answer: textField,
});

/** The JSON Schema the generator is asked to follow (structured output). */
export const geographyReplySchema = {
  type: 'object',
  properties: {
    question: { type: 'string', description: 'a new geography question' },
    answer: { type: 'string', description: 'its short, correct answer' },
  },
  required: ['question', 'answer'],
  additionalProperties: false,
} as const;

/** How many in-context examples each request shows. */
const EXAMPLES_PER_PROMPT = 3;

/**
 * Reads a generator reply: the structured-output object when the provider returned one, else a
 * JSON object in the text, else DiGiT's `Question: … / Answer: …` text format.
 */
export function parseGeographyReply(
  row: Pick<LmRow, 'parsed' | 'result'>,
): { question: string; answer: string } | undefined {
  const fromObject = (value: unknown) => {
    const object = value as { question?: unknown; answer?: unknown } | undefined;
    const question = text(object?.question);
    const answer = text(object?.answer);
    return question && answer ? { question, answer } : undefined;
  };
  const structured = fromObject(row.parsed);
  if (structured) return structured;
  const reply = row.result ?? '';
  const json = fromObject(extractJson(reply));
  if (json) return json;
  return fromObject(parseLabelledRecords(reply, ['question', 'answer'])[0]);
}

let prompt: Promise<PromptTemplate> | undefined;

/**
 * `public/examples/geography_qa`: generates geography question/answer pairs from a few seeds.
 * Each batch item becomes one request showing three examples drawn from the task's seeds and
 * earlier outputs; replies that cannot be read as a question and an answer are dropped, and the
 * `dedup` postprocessor removes repeated questions.
 */
export const geographyQaBuilder = defineBuilder({
  kind: 'generation',
  name: 'public/examples/geography_qa',
  description: 'Geography question/answer pairs from a few seed examples (DiGiT example).',
  config: packageAsset(import.meta.url, 'assets/geography-qa/geography_qa.yaml'),
  inputSchema: geographyQaSchema,
  outputSchema: geographyQaSchema,
  taskExample: {
    seed_examples: [
      { question: 'What is the capital of Peru?', answer: 'Lima' },
      { question: 'Which ocean lies to the west of Portugal?', answer: 'The Atlantic Ocean' },
      { question: 'What is the longest river in Africa?', answer: 'The Nile' },
    ],
  },
  // No task keys of its own: any extra key in a task is reported as unknown.
  taskSchema: z.looseObject({}),
  async call(batch, ctx) {
    prompt ??= loadTemplate(packageAsset(import.meta.url, 'assets/geography-qa/prompt.txt'));
    const template = await prompt;
    const requests: LmRow[] = batch.map((item) => {
      const examples = ctx.sampleExamples(item.task_name, EXAMPLES_PER_PROMPT);
      const shown = examples.length ? examples : [item];
      return {
        task_name: item.task_name,
        input: [{ role: 'user', content: template.render({ examples: shown }) }],
      };
    });
    const replies = (await ctx.blocks.generator!(requests, {
      method: 'chat_completion',
      responseSchema: { name: 'geography_qa', schema: geographyReplySchema },
    })) as LmRow[];
    const outputs: DataPoint[] = [];
    for (const reply of replies) {
      const pair = parseGeographyReply(reply);
      if (pair) outputs.push({ task_name: String(reply.task_name), is_seed: false, ...pair });
    }
    return outputs;
  },
});
