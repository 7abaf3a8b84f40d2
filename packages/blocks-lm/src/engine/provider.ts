import type { ChatMessage, LmUsage } from '@dgt/core';
import type { DecodingParams } from '../config.js';
import type { RequestFailure } from './retry.js';

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
};

/** What a provider returns: one text per requested completion (`n`), and the token usage. */
export type ProviderResponse = { texts: string[]; usage: LmUsage };

/** The provider-specific part of an LM block: one request, and what its errors mean. */
export type LmProvider = {
  /** Provider id used in events (`openai`, `ollama`, `mock`). */
  readonly name: string;
  /** Sends one request; must give up when `signal` aborts. */
  complete(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse>;
  /** Says whether a thrown error is worth retrying and how long the server asked to wait. */
  describeError(error: unknown): RequestFailure;
  close?(): Promise<void>;
};

/** Approximate token count (whitespace-separated words), for servers that report no usage. */
export function estimateTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}
