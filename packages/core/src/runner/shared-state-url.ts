import { DgtError } from '../errors/dgt-error.js';
import { redactText } from './redact.js';

/** The environment variable that gives a run its queue when `--queue` is not used. */
export const QUEUE_URL_ENV = 'DGT_QUEUE_URL';

/** A URL with its credentials hidden, fit to print (the run's one redaction, `redactText`). */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** An unparsable URL with whatever comes before its last `@` (maybe a password) hidden. */
function hideCredentials(text: string): string {
  const at = text.lastIndexOf('@');
  return at < 0 ? text : `***${text.slice(at)}`;
}

/**
 * The run's shared-state URL: the `--queue` value when given, else `DGT_QUEUE_URL`, else none.
 * Only Redis URLs (`redis://`, `rediss://` for TLS) are accepted, so a typo fails before any
 * block starts rather than when the first block connects.
 */
export function resolveSharedStateUrl(
  given: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  const source = given !== undefined ? '--queue' : QUEUE_URL_ENV;
  const url = given ?? env[QUEUE_URL_ENV];
  if (url === undefined || url === '') return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new DgtError(
      'USAGE',
      `${source} must be a Redis URL such as redis://localhost:6379 (rediss:// for TLS, redis://:PASSWORD@HOST:PORT/DB with a password), got ${protocol ? redactUrl(url) : JSON.stringify(hideCredentials(url))}.`,
    );
  }
  return url;
}
