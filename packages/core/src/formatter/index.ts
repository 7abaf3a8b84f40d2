export { builtinFormatters } from './builtin-formatters.js';
export {
  createMessagesFormatter,
  type MessagesFormatterConfig,
  messagesFormatter,
  messagesFormatterConfigSchema,
} from './messages-formatter.js';
export {
  createNativeFormatter,
  type NativeFormatterConfig,
  nativeFormatter,
  nativeFormatterConfigSchema,
} from './native-formatter.js';
