export { builtinFormatters } from './builtin-formatters.js';
export {
  createNativeFormatter,
  type NativeFormatterConfig,
  nativeFormatter,
  nativeFormatterConfigSchema,
} from './native-formatter.js';
