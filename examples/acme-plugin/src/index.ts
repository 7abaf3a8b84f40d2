// Public API of @acme/dgt-plugin: the builder and block, for programmatic use and tests.
// DGT itself loads them through the "dgt" field of package.json, one subpath each.
export { countWords, wordCountBlock, wordCountConfigSchema } from './blocks/word-count.js';
export { readSlogan, sloganBuilder, sloganSchema, sloganTaskSchema } from './builders/slogan.js';
