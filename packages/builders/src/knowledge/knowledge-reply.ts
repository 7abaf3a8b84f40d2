import type { LmRow } from '@dgt/core';
import { pairFromObject, parseQaText, type QaPair } from '../shared/qa-text.js';
import { replyItems, structuredReply } from '../shared/structured-reply.js';

/** Letters of the choices of a multiple-choice question. */
export const CHOICE_LETTERS = ['A', 'B', 'C', 'D'] as const;

/** The JSON Schema of a free-response reply: a list of question/answer pairs. */
export const frqReplySchema = {
  type: 'object',
  properties: {
    pairs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          question: { type: 'string', description: 'a question the document answers' },
          answer: { type: 'string', description: 'its answer, taken from the document' },
        },
        required: ['question', 'answer'],
        additionalProperties: false,
      },
    },
  },
  required: ['pairs'],
  additionalProperties: false,
} as const;

/** The JSON Schema of a multiple-choice reply: questions with four choices and the right letter. */
export const mcqReplySchema = {
  type: 'object',
  properties: {
    questions: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          question: { type: 'string', description: 'the question stem' },
          choices: {
            type: 'array',
            items: { type: 'string' },
            minItems: 4,
            maxItems: 4,
            description: 'four answer options, one of them correct',
          },
          answer: { type: 'string', enum: [...CHOICE_LETTERS], description: 'the correct letter' },
        },
        required: ['question', 'choices', 'answer'],
        additionalProperties: false,
      },
    },
  },
  required: ['questions'],
  additionalProperties: false,
} as const;

/** A generated item: a pair, with the choices of a multiple-choice question. */
export type KnowledgeItem = QaPair & { choices?: string[] };

function mcqItem(item: Record<string, unknown>): KnowledgeItem | undefined {
  const stem = typeof item.question === 'string' ? item.question.trim() : '';
  const choices = Array.isArray(item.choices)
    ? item.choices.map((c) => (typeof c === 'string' ? c.trim() : '')).filter(Boolean)
    : [];
  const letter = typeof item.answer === 'string' ? item.answer.trim().charAt(0).toUpperCase() : '';
  const index = CHOICE_LETTERS.indexOf(letter as (typeof CHOICE_LETTERS)[number]);
  if (!stem || choices.length < 2 || index < 0 || index >= choices.length) return undefined;
  const listed = choices.map((choice, i) => `${CHOICE_LETTERS[i]}) ${choice}`);
  return {
    question: `${stem}\n${listed.join('\n')}`,
    answer: listed[index]!,
    choices,
  };
}

/**
 * Reads a knowledge generator reply: the structured-output list (or JSON in the text), else
 * DiGiT's `[Question] … [Answer] … [End]` text format (also `Question: … Answer: …`). For
 * multiple-choice questions the `question` lists the lettered choices and the `answer` is the
 * correct one (`B) …`); text replies keep the choices as the model wrote them.
 */
export function parseKnowledgeReply(
  row: Pick<LmRow, 'parsed' | 'result'>,
  style: 'FRQ' | 'MCQ',
): KnowledgeItem[] {
  const value = structuredReply(row);
  if (value !== undefined) {
    const items = replyItems(value, ['pairs', 'questions', 'items'])
      .map((item) =>
        style === 'MCQ' && Array.isArray(item.choices) ? mcqItem(item) : pairFromObject(item),
      )
      .filter((item): item is KnowledgeItem => item !== undefined)
      .map(({ context: _context, ...item }) => item);
    if (items.length) return items;
  }
  return parseQaText(row.result ?? '').map(({ question, answer }) => ({ question, answer }));
}
