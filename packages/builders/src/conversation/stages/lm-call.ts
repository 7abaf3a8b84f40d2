import {
  type BoundBlock,
  type ChatMessage,
  type LmCallOptions,
  type LmRow,
  loadTemplate,
  type PromptTemplate,
  packageAsset,
} from '@dgt/core';
import { structuredReply } from '../../shared/structured-reply.js';

const templates = new Map<string, Promise<PromptTemplate>>();

/** A prompt template of the conversation builders (`assets/<folder>/<file>`), loaded once. */
export function stagePrompt(file: string): Promise<PromptTemplate> {
  let loaded = templates.get(file);
  if (!loaded) {
    loaded = loadTemplate(packageAsset(import.meta.url, `assets/${file}`));
    templates.set(file, loaded);
  }
  return loaded;
}

/** The reply of one LM request: its text, its JSON value (when asked for), or why it failed. */
export type LmReply = { text: string; value?: Record<string, unknown>; error?: string };

/**
 * Sends one chat request through an LM block for `taskName` and reads the reply. With a
 * `schema`, the reply's JSON object is in `value` (structured output where the provider has
 * it, else the first JSON object in the text).
 */
export async function askLm(
  lm: BoundBlock,
  taskName: string,
  messages: ChatMessage[],
  schema?: { name: string; schema: Record<string, unknown> },
): Promise<LmReply> {
  const options: LmCallOptions = {
    method: 'chat_completion',
    ...(schema ? { responseSchema: schema } : {}),
  };
  const [row] = (await lm([{ task_name: taskName, input: messages }], options)) as LmRow[];
  if (!row || row.error !== undefined) return { text: '', error: row?.error ?? 'no reply' };
  const text = (row.result ?? '').trim();
  if (!schema) return { text };
  const value = structuredReply(row);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? { text, value: value as Record<string, unknown> }
    : { text, error: `the reply is not the JSON object asked for: ${text.slice(0, 80)}` };
}

/** A reply text cleaned of a role label or quotes the model put around a turn. */
export function cleanTurn(text: string): string {
  let out = text.trim();
  out = out.replace(/^(user|assistant|you)\s*:\s*/i, '');
  if (out.length > 1 && /^["“].*["”]$/s.test(out)) out = out.slice(1, -1).trim();
  return out;
}
