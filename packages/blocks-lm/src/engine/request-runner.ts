import { DgtError } from '@dgt/core';
import type { ResolvedLmConfig } from '../config.js';
import type { EndpointGate } from './endpoint.js';
import { abortReason, type ConcurrencyLimiter, onAbort } from './limiter.js';
import type { LmProvider, ProviderRequest, ProviderResponse } from './provider.js';
import { backoffDelay, MalformedReply, type RequestFailure, sleep } from './retry.js';

/** The error that ends a run whose LM server cannot be reached at all. */
function unreachable(reason: string): DgtError {
  return new DgtError(
    'LM_UNREACHABLE',
    `${reason}. Check that the server is running and the URL is right (base_url, --base-url, OLLAMA_HOST).`,
  );
}

/** A request that ran past the block's `timeout`: retried like a network error. */
class TimeoutFailure extends Error {}

/** The outcome of a request after retries: a response, or the reason it failed for good. */
export type Executed =
  | { ok: true; response: ProviderResponse; retries: number }
  | { ok: false; failure: RequestFailure; retries: number };

/** Throttling answers: the server is alive but wants fewer or slower requests. */
function isThrottle(failure: RequestFailure): boolean {
  // 529 is Anthropic's "overloaded".
  return failure.status === 429 || failure.status === 503 || failure.status === 529;
}

/** Rough size of a request in tokens for the tokens-per-minute budget: 4 characters a token. */
export function estimateRequestTokens(request: ProviderRequest): number {
  const chars =
    request.method === 'completion'
      ? request.prompt.length
      : request.messages.reduce((sum, m) => sum + m.content.length, 0);
  return Math.ceil(chars / 4) + (request.params.max_tokens ?? 512) * (request.params.n ?? 1);
}

/**
 * Sends requests of one block: each waits for a slot of the block (`max_concurrency`) and of the
 * shared endpoint (window, rate and token budgets), runs with a timeout, and is retried: throttles
 * (429, or 503 with Retry-After) for as long as `max_throttle_wait` allows, other transient errors up to
 * `max_retries` times, with exponential backoff and jitter unless the server said how long to
 * wait. Non-retryable errors end at once.
 */
export function createRequestRunner(
  provider: LmProvider,
  config: ResolvedLmConfig,
  limiter: ConcurrencyLimiter,
  endpoint: EndpointGate,
) {
  async function attempt(
    request: ProviderRequest,
    signal?: AbortSignal,
  ): Promise<ProviderResponse> {
    // One controller per request, aborted by its timeout or by the run's signal (cheaper than
    // AbortSignal.any, which keeps weak references on the run's long-lived signal).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(
        new DOMException(`timed out after ${config.timeoutMs / 1000}s`, 'TimeoutError'),
      );
    }, config.timeoutMs);
    const unwatch = signal ? onAbort(signal, () => controller.abort(signal.reason)) : undefined;
    try {
      return await provider.complete(request, controller.signal);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (timedOut) {
        throw new TimeoutFailure(`request timed out after ${config.timeoutMs / 1000}s`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      unwatch?.();
    }
  }

  function describe(error: unknown): RequestFailure {
    if (error instanceof TimeoutFailure) return { retryable: true, message: error.message };
    // A truncated or non-JSON body (a proxy's error page, a dropped connection mid-reply) is
    // transient, whichever SDK was parsing it.
    if (error instanceof MalformedReply) return { retryable: true, message: error.message };
    if (error instanceof SyntaxError) {
      return {
        retryable: true,
        message: `the server sent a reply that is not valid JSON (${error.message})`,
      };
    }
    return provider.describeError(error);
  }

  async function once(
    request: ProviderRequest,
    estimate: number,
    signal: AbortSignal | undefined,
    waitSignal: AbortSignal | undefined,
  ): Promise<{ response: ProviderResponse } | { failure: RequestFailure }> {
    const lease = await endpoint.acquire(estimate, waitSignal);
    try {
      const response = await attempt(request, signal);
      lease.done({
        kind: 'ok',
        tokens: response.usage.prompt_tokens + response.usage.completion_tokens,
      });
      return { response };
    } catch (error) {
      if (signal?.aborted) {
        lease.done({ kind: 'failed' });
        throw abortReason(signal);
      }
      const failure = describe(error);
      lease.done(
        isThrottle(failure)
          ? {
              kind: 'throttled',
              ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
            }
          : { kind: 'failed' },
      );
      return { failure };
    }
  }

  /**
   * Sends `request` with retries. `signal` cancels it at any point; `waitSignal` (default
   * `signal`) only while it has not been sent: waiting for a slot or between retries, so a run
   * that is stopping sends nothing new but lets requests under way finish.
   */
  return async function execute(
    request: ProviderRequest,
    signal?: AbortSignal,
    waitSignal: AbortSignal | undefined = signal,
  ): Promise<Executed> {
    const estimate = estimateRequestTokens(request);
    const started = performance.now();
    let retries = 0;
    let errorRetries = 0;
    let throttles = 0;
    for (;;) {
      if (endpoint.unreachableReason) throw unreachable(endpoint.unreachableReason);
      const result = await limiter.run(
        () => once(request, estimate, signal, waitSignal),
        waitSignal,
      );
      if ('response' in result) {
        endpoint.reached = true;
        return { ok: true, response: result.response, retries };
      }
      const { failure } = result;
      // A server that has never answered and refuses the connection twice is not coming: fail
      // the whole run fast with its address, instead of retrying every request for minutes.
      if (failure.unreachable && !endpoint.reached && errorRetries >= 1) {
        endpoint.unreachableReason ??= failure.message;
        throw unreachable(endpoint.unreachableReason);
      }
      if (!failure.retryable) return { ok: false, failure, retries };
      let wait: number;
      // Rate limiting is waited out for up to max_throttle_wait; a bare 503 may be a server that
      // is down, so it counts as an error unless the server said when to come back.
      const patient =
        failure.status === 429 || (failure.status === 503 && failure.retryAfterMs !== undefined);
      if (patient) {
        wait = backoffDelay(throttles++, config.retryInitialDelayMs, failure.retryAfterMs);
        if (performance.now() - started + wait > config.maxThrottleWaitMs) {
          return { ok: false, failure, retries };
        }
      } else {
        if (errorRetries >= config.maxRetries) return { ok: false, failure, retries };
        wait = backoffDelay(errorRetries++, config.retryInitialDelayMs, failure.retryAfterMs);
      }
      await sleep(wait, waitSignal);
      retries++;
    }
  };
}
