import path from 'node:path';
import {
  type DataPoint,
  defineBuilder,
  type LmRow,
  loadTemplate,
  type PromptTemplate,
  packageAsset,
} from '@dgt/core';
import { z } from 'zod';
import { byTask, positiveInt } from '../shared/task-keys.js';
import { textField } from '../shared/text-field.js';
import { runValidators } from '../shared/validators.js';
import { parseSimpleReply, simpleReplySchema } from './simple-reply.js';

const optionalText = z
  .union([z.string(), z.number(), z.boolean()])
  .transform(String)
  .nullish()
  .transform((value) => value ?? undefined);

/**
 * A `simple` record (seeds and outputs alike). Seeds may use DiGiT's field names: `question` or
 * `instruction`, `answer` or `output`, `context` or `input`; they are read as `question`,
 * `answer` and `context`. `document` (a text or a list of texts) grounds the prompt.
 */
export const simpleRecordSchema = z.preprocess(
  (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const { instruction, input, output, ...rest } = value as Record<string, unknown>;
    return {
      ...rest,
      question: rest.question ?? instruction,
      answer: rest.answer ?? output,
      context: rest.context ?? input,
    };
  },
  z.looseObject({
    task_name: z.string(),
    is_seed: z.boolean().optional(),
    question: textField,
    answer: textField,
    context: optionalText,
    document: z.union([z.string(), z.array(z.string())]).nullish(),
  }),
);

/** Task-file keys of `simple` (all optional). */
export const simpleTaskSchema = z.looseObject({
  num_prompt_instructions: z
    .int()
    .positive()
    .optional()
    .describe('In-context examples per request, drawn from seeds and earlier outputs (DiGiT: 2).'),
  num_questions_per_prompt: z
    .int()
    .positive()
    .optional()
    .describe('New items asked for per request (default 3).'),
});

/** Defaults when neither the task nor the builder config sets them. */
const DEFAULT_EXAMPLES = 2;
const DEFAULT_PER_PROMPT = 3;

const templates = new Map<string, Promise<PromptTemplate>>();
function template(file: string): Promise<PromptTemplate> {
  let loaded = templates.get(file);
  if (!loaded) {
    loaded = loadTemplate(file);
    templates.set(file, loaded);
  }
  return loaded;
}

function documentsOf(examples: DataPoint[]): string[] {
  const document = examples[0]?.document;
  if (typeof document === 'string' && document.trim()) return [document];
  return Array.isArray(document) ? document.filter((d) => typeof d === 'string' && d.trim()) : [];
}

/**
 * `public/instructlab/simple` (also `instructlab/simple`, `simple`): self-instruct skills data,
 * as DiGiT's InstructLab `simple` builder. Each request shows `num_prompt_instructions` examples
 * drawn from the task's seeds and earlier outputs and asks for `num_questions_per_prompt` new
 * question/answer items (structured output, or DiGiT's `* Task` text format). Replies that cannot
 * be read are dropped; the builder's validator blocks (`instruction_length`, `instruction_filter`)
 * reject DiGiT's malformed items with a reason in `blocks/<block>.jsonl`; the `rouge_val`
 * postprocessor removes near-duplicates by ROUGE-L.
 */
export const simpleBuilder = defineBuilder({
  kind: 'generation',
  name: 'public/instructlab/simple',
  description: 'Self-instruct skills data from a few seed question/answer examples (InstructLab).',
  config: packageAsset(import.meta.url, 'assets/simple/simple.yaml'),
  inputSchema: simpleRecordSchema,
  outputSchema: simpleRecordSchema,
  taskSchema: simpleTaskSchema,
  taskExample: {
    num_prompt_instructions: 2,
    seed_examples: [
      {
        question: 'Convert 5 kilometres to metres.',
        answer: '5 km × 1000 m/km = 5000 m.',
      },
      {
        question: 'How many minutes are in 3 hours?',
        answer: '3 h × 60 min/h = 180 minutes.',
      },
      {
        question: 'Convert 2 litres to millilitres.',
        answer: '2 L × 1000 mL/L = 2000 mL.',
      },
    ],
  },
  async call(batch, ctx) {
    const file =
      typeof ctx.config.prompt_file_path === 'string'
        ? path.resolve(ctx.config.prompt_file_path)
        : packageAsset(import.meta.url, 'assets/simple/prompt.txt');
    const prompt = await template(file);
    const requests: LmRow[] = [];
    for (const [taskName, items] of byTask(batch)) {
      const task = ctx.tasks[taskName] ?? {};
      const shownCount =
        positiveInt(1, task.num_prompt_instructions, ctx.config.num_prompt_instructions) ??
        DEFAULT_EXAMPLES;
      const perPrompt =
        positiveInt(1, task.num_questions_per_prompt, ctx.config.num_questions_per_prompt) ??
        DEFAULT_PER_PROMPT;
      // One request per `perPrompt` items wanted: the batch size is what the task still needs.
      for (let start = 0; start < items.length; start += perPrompt) {
        const sampled = ctx.sampleExamples(taskName, shownCount);
        const examples = sampled.length ? sampled : items.slice(start, start + shownCount);
        const documents = documentsOf(examples);
        requests.push({
          task_name: taskName,
          input: [
            {
              role: 'user',
              content: prompt.render({
                taxonomy: taskName,
                task_description: task.task_description ?? '',
                examples,
                count: Math.min(perPrompt, items.length - start),
                document: documents.length ? ctx.random.pick(documents) : undefined,
              }),
            },
          ],
        });
      }
    }
    const replies = (await ctx.blocks.generator!(requests, {
      method: 'chat_completion',
      responseSchema: { name: 'simple_items', schema: simpleReplySchema },
    })) as LmRow[];
    const records: DataPoint[] = [];
    for (const reply of replies) {
      for (const pair of parseSimpleReply(reply)) {
        records.push({ task_name: String(reply.task_name), is_seed: false, ...pair });
      }
    }
    return runValidators(ctx, records);
  },
});
