import type { LmRow } from '@dgt/core';
import { pairFromObject, parseQaText, type QaPair } from '../shared/qa-text.js';
import { replyItems, structuredReply } from '../shared/structured-reply.js';

/**
 * The JSON Schema the `simple` generator is asked to follow (structured output): a list of new
 * items, each a question (the instruction), the input it comes with (empty when none) and the
 * answer.
 */
export const simpleReplySchema = {
  type: 'object',
  properties: {
    pairs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          question: { type: 'string', description: 'the new instruction or question' },
          context: {
            type: 'string',
            description: 'input the instruction works on, or an empty string when it needs none',
          },
          answer: { type: 'string', description: 'the correct response' },
        },
        required: ['question', 'context', 'answer'],
        additionalProperties: false,
      },
    },
  },
  required: ['pairs'],
  additionalProperties: false,
} as const;

/**
 * Reads a `simple` generator reply: the structured-output list when there is one (or JSON in the
 * text), else DiGiT's text format (`* Task N` / `** Instruction` / `** Input` / `** Output`),
 * `[Question] … [Answer] … [End]`, or `Question: … Answer: …`. Items without both a question and
 * an answer are left out.
 */
export function parseSimpleReply(row: Pick<LmRow, 'parsed' | 'result'>): QaPair[] {
  const value = structuredReply(row);
  if (value !== undefined) {
    const pairs = replyItems(value, ['pairs', 'items', 'tasks', 'examples'])
      .map(pairFromObject)
      .filter((pair): pair is QaPair => pair !== undefined);
    if (pairs.length) return pairs;
  }
  return parseQaText(row.result ?? '');
}
