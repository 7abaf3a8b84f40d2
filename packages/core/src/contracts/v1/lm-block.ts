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
  parsed?: unknown;
  usage?: LmUsage;
};

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
};

/**
 * Decoding keys every LM provider understands. When a block switches provider (`--engine`, or an
 * override changing `type`), these are kept and the old provider's other keys are dropped.
 */
export const PORTABLE_LM_KEYS = [
  'temperature',
  'max_tokens',
  'max_new_tokens',
  'max_completion_tokens',
  'top_p',
  'stop',
  'stop_sequences',
  'seed',
  'random_seed',
  'n',
  'max_concurrency',
  'call_limit',
  'max_retries',
  'timeout',
] as const;
