// Public API of @dgt/blocks-lm: the LM provider block definitions, their configuration, the
// price table used for cost estimates, and the seam third-party providers are written on
// (`defineLmProvider`, `loadApiKey` and the request/response types).

export { default as anthropicBlock } from './anthropic.js';
export { azureOpenAIConfigSchema, default as azureOpenAIBlock } from './azure-openai.js';
export {
  type CachePolicy,
  type DecodingParams,
  LM_DEFAULTS,
  type LmBlockConfig,
  lmBlockConfigSchema,
  type ModelPrice,
  type ResolvedLmConfig,
} from './config.js';
export type {
  BatchApi,
  BatchItem,
  BatchItemResult,
  BatchLimits,
  BatchStatus,
} from './engine/batch/batch-api.js';
export { BATCH_BLOCK_TYPES, BATCH_PRICE_FACTOR } from './engine/batch/batch-api.js';
export { parseDuration } from './engine/batch/settings.js';
export { resolveCacheDir } from './engine/cache.js';
export {
  type CacheClearFilter,
  type CacheClearResult,
  type CachedModelSummary,
  clearRequestCache,
  describeRequestCache,
  type RequestCacheDescription,
} from './engine/cache-maintenance.js';
export { costOf, MODEL_PRICES, resolvePrice } from './engine/pricing.js';
export type {
  ProviderChoice,
  ProviderRequest,
  ProviderResponse,
  TokenLogprob,
  ToolCall,
  ToolChoice,
  ToolSpec,
} from './engine/provider.js';
export { estimateTokens, parseToolArguments } from './engine/provider.js';
export {
  isRetryableStatus,
  MalformedReply,
  parseRetryAfter,
  type RequestFailure,
} from './engine/retry.js';
export { default as mockBlock } from './mock.js';
export { default as ollamaBlock } from './ollama.js';
export { default as openaiBlock } from './openai.js';
export { findApiKey, type LoadApiKeyOptions, loadApiKey } from './provider/api-key.js';
export {
  defineLmProvider,
  type LmEmbeddings,
  type LmProviderConnection,
  type LmProviderContext,
  type LmProviderDefinition,
} from './provider/define-lm-provider.js';
export {
  describeProviderError,
  ProviderHttpError,
  readHttpError,
} from './provider/http-failure.js';
export { LM_KEY_SPELLINGS, lmRunOptions, PORTABLE_LM_KEYS } from './run-options.js';
export { default as vllmBlock } from './vllm.js';
export { default as watsonxBlock, watsonxConfigSchema } from './watsonx.js';
