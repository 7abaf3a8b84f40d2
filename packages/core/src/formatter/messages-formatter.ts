import { z } from 'zod';
import { defineFormatter } from '../contracts/define.js';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import type { FormatterImplementationV1 } from '../contracts/v1/formatter.js';
import { DgtError } from '../errors/dgt-error.js';
import { compileTemplate, type PromptTemplate } from '../template/prompt-template.js';

const roleSchema = z.enum(['system', 'user', 'assistant', 'tool']);

/**
 * Config of the `messages` formatter. Either `messages` (a list of `{role, content}` whose
 * contents are templates) or the shorthand `system` / `user` / `assistant` templates; without
 * any, the user turn is the record's first of `question`, `instruction`, `prompt`, `input` and
 * the assistant turn its first of `answer`, `response`, `output`, `completion`.
 */
export const messagesFormatterConfigSchema = z.looseObject({
  type: z.string().optional(),
  system: z.string().optional(),
  user: z.string().optional(),
  assistant: z.string().optional(),
  messages: z.array(z.object({ role: roleSchema, content: z.string() })).optional(),
  /** Record fields copied beside `messages` (e.g. `task_name`, an id). */
  keep: z.array(z.string()).default([]),
});

/** A validated `messages` formatter config. */
export type MessagesFormatterConfig = z.infer<typeof messagesFormatterConfigSchema>;

const USER_FIELDS = ['question', 'instruction', 'prompt', 'input'];
const ASSISTANT_FIELDS = ['answer', 'response', 'output', 'completion'];

function firstField(record: StoredRecord, fields: readonly string[], role: string): string {
  for (const field of fields) {
    const value = record[field];
    if (value !== undefined && value !== null)
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
  throw new DgtError(
    'INVALID_TASK',
    `the messages formatter found no ${role} text in a record (looked for ${fields.join(', ')}; the record has ${Object.keys(record).join(', ')}). Give the formatter a ${role}: template.`,
  );
}

function isMessageList(value: unknown): value is { role: string; content: unknown }[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((m) => typeof m === 'object' && m !== null && roleSchema.safeParse(m.role).success)
  );
}

/**
 * Creates a `messages` formatter: each record becomes a chat-format training record
 * `{messages: [{role, content}, …]}`, the shape OpenAI fine-tuning and most SFT trainers read.
 * Without templates, a record that already has a `messages` list (a conversation) keeps it,
 * with its `conversation_id`.
 *
 * @example
 * const formatter = createMessagesFormatter({ system: 'You answer geography questions.', keep: [] });
 * formatter.apply({ question: 'Capital of Peru?', answer: 'Lima' });
 * // { messages: [{role: 'system', …}, {role: 'user', content: 'Capital of Peru?'}, {role: 'assistant', content: 'Lima'}] }
 */
export function createMessagesFormatter(
  config: MessagesFormatterConfig,
): FormatterImplementationV1 {
  const turns: { role: z.infer<typeof roleSchema>; render: (record: StoredRecord) => string }[] =
    [];
  const compiled = (source: string, where: string): PromptTemplate =>
    compileTemplate(source, `messages formatter ${where}`);
  if (config.messages) {
    for (const [i, message] of config.messages.entries()) {
      const template = compiled(message.content, `messages.${i}.content`);
      turns.push({ role: message.role, render: (record) => template.render(record) });
    }
  } else {
    if (config.system !== undefined) {
      const template = compiled(config.system, 'system');
      turns.push({ role: 'system', render: (record) => template.render(record) });
    }
    const user = config.user !== undefined ? compiled(config.user, 'user') : undefined;
    const assistant =
      config.assistant !== undefined ? compiled(config.assistant, 'assistant') : undefined;
    turns.push({
      role: 'user',
      render: (record) => user?.render(record) ?? firstField(record, USER_FIELDS, 'user'),
    });
    turns.push({
      role: 'assistant',
      render: (record) =>
        assistant?.render(record) ?? firstField(record, ASSISTANT_FIELDS, 'assistant'),
    });
  }
  const templated =
    config.messages !== undefined ||
    config.system !== undefined ||
    config.user !== undefined ||
    config.assistant !== undefined;
  return {
    apply(record) {
      const kept = Object.fromEntries(
        config.keep.filter((field) => field in record).map((field) => [field, record[field]]),
      );
      // A conversation record (DiGiT's `core/conversation`) already holds its chat turns.
      if (!templated && isMessageList(record.messages)) {
        return {
          ...(record.conversation_id !== undefined
            ? { conversation_id: record.conversation_id }
            : {}),
          ...kept,
          messages: record.messages,
        };
      }
      return {
        ...kept,
        messages: turns.map(({ role, render }) => ({ role, content: render(record) })),
      };
    },
  };
}

/** The `messages` formatter type (also DiGiT's `formatters/conversation/messages`). */
export const messagesFormatter = defineFormatter({
  description:
    'Turns each record into chat-format training data: {messages: [{role, content}, …]}.',
  configSchema: messagesFormatterConfigSchema,
  create: createMessagesFormatter,
});
