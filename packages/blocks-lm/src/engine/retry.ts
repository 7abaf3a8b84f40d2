import { abortReason, onAbort } from './limiter.js';

/** What the engine needs to know about a failed request to decide whether to retry it. */
export type RequestFailure = {
  /** Worth another attempt: 408, 409, 429, 5xx, timeouts and network errors. */
  retryable: boolean;
  /** HTTP status, when the server answered. */
  status?: number;
  /** How long the server asked us to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** A one-line reason, safe to show (no credentials). */
  message: string;
  /** No HTTP answer at all: the connection was refused or the host is unknown. */
  unreachable?: boolean;
};

// Honour Retry-After, but never park a request for longer than this.
const MAX_RETRY_AFTER_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

/** True for statuses worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Reads `retry-after-ms` or `retry-after` (seconds, possibly fractional, or an HTTP date). */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Delay before retry number `attempt` (0-based): the server's Retry-After when it sent one,
 * else exponential backoff from `initialMs` with jitter (between half and all of the step) so
 * that many clients do not retry in lockstep.
 */
export function backoffDelay(attempt: number, initialMs: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  const step = Math.min(MAX_BACKOFF_MS, initialMs * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}

/** Resolves after `ms`; rejects with the abort reason if `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unwatch?.();
      resolve();
    }, ms);
    const unwatch = signal
      ? onAbort(signal, () => {
          clearTimeout(timer);
          reject(abortReason(signal));
        })
      : undefined;
  });
}

/**
 * A reply that is not what the API promises (a truncated body, a proxy's HTML error page):
 * transient, so it is retried like a network error.
 */
export class MalformedReply extends Error {}

/** Throws {@link MalformedReply} unless the SDK's result is an object with a `choices` list. */
export function assertHasChoices<T>(reply: T, what: string): T {
  const choices = (reply as { choices?: unknown } | null)?.choices;
  if (typeof reply !== 'object' || reply === null || !Array.isArray(choices)) {
    const text = typeof reply === 'string' ? reply : JSON.stringify(reply);
    throw new MalformedReply(
      `the server sent a malformed ${what} reply: ${String(text).slice(0, 80)}`,
    );
  }
  return reply;
}
