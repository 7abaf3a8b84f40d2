import {
  type DataPoint,
  defineBuilder,
  type LmRow,
  loadTemplate,
  type PromptTemplate,
  packageAsset,
} from '@dgt/core';
import { z } from 'zod';
import { byTask } from '../shared/task-keys.js';
import { textField } from '../shared/text-field.js';
import { runValidators } from '../shared/validators.js';
import { parseToolExamples } from './tool-calling-reply.js';
import { readToolCalls, readTools, type ToolSpec, toolExamplesSchema } from './tools.js';

/**
 * Seeds and outputs of `tool_calling`: a user request (`question`; `query` is also read) and the
 * tool calls that serve it (`tool_calls`: a list of `{name, arguments}`, or a JSON text of one).
 */
export const toolCallingRecordSchema = z.preprocess(
  (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const record = value as Record<string, unknown>;
    return {
      ...record,
      question: record.question ?? record.query,
      tool_calls: readToolCalls(record.tool_calls ?? record.answer),
    };
  },
  z.looseObject({
    task_name: z.string(),
    is_seed: z.boolean().optional(),
    question: textField,
    tool_calls: z.array(z.unknown()).min(1, 'give at least one tool call'),
  }),
);

/** Task-file keys of `tool_calling`. */
export const toolCallingTaskSchema = z.looseObject({
  tools: z
    .array(z.record(z.string(), z.unknown()))
    .min(1)
    .describe(
      'The tools, as JSON Schema function specifications (inline or via `include: {tools: file}`).',
    ),
  num_icl_examples_per_prompt: z
    .int()
    .positive()
    .optional()
    .describe('Examples shown per request, from seeds and earlier outputs (default 3).'),
  num_questions_per_prompt: z
    .int()
    .positive()
    .optional()
    .describe('New examples asked for per request (default 3).'),
});

type TaskState = { tools: ToolSpec[]; schema: Record<string, unknown> };
const states = new WeakMap<object, TaskState>();

let prompt: Promise<PromptTemplate> | undefined;

/**
 * `tool_calling` (also `public/tool_calling/single_turn`): generates user requests together
 * with the tool calls that serve them, from the task's tool specifications (`tools:`, JSON
 * Schema) and a few seed examples. The reply schema is built from the tools, so structured output
 * keeps names and arguments valid; the `tool_check` block (`tool_call` validator) rejects calls
 * of unknown tools or with arguments that break the tool's schema, and `dedup` removes repeated
 * requests. Records carry `question`, `tool_calls` and the `tools` offered.
 */
export const toolCallingBuilder = defineBuilder({
  kind: 'generation',
  name: 'tool_calling',
  description: 'User requests with the tool calls that serve them, from JSON Schema tool specs.',
  config: packageAsset(import.meta.url, 'assets/tool-calling/tool_calling.yaml'),
  inputSchema: toolCallingRecordSchema,
  outputSchema: toolCallingRecordSchema,
  taskSchema: toolCallingTaskSchema,
  taskExample: {
    tools: [
      {
        name: 'get_weather',
        description: 'The current weather in a city',
        parameters: {
          type: 'object',
          properties: {
            city: { type: 'string' },
            unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          },
          required: ['city'],
        },
      },
    ],
    seed_examples: [
      {
        question: 'Is it raining in Porto right now?',
        tool_calls: [{ name: 'get_weather', arguments: { city: 'Porto' } }],
      },
      {
        question: 'How warm is it in Denver, in Fahrenheit?',
        tool_calls: [{ name: 'get_weather', arguments: { city: 'Denver', unit: 'fahrenheit' } }],
      },
    ],
  },
  async call(batch, ctx) {
    prompt ??= loadTemplate(packageAsset(import.meta.url, 'assets/tool-calling/prompt.txt'));
    const template = await prompt;
    const requests: LmRow[] = [];
    for (const [taskName, items] of byTask(batch)) {
      const config = ctx.tasks[taskName] ?? {};
      let state = states.get(config);
      if (!state) {
        const tools = readTools(config.tools, `task "${taskName}"`);
        state = { tools, schema: toolExamplesSchema(tools) };
        states.set(config, state);
      }
      const shown = Number(config.num_icl_examples_per_prompt ?? 3);
      const perPrompt = Number(config.num_questions_per_prompt ?? 3);
      for (let start = 0; start < items.length; start += perPrompt) {
        const examples = ctx.sampleExamples(taskName, shown).map((example) => ({
          question: example.question,
          tool_calls: JSON.stringify(example.tool_calls),
        }));
        requests.push({
          task_name: taskName,
          input: [
            {
              role: 'user',
              content: template.render({
                task_description: config.task_description ?? '',
                tools: state.tools.map((tool) => JSON.stringify(tool.function, null, 2)),
                examples,
                count: Math.min(perPrompt, items.length - start),
              }),
            },
          ],
          state,
        });
      }
    }
    // Each task has its own tools, hence its own reply schema: one generator call per task.
    const replies: (LmRow & { state: TaskState })[] = [];
    for (const [, own] of byTask(requests)) {
      const { schema } = (own[0] as LmRow & { state: TaskState }).state;
      replies.push(
        ...((await ctx.blocks.generator!(own, {
          method: 'chat_completion',
          responseSchema: { name: 'tool_call_examples', schema },
        })) as (LmRow & { state: TaskState })[]),
      );
    }
    const records: DataPoint[] = [];
    for (const reply of replies) {
      for (const example of parseToolExamples(reply)) {
        records.push({
          task_name: String(reply.task_name),
          is_seed: false,
          ...example,
          tools: reply.state.tools,
        });
      }
    }
    return runValidators(ctx, records);
  },
});
