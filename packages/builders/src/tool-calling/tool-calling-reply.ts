import type { LmRow } from '@dgt/core';
import { replyItems, structuredReply } from '../shared/structured-reply.js';
import { readToolCalls } from './tools.js';

/** A generated example: the user's request and the calls that serve it. */
export type ToolExample = { question: string; tool_calls: unknown[] };

const TEXT_ITEM = /Request\s*:\s*([\s\S]*?)\s*Calls?\s*:\s*([\s\S]*?)\s*(?=\n\s*Request\s*:|$)/gi;

/**
 * Reads a tool-calling generator reply: `{examples: [{question, tool_calls}]}` from structured
 * output (or JSON in the text), else the text format — for each example a line
 * `Request: <what the user asks>` followed by `Calls: <a JSON list of {name, arguments}>`.
 */
export function parseToolExamples(row: Pick<LmRow, 'parsed' | 'result'>): ToolExample[] {
  const value = structuredReply(row);
  const fromItems = (items: Record<string, unknown>[]) =>
    items.flatMap((item) => {
      const question = item.question ?? item.request ?? item.query;
      const calls = readToolCalls(item.tool_calls ?? item.calls);
      return typeof question === 'string' && question.trim() && calls.length
        ? [{ question: question.trim(), tool_calls: calls }]
        : [];
    });
  if (value !== undefined) {
    const examples = fromItems(replyItems(value, ['examples', 'items']));
    if (examples.length) return examples;
  }
  const items = [...(row.result ?? '').matchAll(TEXT_ITEM)].map((match) => ({
    question: match[1],
    tool_calls: match[2],
  }));
  return fromItems(items);
}
