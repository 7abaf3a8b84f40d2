export { exactDedupBlock, exactDedupConfigSchema, normalizeText } from './exact-dedup.js';
export { jsonSchemaBlock, jsonSchemaConfigSchema } from './json-schema.js';
export { lengthFilterBlock, lengthFilterConfigSchema } from './length-filter.js';
export { lmJudgeBlock, lmJudgeConfigSchema } from './lm-judge.js';
export { minhashDedupBlock, minhashDedupConfigSchema } from './minhash-dedup.js';
export { regexFilterBlock, regexFilterConfigSchema } from './regex-filter.js';
export { rougeScorerBlock, rougeScorerConfigSchema } from './rouge-scorer.js';
export { syntaxBlock, syntaxConfigSchema } from './syntax.js';
export { toolCallBlock, toolCallConfigSchema } from './tool-call.js';
