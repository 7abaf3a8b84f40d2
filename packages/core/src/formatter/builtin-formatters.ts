import type { FormatterDefinition } from '../contracts/v1/formatter.js';
import { messagesFormatter } from './messages-formatter.js';
import { nativeFormatter } from './native-formatter.js';

/**
 * The formatter types core ships, by type id, with DiGiT's ids as aliases (`formatters/native`,
 * `formatters/template`, `formatters/conversation/messages`). A fresh object each call.
 */
export function builtinFormatters(): Record<string, FormatterDefinition> {
  return {
    native: nativeFormatter,
    'formatters/native': nativeFormatter,
    'formatters/template': nativeFormatter,
    messages: messagesFormatter,
    'formatters/conversation/messages': messagesFormatter,
  };
}
