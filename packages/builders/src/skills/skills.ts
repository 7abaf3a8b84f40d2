import {
  type BlockRow,
  type DataPoint,
  defineBuilder,
  type LmRow,
  loadTemplate,
  type PromptTemplate,
  packageAsset,
} from '@dgt/core';
import { z } from 'zod';
import { replyItems, structuredReply } from '../shared/structured-reply.js';
import { byTask, positiveInt } from '../shared/task-keys.js';
import { runValidators } from '../shared/validators.js';
import { simpleRecordSchema } from '../simple/simple.js';

/** Task-file keys of `instructlab/skills` (all optional). */
export const skillsTaskSchema = z.looseObject({
  /** In-context examples per request, from seeds and earlier outputs (default 2). */
  num_prompt_instructions: z.int().positive().optional(),
  /** New instructions asked for per request (default 3). */
  num_questions_per_prompt: z.int().positive().optional(),
});

const TEMPLATES = ['questions', 'answer', 'question-check', 'answer-check'] as const;
type Templates = Record<(typeof TEMPLATES)[number], PromptTemplate>;
let templates: Promise<Templates> | undefined;
function loadTemplates(): Promise<Templates> {
  templates ??= Promise.all(
    TEMPLATES.map((name) =>
      loadTemplate(packageAsset(import.meta.url, `assets/skills/${name}.txt`)),
    ),
  ).then((list) => Object.fromEntries(TEMPLATES.map((name, i) => [name, list[i]!])) as Templates);
  return templates;
}

/** A skill item on its way through the stages. */
type Item = {
  task_name: string;
  task_description: string;
  question: string;
  context?: string;
  answer?: string;
};

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** The schema of the question reply: tasks with a question, and a context when grounded. */
function questionsSchema(grounded: boolean) {
  const properties: Record<string, unknown> = { question: { type: 'string' } };
  if (grounded) properties.context = { type: 'string' };
  return {
    type: 'object',
    properties: {
      tasks: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties,
          required: Object.keys(properties),
          additionalProperties: false,
        },
      },
    },
    required: ['tasks'],
    additionalProperties: false,
  };
}

/** Rows for the judge: the item's fields, plus the rendered check as `input`. */
function judgeRows(items: readonly Item[], check: PromptTemplate): (BlockRow & Item)[] {
  return items.map((item) => ({ ...item, input: check.render({ ...item }) }));
}

/**
 * `instructlab/skills`: InstructLab skills data, freeform (instruction and answer) or grounded
 * (a context the instruction works on), chosen per request by whether the examples carry a
 * `context`. Stages: the generator writes instructions (and contexts); the `validator` judge
 * passes or fails each; the generator answers the ones kept; the judge checks each answer; the
 * `tagger` rates the instruction (`quality`). Postprocessors remove near-duplicate instructions
 * (`dedup`) and keep only good or excellent ones (`filter`). Every failure is stored with the
 * judge's reason in the block's reject file.
 */
export const skillsBuilder = defineBuilder({
  kind: 'generation',
  name: 'instructlab/skills',
  description:
    'InstructLab skills (freeform and grounded): instructions and answers, each judged, rated, deduplicated and filtered.',
  config: packageAsset(import.meta.url, 'assets/skills/skills.yaml'),
  inputSchema: simpleRecordSchema,
  outputSchema: simpleRecordSchema,
  taskSchema: skillsTaskSchema,
  taskExample: {
    num_prompt_instructions: 2,
    num_questions_per_prompt: 4,
    seed_examples: [
      {
        question: 'Rewrite in the passive voice: The committee approved the new budget.',
        answer: 'The new budget was approved by the committee.',
      },
      {
        question:
          'Put this sentence in the passive voice: Engineers will inspect the bridge tomorrow.',
        answer: 'The bridge will be inspected by engineers tomorrow.',
      },
      {
        question: 'Change to the passive: Someone has stolen my bicycle.',
        answer: 'My bicycle has been stolen.',
      },
    ],
  },
  async call(batch, ctx) {
    const t = await loadTemplates();
    // 1. New instructions (and contexts).
    const requests: (LmRow & { grounded: boolean; description: string })[] = [];
    for (const [taskName, items] of byTask(batch)) {
      const task = ctx.tasks[taskName] ?? {};
      const shown =
        positiveInt(1, task.num_prompt_instructions, ctx.config.num_prompt_instructions) ?? 2;
      const perPrompt =
        positiveInt(1, task.num_questions_per_prompt, ctx.config.num_questions_per_prompt) ?? 3;
      const description = text(task.task_description);
      for (let start = 0; start < items.length; start += perPrompt) {
        const examples = ctx.sampleExamples(taskName, shown);
        const grounded = examples.some((example) => text(example.context) !== '');
        requests.push({
          task_name: taskName,
          input: [
            {
              role: 'user',
              content: t.questions.render({
                task_description: description,
                grounded,
                examples,
                count: Math.min(perPrompt, items.length - start),
              }),
            },
          ],
          grounded,
          description,
        });
      }
    }
    const generated: Item[] = [];
    for (const grounded of [false, true]) {
      const own = requests.filter((request) => request.grounded === grounded);
      if (own.length === 0) continue;
      const replies = (await ctx.blocks.generator!(own, {
        method: 'chat_completion',
        responseSchema: { name: 'skill_tasks', schema: questionsSchema(grounded) },
      })) as typeof requests;
      for (const reply of replies) {
        for (const task of replyItems(structuredReply(reply), ['tasks', 'items'])) {
          const question = text(task.question ?? task.instruction);
          const context = text(task.context);
          if (!question || (grounded && !context)) continue;
          generated.push({
            task_name: String(reply.task_name),
            task_description: reply.description,
            question,
            ...(grounded ? { context } : {}),
          });
        }
      }
    }
    if (generated.length === 0) return [];

    // 2. The judge keeps the good instructions.
    const questions = (await ctx.blocks.validator!(
      judgeRows(generated, t['question-check']),
    )) as (BlockRow & Item)[];

    // 3. Answers.
    const answered = (await ctx.blocks.generator!(
      questions.map((item) => ({
        task_name: item.task_name,
        input: [{ role: 'user', content: t.answer.render({ ...item }) }],
        item,
      })),
      { method: 'chat_completion' },
    )) as (LmRow & { item: Item })[];
    const withAnswers: Item[] = answered.flatMap((reply) => {
      const answer = text(reply.result);
      return answer ? [{ ...stripJudge(reply.item), answer }] : [];
    });
    if (withAnswers.length === 0) return [];

    // 4. The judge checks each answer.
    const checked = (await ctx.blocks.validator!(
      judgeRows(withAnswers, t['answer-check']),
    )) as (BlockRow & Item)[];

    // 5. The tagger rates each instruction.
    const rated = ctx.blocks.tagger
      ? ((await ctx.blocks.tagger(
          checked.map((item) => ({
            task_name: item.task_name,
            input: item.context ? `${item.question}\n\n${item.context}` : item.question,
            item,
          })),
        )) as (BlockRow & { item: Item; tags?: unknown })[])
      : checked.map((item) => ({ item, tags: [] as unknown }));
    const records: DataPoint[] = rated.map(({ item, tags }) => ({
      task_name: item.task_name,
      is_seed: false,
      question: item.question,
      ...(item.context ? { context: item.context } : {}),
      answer: item.answer,
      quality: Array.isArray(tags) && typeof tags[0] === 'string' ? tags[0] : 'unrated',
    }));
    return runValidators(ctx, records, ['validator']);
  },
});

/** The item without what the judge wrote on it (`input`, `judge_pass`, …). */
function stripJudge(row: Item & Record<string, unknown>): Item {
  return {
    task_name: row.task_name,
    task_description: row.task_description,
    question: row.question,
    ...(row.context ? { context: row.context } : {}),
  };
}
