import type { FormatterDefinition } from '../contracts/v1/formatter.js';
import { nativeFormatter } from './native-formatter.js';

/** The formatter types core ships, by type id (`native`). A fresh object each call. */
export function builtinFormatters(): Record<string, FormatterDefinition> {
  return { native: nativeFormatter };
}
