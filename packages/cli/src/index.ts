export { main } from './main.js';
export { processIo, type CliIo } from './io.js';
export { RUN_FLAGS, type FlagDefinition } from './cli-definition.js';
