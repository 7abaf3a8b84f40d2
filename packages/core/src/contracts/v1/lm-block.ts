import type { BlockRow } from './data-point.js';

/** A chat message as LM provider blocks accept it. */
export type ChatMessage = {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
};

/**
 * A row for an LM provider block: `input` is a prompt string (completion) or chat messages,
 * `gen_kwargs` overrides decoding parameters for this row. The block writes `result` (the text of
 * the reply), `parsed` (the reply parsed as JSON when a response schema was asked for and it
 * parsed), and `usage`. Any other fields (e.g. `reference`) pass through untouched.
 */
export type LmRow = BlockRow & {
  input: string | ChatMessage[];
  gen_kwargs?: Record<string, unknown>;
  result?: string;
  /** All reply texts when `n > 1` (`result` is the first). */
  results?: string[];
  parsed?: unknown;
  /** Why the reply did not match the requested schema (after the repair attempt). */
  parse_error?: string;
  /** Tool calls the model made, with their arguments parsed. */
  tool_calls?: LmToolCall[];
  /** Token log-probabilities, where the provider returns them. */
  logprobs?: unknown;
  usage?: LmUsage;
  /** Why the request failed after all retries (then `result` is absent). */
  error?: string;
};

/** A tool call made by the model. */
export type LmToolCall = { id?: string; name: string; arguments: unknown };

/** Token usage of one LM request. */
export type LmUsage = { prompt_tokens: number; completion_tokens: number };

/** Options of one call of an LM provider block, shared by every provider. */
export type LmCallOptions = {
  /** `chat_completion` (default, messages) or `completion` (a prompt string). */
  method?: 'chat_completion' | 'completion';
  /**
   * Ask for JSON matching this JSON Schema, through the provider's structured output where it
   * has one (OpenAI `response_format`, Ollama `format`); the reply is parsed into `row.parsed`.
   */
  responseSchema?: { name: string; schema: Record<string, unknown> };
  /** Tools the model may call, as JSON Schema function specs (`{name, description, parameters}`). */
  tools?: { name: string; description?: string; parameters?: Record<string, unknown> }[];
  /** `auto`, `none`, `required`, or the name of the tool to call. */
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
};
