import { DgtError } from '@dgt/core';
import { z } from 'zod';
import { type BatchSettings, resolveBatchSettings } from './engine/batch/settings.js';

const positiveInt = z.number().int().positive();
const stopSchema = z.union([z.string(), z.array(z.string())]);

/**
 * Whether a server URL names its scheme: `localhost:8000/v1` parses as a URL of scheme
 * `localhost:`, which no client can reach.
 */
export function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Configuration of every LM provider block, as written in a builder YAML. Keys are DiGiT's
 * (`model_id_or_path`, `max_new_tokens`, `call_limit`, …) with the common aliases accepted.
 * Unknown keys are kept and sent to the provider as extra decoding parameters (for Ollama, inside
 * `options`).
 */
export const lmBlockConfigSchema = z.looseObject({
  model_id_or_path: z
    .string()
    .min(1)
    .optional()
    .describe('The model name (`gpt-4o-mini`, `llama3.2:1b`). Alias: `model`.'),
  model: z.string().min(1).optional().describe('Alias of `model_id_or_path`.'),
  base_url: z
    .string()
    .min(1)
    .refine(isHttpUrl, {
      message: 'must be a URL starting with http:// or https://, e.g. http://localhost:8000/v1',
    })
    .optional()
    .describe(
      'Server URL (http:// or https://): an OpenAI-compatible `/v1` root, or the Ollama host.',
    ),
  api_key: z
    .string()
    .optional()
    .describe("API key; falls back to the provider's environment variable. Never logged."),
  temperature: z
    .number()
    .min(0)
    .optional()
    .describe('Sampling temperature; 0 picks the likeliest tokens.'),
  max_tokens: positiveInt
    .optional()
    .describe('Most tokens to generate. Aliases: `max_new_tokens`, `max_completion_tokens`.'),
  max_new_tokens: positiveInt.optional().describe('Alias of `max_tokens` (DiGiT).'),
  max_completion_tokens: positiveInt.optional().describe('Alias of `max_tokens` (OpenAI).'),
  top_p: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Nucleus sampling: keep the likeliest tokens up to this probability mass.'),
  stop: stopSchema.optional().describe('Stop sequences. Alias: `stop_sequences`.'),
  stop_sequences: stopSchema.optional().describe('Alias of `stop`.'),
  seed: z.number().int().optional().describe('Sampling seed. Alias: `random_seed`.'),
  random_seed: z.number().int().optional().describe('Alias of `seed`.'),
  n: positiveInt.optional().describe('Completions per request; extra ones go to `row.results`.'),
  decoding_method: z
    .enum(['greedy', 'sample'])
    .optional()
    .describe("DiGiT's `greedy` means temperature 0 when no temperature is set."),
  num_ctx: positiveInt.optional().describe('Context window (Ollama `num_ctx`).'),
  timeout: z
    .number()
    .positive()
    .optional()
    .describe('Per-request timeout in seconds (default 120).'),
  max_concurrency: positiveInt
    .optional()
    .describe('Most requests in flight at once for this block (default 8). Alias: `call_limit`.'),
  call_limit: positiveInt.optional().describe('Alias of `max_concurrency` (DiGiT).'),
  max_retries: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Retries after a 429, a 5xx, a timeout or a network error (default 4).'),
  retry_initial_delay: z
    .number()
    .min(0)
    .optional()
    .describe(
      'First backoff delay in seconds, doubled on each retry, when the server sends no Retry-After (default 0.5).',
    ),
  requests_per_minute: z
    .number()
    .positive()
    .optional()
    .describe('Most requests per minute to this endpoint (shared by every block using it).'),
  tokens_per_minute: z
    .number()
    .positive()
    .optional()
    .describe(
      'Most tokens (prompt + max_tokens, corrected by reported usage) per minute to this endpoint.',
    ),
  max_throttle_wait: z
    .number()
    .min(0)
    .optional()
    .describe(
      'Longest total time a request keeps retrying 429/503 throttling, in seconds (default 600).',
    ),
  cache: z
    .enum(['on', 'off', 'read', 'refresh'])
    .optional()
    .describe(
      'Request cache: `on` (read and write, the default for real providers), `off`, `read` (read, never write) or `refresh` (never read, always write).',
    ),
  pricing: z
    .object({ input_per_million: z.number().min(0), output_per_million: z.number().min(0) })
    .optional()
    .describe(
      'Price of this model in USD per million tokens (`input_per_million`, `output_per_million`), overriding the built-in table.',
    ),
  logprobs: z
    .boolean()
    .optional()
    .describe(
      'Ask for token log-probabilities where the provider has them (written to `row.logprobs`).',
    ),
  extra_headers: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      'Extra HTTP headers sent with every request (OpenAI-compatible servers, watsonx, Anthropic).',
    ),
  extra_body: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Extra fields merged into every request body (e.g. vLLM's `guided_choice`)."),
  top_logprobs: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('With `logprobs`: how many alternatives to return per token.'),
  batch: z
    .boolean()
    .optional()
    .describe(
      "Send requests through the provider's Batch API (OpenAI, Azure OpenAI, Anthropic) at its batch price; other providers run online with a notice. `dgt run --batch` sets it on every LM block.",
    ),
  batch_deadline: z
    .union([z.string().min(1), z.number().positive()])
    .optional()
    .describe(
      'A batch still unfinished this long after submission (`2h`, `30m`, or seconds) is cancelled and its requests sent online.',
    ),
  batch_gather_window: z
    .number()
    .min(0)
    .optional()
    .describe(
      'Seconds without a new request before the gathered requests are sent as a batch (default 2).',
    ),
  batch_poll_interval: z
    .number()
    .positive()
    .optional()
    .describe('Seconds before the first status check of a batch (default 5), growing to 60.'),
  batch_max_requests: positiveInt
    .optional()
    .describe("Most requests per batch, below the provider's limit."),
  batch_max_bytes: positiveInt
    .optional()
    .describe("Largest batch input in bytes, below the provider's limit."),
  batch_max_cost_usd: z
    .number()
    .positive()
    .optional()
    .describe(
      'Per-task budget in USD: a batch whose worst-case cost could pass it is not submitted (`--max-cost` with `--batch`).',
    ),
});

/** A builder YAML's LM block configuration (input of {@link lmBlockConfigSchema}). */
export type LmBlockConfig = z.infer<typeof lmBlockConfigSchema>;

/** Decoding parameters in canonical names; unknown extra keys pass through. */
export type DecodingParams = {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
  n?: number;
  num_ctx?: number;
  [extra: string]: unknown;
};

/** An LM block's configuration with aliases resolved and defaults applied. */
export type ResolvedLmConfig = {
  model: string;
  baseUrl?: string;
  apiKey?: string;
  params: DecodingParams;
  timeoutMs: number;
  maxConcurrency: number;
  maxRetries: number;
  retryInitialDelayMs: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  maxThrottleWaitMs: number;
  cache: CachePolicy;
  pricing?: ModelPrice;
  /** Batch mode settings, when the block runs in batch mode. */
  batch?: BatchSettings;
};

/** Request-cache policy of a block. */
export type CachePolicy = 'on' | 'off' | 'read' | 'refresh';

/** A model's price in US dollars per million tokens. */
export type ModelPrice = { input_per_million: number; output_per_million: number };

/** Defaults of the engine settings. */
export const LM_DEFAULTS = {
  timeoutSeconds: 120,
  maxConcurrency: 8,
  maxRetries: 4,
  retryInitialDelaySeconds: 0.5,
  maxThrottleWaitSeconds: 600,
} as const;

// Keys that configure the block or the runner, never sent to the provider.
const NON_DECODING_KEYS = new Set([
  'name',
  'type',
  'input_map',
  'output_map',
  'filter',
  'description',
  'model_id_or_path',
  'model',
  'base_url',
  'api_key',
  'timeout',
  'max_concurrency',
  'call_limit',
  'max_retries',
  'retry_initial_delay',
  'requests_per_minute',
  'tokens_per_minute',
  'max_throttle_wait',
  'cache',
  'pricing',
  'decoding_method',
  // Provider connection keys (azure-openai, watsonx).
  'endpoint',
  'deployment',
  'api_version',
  'project_id',
  'space_id',
  'iam_url',
  'extra_headers',
  'batch_deployment',
  // Batch mode.
  'batch',
  'batch_deadline',
  'batch_gather_window',
  'batch_poll_interval',
  'batch_max_requests',
  'batch_max_bytes',
  'batch_max_cost_usd',
  // DiGiT keys without an equivalent in HTTP APIs.
  'batch_size',
  'init_tokenizer',
  'auto_chat_template',
  'min_new_tokens',
  'blocks',
]);

const ALIASES: Record<string, keyof DecodingParams> = {
  max_new_tokens: 'max_tokens',
  max_completion_tokens: 'max_tokens',
  stop_sequences: 'stop',
  random_seed: 'seed',
};

/**
 * Maps decoding parameters (from the block config or a row's `gen_kwargs`) to canonical names.
 * Canonical keys win over their aliases; non-decoding keys are dropped.
 */
export function resolveDecoding(source: Record<string, unknown> | undefined): DecodingParams {
  const out: DecodingParams = {};
  if (!source) return out;
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || value === null || NON_DECODING_KEYS.has(key)) continue;
    if (key === 'extra_body' && typeof value === 'object') {
      Object.assign(out, value);
      continue;
    }
    const canonical = ALIASES[key] ?? key;
    if (canonical !== key && source[canonical] !== undefined && source[canonical] !== null)
      continue;
    out[canonical] = canonical === 'stop' && typeof value === 'string' ? [value] : value;
  }
  if (source.decoding_method === 'greedy' && out.temperature === undefined) out.temperature = 0;
  return out;
}

/**
 * Resolves aliases and defaults of an LM block config. Throws a `DgtError` (INVALID_BLOCK_CONFIG)
 * naming the block and the key when the model is missing and there is no default.
 */
export function resolveLmConfig(
  config: LmBlockConfig & { name: string; type: string },
  defaults: { model?: string; cache?: CachePolicy } = {},
): ResolvedLmConfig {
  const model = config.model_id_or_path ?? config.model ?? defaults.model;
  if (!model) {
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `Block "${config.name}" (type ${config.type}): missing key "model_id_or_path" — set it to the model to call (e.g. model_id_or_path: llama3.2:1b), or with --engine on the command line also give --model.`,
    );
  }
  return {
    model,
    ...(config.base_url ? { baseUrl: config.base_url } : {}),
    ...(config.api_key ? { apiKey: config.api_key } : {}),
    params: resolveDecoding(config),
    timeoutMs: (config.timeout ?? LM_DEFAULTS.timeoutSeconds) * 1000,
    maxConcurrency: config.max_concurrency ?? config.call_limit ?? LM_DEFAULTS.maxConcurrency,
    maxRetries: config.max_retries ?? LM_DEFAULTS.maxRetries,
    retryInitialDelayMs:
      (config.retry_initial_delay ?? LM_DEFAULTS.retryInitialDelaySeconds) * 1000,
    ...(config.requests_per_minute ? { requestsPerMinute: config.requests_per_minute } : {}),
    ...(config.tokens_per_minute ? { tokensPerMinute: config.tokens_per_minute } : {}),
    maxThrottleWaitMs: (config.max_throttle_wait ?? LM_DEFAULTS.maxThrottleWaitSeconds) * 1000,
    cache: config.cache ?? defaults.cache ?? 'on',
    ...(config.pricing ? { pricing: config.pricing } : {}),
    ...(config.batch ? { batch: resolveBatchSettings(config, config.name) } : {}),
  };
}
