export { type FlagDefinition, RUN_FLAGS } from './cli-definition.js';
export { type CliIo, processIo } from './io.js';
export { main } from './main.js';
