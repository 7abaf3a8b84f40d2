import {
  isRetryableStatus,
  MalformedReply,
  parseRetryAfter,
  type RequestFailure,
} from '../engine/retry.js';

/**
 * An HTTP answer that is not a reply, as a provider throws it from `complete`: the status, the
 * server's message, and how long it asked to wait. The engine retries it when the status is
 * 408, 409, 429 or 5xx (or `retryable` says so).
 */
export class ProviderHttpError extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;
  constructor(options: {
    status: number;
    message: string;
    retryAfterMs?: number;
    /** Overrides the status' default (e.g. a 400 the provider knows is transient). */
    retryable?: boolean;
  }) {
    super(options.message);
    this.name = 'ProviderHttpError';
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable ?? isRetryableStatus(options.status);
  }
}

/**
 * Reads a failed `fetch` response into a {@link ProviderHttpError}: the message from the body
 * (`pick` chooses it from the parsed JSON; else the start of the text) and the wait from the
 * `Retry-After` / `retry-after-ms` headers unless `retryAfterMs` finds one in the body.
 */
export async function readHttpError(
  response: Response,
  options: {
    /** The server's name for messages ("Gemini"). */
    what: string;
    pick?: (body: unknown) => string | undefined;
    retryAfterMs?: (body: unknown) => number | undefined;
  },
): Promise<ProviderHttpError> {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const picked = body === undefined ? undefined : options.pick?.(body);
  const message =
    picked ?? (text.trim().slice(0, 200) || `${options.what} answered HTTP ${response.status}`);
  const retryAfterMs =
    (body === undefined ? undefined : options.retryAfterMs?.(body)) ??
    parseRetryAfter(response.headers);
  return new ProviderHttpError({
    status: response.status,
    message,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/**
 * The classification a provider gets when it defines no `describeError`: a
 * {@link ProviderHttpError} by its status, a reply that is not what the API promises
 * (`MalformedReply`, a JSON parse error) as transient, a `fetch` network failure as transient
 * and unreachable (so a server that never answered fails the run fast), anything else as final.
 */
export function describeProviderError(error: unknown, endpoint: string): RequestFailure {
  if (error instanceof ProviderHttpError) {
    return {
      retryable: error.retryable,
      status: error.status,
      message: error.message,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  }
  if (error instanceof MalformedReply || error instanceof SyntaxError) {
    return { retryable: true, message: error.message };
  }
  // undici's fetch throws `TypeError: fetch failed` with the socket error as its cause.
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return {
      retryable: true,
      unreachable: true,
      message: `cannot reach ${endpoint}: ${error.message}${cause}`,
    };
  }
  // The connection closed while the body was being read.
  if (error instanceof TypeError && error.message === 'terminated') {
    return { retryable: true, message: `${endpoint} closed the connection mid-reply` };
  }
  return { retryable: false, message: error instanceof Error ? error.message : String(error) };
}
