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
import { runValidators } from '../shared/validators.js';
import { readTools, type ToolSpec } from '../tool-calling/tools.js';
import {
  conversationsSchema,
  parseConversations,
  readTurns,
  type ToolTurn,
  turnsToMessages,
} from './conversation.js';

/**
 * Seeds and outputs of `tool_calling/multi_turn/stateless`: a conversation as `turns` (each a
 * user `question` and the assistant's `tool_calls`) or as chat `messages` with `tool_calls` on
 * the assistant messages. Outputs carry both, plus `question` (the opening request) and every
 * call of every turn in `tool_calls`, for the validators.
 */
export const multiTurnToolRecordSchema = z.preprocess(
  (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const record = value as Record<string, unknown>;
    return { ...record, turns: readTurns(record) };
  },
  z.looseObject({
    task_name: z.string(),
    is_seed: z.boolean().optional(),
    turns: z
      .array(
        z.object({
          question: z.string().min(1),
          tool_calls: z.array(z.unknown()).min(1, 'give each turn at least one tool call'),
        }),
      )
      .min(1, 'give the conversation as turns: [{question, tool_calls}] or as messages'),
  }),
);

/** Task-file keys of `tool_calling/multi_turn/stateless`. */
export const multiTurnToolTaskSchema = z.looseObject({
  /** The tools, as JSON Schema function specifications (inline or via `include: {tools: file}`). */
  tools: z.array(z.record(z.string(), z.unknown())).min(1),
  /** User turns per conversation (default 3). */
  num_turns: z.int().min(1).optional(),
  /** Conversations shown per request, from seeds and earlier outputs (default 2). */
  num_icl_examples_per_prompt: z.int().positive().optional(),
  /** New conversations asked for per request (default 2). */
  num_conversations_per_prompt: z.int().positive().optional(),
});

type TaskState = { tools: ToolSpec[]; turns: number };
const states = new WeakMap<object, TaskState>();
let prompt: Promise<PromptTemplate> | undefined;

/** A record of a conversation: turns, the chat messages, the opening request and all calls. */
function conversationRecord(taskName: string, turns: ToolTurn[], tools: ToolSpec[]): DataPoint {
  return {
    task_name: taskName,
    is_seed: false,
    question: turns[0]!.question,
    turns,
    messages: turnsToMessages(turns),
    tool_calls: turns.flatMap((turn) => turn.tool_calls),
    tools,
  };
}

/**
 * `tool_calling/multi_turn/stateless`: multi-turn conversations in which every user turn is
 * served by tool calls that stand on their own (no state carries between turns beyond what the
 * conversation says). The reply schema comes from the task's tools, so structured output keeps
 * names and arguments valid; every completion of a request (`n`) is read; `tool_check` rejects
 * a conversation with any call of an unknown tool or with arguments breaking its schema.
 */
export const multiTurnToolCallingBuilder = defineBuilder({
  kind: 'generation',
  name: 'tool_calling/multi_turn/stateless',
  description:
    'Multi-turn conversations whose every user turn is served by self-contained tool calls, from JSON Schema tool specs.',
  config: packageAsset(
    import.meta.url,
    'assets/tool-calling-multi-turn/multi_turn_tool_calling.yaml',
  ),
  inputSchema: multiTurnToolRecordSchema,
  outputSchema: multiTurnToolRecordSchema,
  taskSchema: multiTurnToolTaskSchema,
  taskExample: {
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather for a city.',
          parameters: {
            type: 'object',
            properties: {
              city: { type: 'string' },
              unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
            },
            required: ['city'],
          },
        },
      },
      {
        type: 'function',
        function: {
          name: 'convert_currency',
          description: 'Convert an amount of money from one currency to another.',
          parameters: {
            type: 'object',
            properties: {
              amount: { type: 'number', minimum: 0 },
              from: { type: 'string', description: 'ISO 4217 code, e.g. EUR' },
              to: { type: 'string', description: 'ISO 4217 code, e.g. JPY' },
            },
            required: ['amount', 'from', 'to'],
          },
        },
      },
    ],
    num_turns: 2,
    seed_examples: [
      {
        turns: [
          {
            question: "What's the weather in Porto?",
            tool_calls: [{ name: 'get_weather', arguments: { city: 'Porto' } }],
          },
          {
            question: 'And in Lisbon, in Fahrenheit?',
            tool_calls: [
              { name: 'get_weather', arguments: { city: 'Lisbon', unit: 'fahrenheit' } },
            ],
          },
        ],
      },
      {
        turns: [
          {
            question: 'How much is 120 US dollars in euros?',
            tool_calls: [
              { name: 'convert_currency', arguments: { amount: 120, from: 'USD', to: 'EUR' } },
            ],
          },
          {
            question: 'Is it snowing in Oslo?',
            tool_calls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }],
          },
        ],
      },
    ],
  },
  async call(batch, ctx) {
    prompt ??= loadTemplate(
      packageAsset(import.meta.url, 'assets/tool-calling-multi-turn/prompt.txt'),
    );
    const template = await prompt;
    const requests: (LmRow & { state: TaskState })[] = [];
    for (const [taskName, items] of byTask(batch)) {
      const config = ctx.tasks[taskName] ?? {};
      let state = states.get(config);
      if (!state) {
        state = {
          tools: readTools(config.tools, `task "${taskName}"`),
          turns: positiveInt(1, config.num_turns) ?? 3,
        };
        states.set(config, state);
      }
      const shown = positiveInt(1, config.num_icl_examples_per_prompt) ?? 2;
      const perPrompt = positiveInt(1, config.num_conversations_per_prompt) ?? 2;
      for (let start = 0; start < items.length; start += perPrompt) {
        const examples = ctx.sampleExamples(taskName, shown).map((example) => ({
          turns: readTurns(example).map((turn) => ({
            question: turn.question,
            calls: JSON.stringify(turn.tool_calls),
          })),
        }));
        requests.push({
          task_name: taskName,
          input: [
            {
              role: 'user',
              content: template.render({
                task_description: config.task_description ?? '',
                tools: state.tools.map((tool) => JSON.stringify(tool.function, null, 2)),
                turns: state.turns,
                examples,
                count: Math.min(perPrompt, items.length - start),
              }),
            },
          ],
          state,
        });
      }
    }
    // Each task has its own tools and turn count, hence its own reply schema.
    const replies: (LmRow & { state: TaskState })[] = [];
    for (const [, own] of byTask(requests)) {
      const { tools, turns } = own[0]!.state;
      replies.push(
        ...((await ctx.blocks.generator!(own, {
          method: 'chat_completion',
          responseSchema: { name: 'tool_conversations', schema: conversationsSchema(tools, turns) },
        })) as (LmRow & { state: TaskState })[]),
      );
    }
    const records = replies.flatMap((reply) =>
      parseConversations(reply, reply.state.turns).map((turns) =>
        conversationRecord(String(reply.task_name), turns, reply.state.tools),
      ),
    );
    return runValidators(ctx, records);
  },
});
