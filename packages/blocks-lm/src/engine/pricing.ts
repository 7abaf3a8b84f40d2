import { readFileSync } from 'node:fs';
import { DgtError } from '@dgt/core';
import type { ModelPrice } from '../config.js';

/**
 * List prices in US dollars per million tokens (input, output) of common hosted models, matched
 * by the longest prefix of the model id (so dated ids like `gpt-4o-2024-08-06` or
 * `claude-3-5-haiku-20241022` find their family). Estimates only: cached-input discounts, batch
 * pricing and regional prices are not modelled. Extend with the block key `pricing` or a
 * `DGT_PRICES_FILE`.
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  'gpt-5': price(1.25, 10),
  'gpt-5-mini': price(0.25, 2),
  'gpt-5-nano': price(0.05, 0.4),
  'gpt-4.1': price(2, 8),
  'gpt-4.1-mini': price(0.4, 1.6),
  'gpt-4.1-nano': price(0.1, 0.4),
  'gpt-4o': price(2.5, 10),
  'gpt-4o-mini': price(0.15, 0.6),
  'gpt-4-turbo': price(10, 30),
  'gpt-4': price(30, 60),
  'gpt-3.5-turbo': price(0.5, 1.5),
  o1: price(15, 60),
  'o1-mini': price(1.1, 4.4),
  o3: price(2, 8),
  'o3-mini': price(1.1, 4.4),
  'o4-mini': price(1.1, 4.4),
  // Google Gemini (prompts up to 200k tokens)
  'gemini-2.5-pro': price(1.25, 10),
  'gemini-2.5-flash': price(0.3, 2.5),
  'gemini-2.5-flash-lite': price(0.1, 0.4),
  'gemini-2.0-flash': price(0.1, 0.4),
  'gemini-2.0-flash-lite': price(0.075, 0.3),
  // Anthropic
  'claude-opus-4-5': price(5, 25),
  'claude-opus-4-1': price(15, 75),
  'claude-opus-4': price(15, 75),
  'claude-sonnet-4-5': price(3, 15),
  'claude-sonnet-4': price(3, 15),
  'claude-haiku-4-5': price(1, 5),
  'claude-3-7-sonnet': price(3, 15),
  'claude-3-5-sonnet': price(3, 15),
  'claude-3-5-haiku': price(0.8, 4),
  'claude-3-opus': price(15, 75),
  'claude-3-haiku': price(0.25, 1.25),
};

function price(input: number, output: number): ModelPrice {
  return { input_per_million: input, output_per_million: output };
}

const fileTables = new Map<string, Record<string, ModelPrice>>();

function isPrice(value: unknown): value is ModelPrice {
  const v = value as ModelPrice;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof v.input_per_million === 'number' &&
    typeof v.output_per_million === 'number'
  );
}

/**
 * Reads a `DGT_PRICES_FILE`: a JSON object mapping model ids (or prefixes) to
 * `{ input_per_million, output_per_million }`. Throws a DgtError naming the file and the entry
 * when it is malformed.
 */
export function loadPriceFile(path: string): Record<string, ModelPrice> {
  const known = fileTables.get(path);
  if (known) return known;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DgtError(
      'DATA_FILE',
      `DGT_PRICES_FILE ${path}: ${(error as Error).message}. It must be a JSON object mapping model ids to { "input_per_million": n, "output_per_million": n }.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DgtError('DATA_FILE', `DGT_PRICES_FILE ${path}: expected a JSON object`);
  }
  for (const [model, value] of Object.entries(parsed)) {
    if (!isPrice(value)) {
      throw new DgtError(
        'DATA_FILE',
        `DGT_PRICES_FILE ${path}: entry "${model}" must be { "input_per_million": n, "output_per_million": n }`,
      );
    }
  }
  const table = parsed as Record<string, ModelPrice>;
  fileTables.set(path, table);
  return table;
}

function longestPrefix(
  table: Readonly<Record<string, ModelPrice>>,
  model: string,
): ModelPrice | undefined {
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (model.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

/**
 * The price of a model: the block's `pricing` key, else the `DGT_PRICES_FILE` table, else the
 * built-in {@link MODEL_PRICES}; `undefined` when none knows it. A provider prefix such as
 * `openai/gpt-4o` is ignored when matching.
 */
export function resolvePrice(
  model: string,
  explicit: ModelPrice | undefined,
  env: Record<string, string | undefined>,
): ModelPrice | undefined {
  if (explicit) return explicit;
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  const file = env.DGT_PRICES_FILE ? loadPriceFile(env.DGT_PRICES_FILE) : undefined;
  for (const table of [file, MODEL_PRICES]) {
    if (!table) continue;
    const found = table[model] ?? longestPrefix(table, model) ?? longestPrefix(table, bare);
    if (found) return found;
  }
  return undefined;
}

/** The cost in US dollars of a request's tokens at `price`. */
export function costOf(price: ModelPrice, promptTokens: number, completionTokens: number): number {
  return (
    (promptTokens * price.input_per_million + completionTokens * price.output_per_million) / 1e6
  );
}
