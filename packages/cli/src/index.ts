export {
  type CommandDefinition,
  type FlagDefinition,
  type PositionalDefinition,
  RUN_FLAGS,
} from './cli-definition.js';
export {
  COMMANDS,
  INIT_FLAGS,
  LIST_FLAGS,
  VALIDATE_FLAGS,
} from './commands/definitions.js';
export { type CliIo, processIo } from './io.js';
export { main } from './main.js';
