import {
  type DataPoint,
  defineBuilder,
  type LmRow,
  loadTemplate,
  type PromptTemplate,
  packageAsset,
} from '@dgt/core';
import { z } from 'zod';
import { textField } from '../shared/text-field.js';
import { runValidators } from '../shared/validators.js';
import { cotReplySchema, parseReasoning } from './cot-reply.js';

/** Input records of `cot`: a question and its known answer. */
export const cotInputSchema = z.looseObject({
  task_name: z.string(),
  question: textField,
  answer: textField,
});

/** Task-file keys of `cot`. */
export const cotTaskSchema = z.looseObject({
  show_answer: z
    .boolean()
    .optional()
    .describe(
      'Show the known answer to the model and ask it to explain how to reach it (rationalisation) instead of solving blind (default `false`: solve, then keep what agrees with the answer).',
    ),
});

let prompt: Promise<PromptTemplate> | undefined;

/**
 * `cot` (also `chain_of_thought`): a transformation that adds step-by-step reasoning to
 * question/answer records. The model reasons about each question (without seeing the answer,
 * unless the task sets `show_answer: true`) and states a final answer; the `answer_check` block
 * keeps the records whose reasoning ends in the given answer, and writes the others, with the
 * reason, to `blocks/answer_check.jsonl`. Kept records gain `reasoning` (one step per line) and
 * `reasoning_answer`.
 */
export const cotBuilder = defineBuilder({
  kind: 'transformation',
  name: 'cot',
  description:
    'Adds step-by-step reasoning to question/answer pairs, kept when it reaches the answer.',
  config: packageAsset(import.meta.url, 'assets/cot/cot.yaml'),
  inputSchema: cotInputSchema,
  taskSchema: cotTaskSchema,
  taskExample: {
    data: [
      {
        question: 'A train travels 60 km in 1.5 hours. What is its average speed in km/h?',
        answer: '40',
      },
      { question: 'Sam has 12 apples and gives away 5. How many are left?', answer: '7' },
    ],
  },
  async call(batch, ctx) {
    prompt ??= loadTemplate(packageAsset(import.meta.url, 'assets/cot/prompt.txt'));
    const template = await prompt;
    const requests: LmRow[] = batch.map((record) => ({
      task_name: record.task_name,
      input: [
        {
          role: 'user',
          content: template.render({
            question: String(record.question),
            answer: String(record.answer),
            show_answer: ctx.tasks[record.task_name]?.show_answer === true,
          }),
        },
      ],
      record,
    }));
    const replies = (await ctx.blocks.reasoner!(requests, {
      method: 'chat_completion',
      responseSchema: { name: 'chain_of_thought', schema: cotReplySchema },
    })) as (LmRow & { record: DataPoint; error?: string })[];
    const records = replies.map(({ record, error, ...reply }) => {
      const parsed = error ? undefined : parseReasoning(reply);
      return {
        ...record,
        is_seed: false,
        reasoning: parsed?.reasoning ?? '',
        reasoning_answer: parsed?.finalAnswer ?? '',
        ...(error ? { reasoning_error: error } : {}),
      };
    });
    return runValidators(ctx, records);
  },
});
