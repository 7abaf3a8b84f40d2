import type { BlockConfig, BlockSettingsV1, RunSettings, RunSettingsStage } from '@dgt/core';

/**
 * Decoding and engine keys every LM provider block understands. When a block switches provider
 * (`--engine`, or an override changing `type`), these are kept and the old provider's other keys
 * are dropped (Ollama's `num_ctx` would be refused by an OpenAI server).
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
  'requests_per_minute',
  'tokens_per_minute',
  'max_throttle_wait',
  'retry_initial_delay',
  'cache',
] as const;

/**
 * Spellings of one LM setting (canonical first) that DiGiT's files and ours both use. An override
 * written in any spelling replaces the value set in another, so `max_new_tokens: 64` in an
 * override file beats a builder default of `max_tokens: 1024`.
 */
export const LM_KEY_SPELLINGS: readonly (readonly string[])[] = [
  ['model_id_or_path', 'model'],
  ['max_tokens', 'max_new_tokens', 'max_completion_tokens'],
  ['stop', 'stop_sequences'],
  ['seed', 'random_seed'],
  ['max_concurrency', 'call_limit'],
];

/**
 * Real parameters of LM servers and of DiGiT's engines that sit one letter away from a key we
 * know (`top_k`/`top_p`, `min_tokens`/`max_tokens`, …) or that users pass through on purpose.
 * They are never reported as typos, whatever they resemble.
 */
const PROVIDER_PARAMETERS = [
  // Sampling (vLLM, Ollama, TGI, Anthropic, watsonx, Hugging Face).
  'top_k',
  'top_a',
  'top_n',
  'min_p',
  'typical_p',
  'tfs_z',
  'epsilon_cutoff',
  'eta_cutoff',
  'mirostat',
  'mirostat_eta',
  'mirostat_tau',
  'do_sample',
  'num_beams',
  'best_of',
  'use_beam_search',
  'decoding_method',
  // Penalties.
  'repetition_penalty',
  'repeat_penalty',
  'repeat_last_n',
  'presence_penalty',
  'frequency_penalty',
  'length_penalty',
  'no_repeat_ngram_size',
  'penalize_newline',
  'logit_bias',
  // Lengths and stopping.
  'min_tokens',
  'min_new_tokens',
  'max_length',
  'max_time',
  'time_limit',
  'num_predict',
  'stop_token_ids',
  'ignore_eos',
  'include_stop_sequence',
  'include_stop_str_in_output',
  'skip_special_tokens',
  'truncate_input_tokens',
  // Ollama runtime options.
  'num_ctx',
  'num_keep',
  'num_batch',
  'num_gpu',
  'main_gpu',
  'num_thread',
  'keep_alive',
  'format',
  'think',
  // Output shape and other request fields.
  'prompt_logprobs',
  'return_options',
  'response_format',
  'reasoning_effort',
  'service_tier',
  'parallel_tool_calls',
  'guided_json',
  'guided_regex',
  'guided_choice',
  'guided_grammar',
  'store',
  'user',
  'system',
  'thinking',
  'metadata',
  'suffix',
  'echo',
  // DiGiT engine keys (vLLM and Hugging Face backends).
  'batch_size',
  'init_tokenizer',
  'auto_chat_template',
];

/** What the run-wide flags mean for an LM block entry (see {@link lmRunOptions}). */
function applyLmRunSettings(
  config: BlockConfig,
  settings: RunSettings,
  stage: RunSettingsStage,
): BlockConfig {
  if (stage === 'after-overrides') {
    // An override that changed the block's type dropped the old provider's keys, `base_url`
    // among them: `--base-url` still holds for the run, unless the override set its own URL.
    return settings.baseUrl && config.base_url === undefined
      ? { ...config, base_url: settings.baseUrl }
      : config;
  }
  const next: BlockConfig = { ...config };
  if (settings.model) next.model_id_or_path = settings.model;
  if (settings.baseUrl) next.base_url = settings.baseUrl;
  if (settings.cache) next.cache = settings.cache;
  if (settings.batch) next.batch = true;
  if (settings.batch && settings.batchMaxCostUsd !== undefined)
    next.batch_max_cost_usd = settings.batchMaxCostUsd;
  if (settings.maxConcurrency) next.max_concurrency = settings.maxConcurrency;
  return next;
}

/**
 * How every LM provider block takes the run-wide flags and which YAML keys it knows: the one
 * value each LM block definition carries as its `settings`. Core applies `--engine`, `--model`,
 * `--base-url`, `--max-concurrency`, `--no-cache` and `--batch` through it, keeps the portable
 * keys when a block changes provider, merges override files across DiGiT's spellings, and warns
 * about misspelled keys (never about real server parameters such as `top_k`).
 */
export const lmRunOptions: BlockSettingsV1 = {
  family: 'lm',
  portableKeys: PORTABLE_LM_KEYS,
  spellings: LM_KEY_SPELLINGS,
  knownKeys: [...PORTABLE_LM_KEYS, 'model_id_or_path', 'model', 'base_url', 'api_key'],
  passThroughKeys: PROVIDER_PARAMETERS,
  extraKeysReach: 'the provider',
  applyRunSettings: applyLmRunSettings,
};
