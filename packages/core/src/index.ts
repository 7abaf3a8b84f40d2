// Public API of @dgt/core. Each line re-exports one concept; internal helpers stay unexported.
export * from './contracts/index.js';
export * from './errors/dgt-error.js';
export type * from './events/events.js';
export * from './config/builder-schema.js';
export * from './random/seeded-random.js';
