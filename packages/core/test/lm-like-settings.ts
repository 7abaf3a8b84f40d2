import type { BlockConfig, BlockSettingsV1, RunSettings, RunSettingsStage } from '../src/index.js';

// Core knows no LM keys; these tests declare, as @dgt/blocks-lm's `lmRunOptions` does, how a
// family of provider-like blocks takes the run-wide flags, so the generic machinery is exercised
// with a realistic declaration. (blocks-lm tests its own value through planRun.)

const PORTABLE = [
  'temperature',
  'max_tokens',
  'max_new_tokens',
  'top_p',
  'stop',
  'stop_sequences',
  'seed',
  'random_seed',
  'n',
  'max_concurrency',
  'call_limit',
  'cache',
];

/** A provider-like family: run-wide flags set `model_id_or_path`, `base_url`, … */
export const lmLikeSettings: BlockSettingsV1 = {
  family: 'lm',
  portableKeys: PORTABLE,
  spellings: [
    ['model_id_or_path', 'model'],
    ['max_tokens', 'max_new_tokens', 'max_completion_tokens'],
    ['stop', 'stop_sequences'],
    ['seed', 'random_seed'],
    ['max_concurrency', 'call_limit'],
  ],
  knownKeys: [...PORTABLE, 'model_id_or_path', 'model', 'base_url', 'api_key'],
  passThroughKeys: [
    'top_k',
    'min_p',
    'num_ctx',
    'repetition_penalty',
    'num_predict',
    'decoding_method',
    'min_new_tokens',
    'batch_size',
    'repeat_penalty',
    'min_tokens',
    'presence_penalty',
    'frequency_penalty',
    'typical_p',
    'init_tokenizer',
    'auto_chat_template',
    'keep_alive',
    'store',
  ],
  extraKeysReach: 'the provider',
  applyRunSettings(config: BlockConfig, settings: RunSettings, stage: RunSettingsStage) {
    if (stage === 'after-overrides')
      return settings.baseUrl && config.base_url === undefined
        ? { ...config, base_url: settings.baseUrl }
        : config;
    const next: BlockConfig = { ...config };
    if (settings.model) next.model_id_or_path = settings.model;
    if (settings.baseUrl) next.base_url = settings.baseUrl;
    if (settings.cache) next.cache = settings.cache;
    if (settings.maxConcurrency) next.max_concurrency = settings.maxConcurrency;
    return next;
  },
};

/** A block that holds another block's config under `lm:` / `lm_config:` (a judge). */
export const lmHolderLikeSettings: BlockSettingsV1 = {
  spellings: [['lm', 'lm_config']],
  nestedBlockKeys: ['lm', 'lm_config'],
};
