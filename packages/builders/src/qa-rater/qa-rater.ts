import {
  type DataPoint,
  defineBuilder,
  type LmRow,
  loadTemplate,
  type PromptTemplate,
  packageAsset,
} from '@dgt/core';
import { z } from 'zod';
import { extractJsonObject, text } from '../shared/parse-reply.js';
import { textField } from '../shared/text-field.js';

/** The difficulty levels a rating may take, easiest first. */
export const DIFFICULTY_LEVELS = ['very easy', 'easy', 'medium', 'hard', 'very hard'] as const;

/** A rating as stored on each record: `difficulty` is `null` when the reply named no level. */
export type Rating = {
  difficulty: (typeof DIFFICULTY_LEVELS)[number] | null;
  knowledge: string | null;
  explanation: string | null;
};

/** Input records: a question and its answer. */
export const qaRecordSchema = z.looseObject({
  task_name: z.string(),
  question: textField,
  answer: textField,
});

/** The JSON Schema the rater is asked to follow (structured output). */
export const ratingReplySchema = {
  type: 'object',
  properties: {
    difficulty: { type: 'string', enum: [...DIFFICULTY_LEVELS] },
    knowledge: { type: 'string' },
    explanation: { type: 'string' },
  },
  required: ['difficulty', 'knowledge', 'explanation'],
  additionalProperties: false,
} as const;

// Longest first, so "very hard" is found before "hard".
const LEVELS_BY_LENGTH = [...DIFFICULTY_LEVELS].sort((a, b) => b.length - a.length);
const NUMERIC_LEVEL = /\b([1-5])\s*(?:\/\s*5|out of 5)?\b/;

function level(value: unknown): Rating['difficulty'] {
  if (typeof value === 'number' && value >= 1 && value <= 5)
    return DIFFICULTY_LEVELS[Math.round(value) - 1]!;
  if (typeof value !== 'string') return null;
  const lower = value.toLowerCase();
  const named = LEVELS_BY_LENGTH.find((name) => new RegExp(`\\b${name}\\b`).test(lower));
  if (named) return named;
  const numeric = NUMERIC_LEVEL.exec(lower);
  return numeric ? DIFFICULTY_LEVELS[Number(numeric[1]) - 1]! : null;
}

/** Reads a rater reply: structured output, a JSON object in the text, or a level named in prose. */
export function parseRating(row: Pick<LmRow, 'parsed' | 'result'>): Rating {
  const object =
    (row.parsed as Record<string, unknown> | undefined) ?? extractJsonObject(row.result ?? '');
  if (object) {
    return {
      difficulty: level(object.difficulty),
      knowledge: text(object.knowledge) ?? null,
      explanation: text(object.explanation) ?? null,
    };
  }
  const reply = row.result ?? '';
  const labelled = /difficulty\W{0,3}\s*([a-z ]+|[1-5])/i.exec(reply);
  return {
    difficulty: level(labelled?.[1] ?? reply),
    knowledge: null,
    explanation: text(reply) ?? null,
  };
}

let prompt: Promise<PromptTemplate> | undefined;

/**
 * `public/examples/qa_rater`: a transformation that rates each question/answer pair for
 * difficulty. Every input record comes out with a `ratings` field; `difficulty` is `null` when
 * the model's reply named no level (or the request failed, with `rating_error` saying why).
 */
export const qaRaterBuilder = defineBuilder({
  kind: 'transformation',
  name: 'public/examples/qa_rater',
  description: 'Rates question/answer pairs for difficulty (DiGiT example transformation).',
  config: packageAsset(import.meta.url, 'assets/qa-rater/qa_rater.yaml'),
  inputSchema: qaRecordSchema,
  taskExample: {
    data: [
      { question: 'What is the capital of France?', answer: 'Paris' },
      { question: 'Which river flows through Budapest?', answer: 'The Danube' },
    ],
  },
  // No task keys of its own: any extra key in a task is reported as unknown.
  taskSchema: z.looseObject({}),
  async call(batch, ctx) {
    prompt ??= loadTemplate(packageAsset(import.meta.url, 'assets/qa-rater/judge.txt'));
    const template = await prompt;
    const requests: LmRow[] = batch.map((record) => ({
      task_name: record.task_name,
      input: [
        {
          role: 'user',
          content: template.render({
            question: String(record.question ?? ''),
            answer: String(record.answer ?? ''),
          }),
        },
      ],
      record,
    }));
    const replies = (await ctx.blocks.rater!(requests, {
      method: 'chat_completion',
      responseSchema: { name: 'qa_rating', schema: ratingReplySchema },
    })) as (LmRow & { record: DataPoint; error?: string })[];
    return replies.map(({ record, error, ...reply }) => ({
      ...record,
      is_seed: false,
      ratings: error
        ? { difficulty: null, knowledge: null, explanation: null }
        : parseRating(reply),
      ...(error ? { rating_error: error } : {}),
    }));
  },
});
