export { copiedFraction, dataLeakBlock, dataLeakConfigSchema, wordGrams } from './data-leak.js';
export { embeddingDedupBlock, embeddingDedupConfigSchema } from './embedding-dedup.js';
export { exactDedupBlock, exactDedupConfigSchema, normalizeText } from './exact-dedup.js';
export { fieldMapBlock, fieldMapConfigSchema, valueAtPath } from './field-map.js';
export { flattenFieldBlock, flattenFieldConfigSchema } from './flatten-field.js';
export {
  graniteGuardianBlock,
  graniteGuardianConfigSchema,
  readGuardianVerdict,
} from './granite-guardian.js';
export { jsonSchemaBlock, jsonSchemaConfigSchema } from './json-schema.js';
export { lengthFilterBlock, lengthFilterConfigSchema } from './length-filter.js';
export { lmJudgeBlock, lmJudgeConfigSchema } from './lm-judge.js';
export { contentId, magpieDistanceBlock, magpieDistanceConfigSchema } from './magpie-distance.js';
export { magpieFilterBlock, magpieFilterConfigSchema } from './magpie-filter.js';
export { magpieTagBlock, magpieTagConfigSchema, readTags, tagSubject } from './magpie-tag.js';
export { minhashDedupBlock, minhashDedupConfigSchema } from './minhash-dedup.js';
export { noopBlock } from './noop.js';
export { regexFilterBlock, regexFilterConfigSchema } from './regex-filter.js';
export { rougeScorerBlock, rougeScorerConfigSchema } from './rouge-scorer.js';
export { withLmAlias } from './shared/lm-alias.js';
export { syntaxBlock, syntaxConfigSchema } from './syntax.js';
export { taggerBlock, taggerConfigSchema, tagsSchema } from './tagger.js';
export { toolCallBlock, toolCallConfigSchema } from './tool-call.js';
