import type { LmRow } from '@dgt/core';
import { structuredReply } from '../shared/structured-reply.js';

/** The JSON Schema the reasoner is asked to follow: the steps, then the final answer alone. */
export const cotReplySchema = {
  type: 'object',
  properties: {
    steps: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description: 'the reasoning, one step per item',
    },
    final_answer: { type: 'string', description: 'the final answer only, as short as possible' },
  },
  required: ['steps', 'final_answer'],
  additionalProperties: false,
} as const;

/** Reasoning read from a reply: its text and the final answer it ends in (empty when none). */
export type Reasoning = { reasoning: string; finalAnswer: string };

const FINAL_LINE =
  /^\s*(?:#{4}\s*|[*_]*\s*(?:final\s+answer|answer)\s*[*_]*\s*[:：]\s*[*_]*\s*|[*_]*\s*(?:so,?\s+)?the\s+(?:final\s+)?answer\s+is\s*:?\s*)(.+)$/i;

/**
 * Reads a reasoner reply: `{steps, final_answer}` from structured output (or JSON in the text),
 * else the text format: the reasoning, then a last line `Final answer: …` (also `Answer: …`,
 * `#### …` or `The answer is …`).
 */
export function parseReasoning(row: Pick<LmRow, 'parsed' | 'result'>): Reasoning | undefined {
  const value = structuredReply(row) as Record<string, unknown> | undefined;
  if (
    value &&
    !Array.isArray(value) &&
    (value.steps !== undefined || value.final_answer !== undefined)
  ) {
    const steps = Array.isArray(value.steps)
      ? value.steps.filter((s): s is string => typeof s === 'string' && s.trim() !== '')
      : typeof value.steps === 'string'
        ? [value.steps]
        : [];
    const finalAnswer =
      typeof value.final_answer === 'string'
        ? value.final_answer.trim()
        : String(value.final_answer ?? '');
    if (steps.length) return { reasoning: steps.map((s) => s.trim()).join('\n'), finalAnswer };
  }
  const lines = (row.result ?? '').trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = FINAL_LINE.exec(lines[i]!);
    if (!match) continue;
    const reasoning = lines.slice(0, i).join('\n').trim();
    const finalAnswer = match[1]!.replace(/\**\s*$/, '').trim();
    return reasoning ? { reasoning, finalAnswer } : undefined;
  }
  return undefined;
}
