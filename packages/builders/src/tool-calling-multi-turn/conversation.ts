import type { LmRow } from '@dgt/core';
import { replyItems, structuredReply } from '../shared/structured-reply.js';
import { readToolCalls, type ToolSpec, toolCallSchema } from '../tool-calling/tools.js';

/** One user turn of a tool-calling conversation and the calls the assistant makes for it. */
export type ToolTurn = { question: string; tool_calls: unknown[] };

/** A chat message in OpenAI's tool-calling shape (arguments as a JSON text, as the API sends). */
export type ToolMessage =
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string;
      tool_calls: {
        id: string;
        type: 'function';
        function: { name: string; arguments: string };
      }[];
    };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads turns in either shape a task may hold: `turns: [{question, tool_calls}]`, or chat
 * `messages` where each user message opens a turn and the assistant's `tool_calls` after it
 * belong to that turn. Unreadable entries are dropped.
 */
export function readTurns(record: Record<string, unknown>): ToolTurn[] {
  if (Array.isArray(record.turns)) {
    return record.turns.flatMap((turn) => {
      if (!isObject(turn)) return [];
      const question = turn.question ?? turn.query ?? turn.user;
      if (typeof question !== 'string' || !question.trim()) return [];
      return [{ question: question.trim(), tool_calls: readToolCalls(turn.tool_calls) }];
    });
  }
  if (!Array.isArray(record.messages)) return [];
  const turns: ToolTurn[] = [];
  for (const message of record.messages) {
    if (!isObject(message)) continue;
    if (message.role === 'user' && typeof message.content === 'string') {
      turns.push({ question: message.content.trim(), tool_calls: [] });
    } else if (message.role === 'assistant' && turns.length > 0) {
      turns.at(-1)!.tool_calls.push(...readToolCalls(message.tool_calls));
    }
  }
  return turns;
}

/** The turns as chat messages: user, then the assistant's tool calls, for every turn. */
export function turnsToMessages(turns: readonly ToolTurn[]): ToolMessage[] {
  return turns.flatMap((turn, t) => [
    { role: 'user' as const, content: turn.question },
    {
      role: 'assistant' as const,
      content: '',
      tool_calls: turn.tool_calls.map((call, c) => {
        const { name, arguments: args } = (call ?? {}) as { name?: unknown; arguments?: unknown };
        return {
          id: `call_${t}_${c}`,
          type: 'function' as const,
          function: { name: String(name), arguments: JSON.stringify(args ?? {}) },
        };
      }),
    },
  ]);
}

/**
 * The JSON Schema of the generator's reply: conversations of exactly `turns` user turns, each
 * with calls of the given tools whose arguments follow the tool's schema.
 */
export function conversationsSchema(
  tools: readonly ToolSpec[],
  turns: number,
): Record<string, unknown> {
  const turn = {
    type: 'object',
    properties: {
      question: { type: 'string', description: "the user's message in this turn" },
      tool_calls: {
        type: 'array',
        minItems: 1,
        items: toolCallSchema(tools),
      },
    },
    required: ['question', 'tool_calls'],
    additionalProperties: false,
  };
  return {
    type: 'object',
    properties: {
      conversations: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: {
            turns: { type: 'array', minItems: turns, maxItems: turns, items: turn },
          },
          required: ['turns'],
          additionalProperties: false,
        },
      },
    },
    required: ['conversations'],
    additionalProperties: false,
  };
}

/**
 * The conversations in a generator reply, from every completion (`n > 1` gives several):
 * `{conversations: [{turns: [...]}]}` as structured output or JSON in the text. Conversations
 * with fewer than `minTurns` readable turns, or a turn without calls, are dropped.
 */
export function parseConversations(row: LmRow, minTurns: number): ToolTurn[][] {
  const texts = row.results && row.results.length > 1 ? row.results : undefined;
  const replies = texts
    ? texts.map((text, i) => structuredReply(i === 0 ? row : { result: text }))
    : [structuredReply(row)];
  return replies.flatMap((value) =>
    replyItems(value, ['conversations', 'items'])
      .map((item) => readTurns(item))
      .filter(
        (turns) => turns.length >= minTurns && turns.every((turn) => turn.tool_calls.length > 0),
      ),
  );
}
