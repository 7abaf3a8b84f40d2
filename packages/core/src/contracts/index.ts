// The plugin contract: plain types and the helpers that brand and check them. Nothing here
// imports from the rest of core (contracts-imports.test.ts fails if something does), so v1
// changes only on purpose.
export * from './adapt.js';
export * from './define.js';
export * from './guards.js';
export type * from './v1/block.js';
export type * from './v1/block-events.js';
export type * from './v1/block-settings.js';
export type * from './v1/builder.js';
export type * from './v1/builder-config.js';
export type * from './v1/data-point.js';
export type * from './v1/dataloader.js';
export type * from './v1/datastore.js';
export type * from './v1/embedding.js';
export type * from './v1/formatter.js';
export type * from './v1/lm-block.js';
export type * from './v1/manifest.js';
export type * from './v1/random.js';
export type * from './v1/standard-schema.js';
export type * from './v1/validator.js';
