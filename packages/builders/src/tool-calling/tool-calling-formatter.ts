import { DgtError, defineFormatter, type StoredRecord } from '@dgt/core';
import { z } from 'zod';
import { readTurns, turnsToMessages } from '../tool-calling-multi-turn/conversation.js';
import { readToolCalls, readTools } from './tools.js';

/** Config of the tool-calling formatter. */
export const toolCallingFormatterConfigSchema = z.looseObject({
  type: z.string().optional(),
  /** A system message put first in every conversation. */
  system: z.string().optional(),
  /** Record fields copied beside `messages` and `tools` (e.g. `task_name`). */
  keep: z.array(z.string()).default([]),
});

/**
 * Turns a tool-calling record, single-turn (`question`, `tool_calls`) or multi-turn (`turns` or
 * `messages`), into the chat fine-tuning shape `{messages, tools}`: each user message followed
 * by an assistant message carrying its `tool_calls` (arguments as JSON text), and the tools in
 * OpenAI's `{type: function, function}` form.
 */
export const toolCallingFormatter = defineFormatter({
  description:
    'Tool-calling records (single or multi-turn) as {messages, tools}: user messages and the assistant tool calls that serve them.',
  configSchema: toolCallingFormatterConfigSchema,
  create(config) {
    return {
      apply(record: StoredRecord) {
        const turns =
          Array.isArray(record.turns) || Array.isArray(record.messages)
            ? readTurns(record)
            : typeof record.question === 'string'
              ? [{ question: record.question, tool_calls: readToolCalls(record.tool_calls) }]
              : [];
        if (turns.length === 0) {
          throw new DgtError(
            'INVALID_TASK',
            `the tool-calling formatter found no conversation in a record (looked for turns, messages, or question with tool_calls; the record has ${Object.keys(record).join(', ')}).`,
          );
        }
        const messages = [
          ...(config.system ? [{ role: 'system', content: config.system }] : []),
          ...turnsToMessages(turns),
        ];
        const tools = Array.isArray(record.tools) ? readTools(record.tools, 'record') : [];
        return {
          ...Object.fromEntries(config.keep.map((key) => [key, record[key]])),
          messages,
          tools,
        };
      },
    };
  },
});
