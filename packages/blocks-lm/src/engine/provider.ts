import type { ChatMessage, LmUsage } from '@dgt/core';
import type { DecodingParams } from '../config.js';
import type { BatchApi } from './batch/batch-api.js';
import type { RequestFailure } from './retry.js';

/** A tool the model may call: a name, what it does, and a JSON Schema of its arguments. */
export type ToolSpec = { name: string; description?: string; parameters: Record<string, unknown> };

/** Whether and which tool the model must call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** A tool call in a reply; `arguments` is the parsed object (the raw string if it did not parse). */
export type ToolCall = { id: string; name: string; arguments: unknown };

/** The log-probability of one generated token, with the most likely alternatives when asked. */
export type TokenLogprob = {
  token: string;
  logprob: number;
  top_logprobs?: Array<{ token: string; logprob: number }>;
};

/** One request as the engine hands it to a provider: input rendered, parameters merged. */
export type ProviderRequest = {
  model: string;
  method: 'chat_completion' | 'completion';
  /** The chat messages (a string input becomes one user message). */
  messages: ChatMessage[];
  /** The completion prompt (chat input becomes its contents joined by blank lines). */
  prompt: string;
  /** Block config merged with the row's `gen_kwargs`, canonical names. */
  params: DecodingParams;
  responseSchema?: { name: string; schema: Record<string, unknown> };
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  /**
   * The row being answered, without its `input` and `gen_kwargs` (read-only), for offline
   * providers that answer from the data (the mock). Not part of the request's identity: wire
   * providers ignore it.
   */
  row?: Readonly<Record<string, unknown>>;
};

/** One completion of a reply. */
export type ProviderChoice = { text: string; toolCalls?: ToolCall[]; logprobs?: TokenLogprob[] };

/** What a provider returns: one choice per requested completion (`n`), and the token usage. */
export type ProviderResponse = { choices: ProviderChoice[]; usage: LmUsage };

/** The provider-specific part of an LM block: one request, and what its errors mean. */
export type LmProvider = {
  /** Provider id used in events and cache keys (`openai`, `ollama`, `mock`). */
  readonly name: string;
  /** Where requests go (base URL, endpoint + deployment): the identity of the server, never a key. */
  readonly endpoint: string;
  /** Sends one request; must give up when `signal` aborts. */
  complete(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse>;
  /** Says whether a thrown error is worth retrying and how long the server asked to wait. */
  describeError(error: unknown): RequestFailure;
  /** The provider's Batch API, when it has one (used by blocks with `batch: true`). */
  batch?: BatchApi;
  close?(): Promise<void>;
};

/** Approximate token count (whitespace-separated words), for servers that report no usage. */
export function estimateTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Parses tool-call arguments sent as a JSON string; keeps the string when it is not JSON. */
export function parseToolArguments(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw ?? {};
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
