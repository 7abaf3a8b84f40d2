export { exactDedupBlock, exactDedupConfigSchema, normalizeText } from './exact-dedup.js';
