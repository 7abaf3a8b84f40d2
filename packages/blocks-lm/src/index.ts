// Public API of @dgt/blocks-lm: the LM provider block definitions and their configuration.

export {
  type DecodingParams,
  LM_DEFAULTS,
  type LmBlockConfig,
  lmBlockConfigSchema,
} from './config.js';
export { default as mockBlock } from './mock.js';
export { default as ollamaBlock } from './ollama.js';
export { default as openaiBlock } from './openai.js';
