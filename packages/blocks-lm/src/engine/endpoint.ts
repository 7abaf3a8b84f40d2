import { createHash } from 'node:crypto';
import { abortReason, onAbort } from './limiter.js';

/** The limits one block asks of an endpoint. */
export type EndpointLimits = {
  maxConcurrency: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
};

/** How a request admitted by {@link Endpoint.acquire} ended, for the endpoint to adapt. */
export type RequestOutcome =
  | { kind: 'ok'; tokens?: number }
  | { kind: 'throttled'; retryAfterMs?: number }
  | { kind: 'failed' };

/** A slot on an endpoint: call `done` exactly once when the request has ended. */
export type Lease = { done(outcome: RequestOutcome): void };

/**
 * What the request runner needs of an endpoint: slots to send requests in, and whether the server
 * was ever reached. {@link Endpoint} keeps them in the process; `SharedEndpoint` also holds them
 * across processes through Redis.
 */
export type EndpointGate = {
  /** Waits for a slot for a request of about `tokens` tokens; rejects when `signal` aborts. */
  acquire(tokens: number, signal?: AbortSignal): Promise<Lease>;
  /** Some request to this server has succeeded in this process. */
  reached: boolean;
  /** Set once the server was found unreachable before ever answering: later requests fail fast. */
  unreachableReason: string | undefined;
};

/** The budgets the blocks registered on an endpoint add up to (see {@link Endpoint.budgets}). */
export type EndpointBudgets = {
  maxConcurrency: number;
  requestsPerSecond?: number;
  tokensPerSecond?: number;
};

type Waiter = {
  tokens: number;
  admit(lease: Lease): void;
};

/** A token bucket refilled continuously at `rate` per second, holding at most `capacity`. */
class Bucket {
  level: number;
  private last = performance.now();

  constructor(
    public rate: number,
    public capacity: number,
  ) {
    this.level = capacity;
  }

  refill(now: number): void {
    this.level = Math.min(this.capacity, this.level + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** Milliseconds until `amount` is available (0 if now); a request larger than the bucket waits for a full one. */
  waitFor(amount: number, now: number): number {
    this.refill(now);
    const need = Math.min(amount, this.capacity);
    if (this.level >= need) return 0;
    return Math.max(1, Math.ceil(((need - this.level) / this.rate) * 1000));
  }
}

// Never let the learned rate fall below this (requests per second).
const MIN_RATE = 0.2;
// After a throttle, the learned rate starts this far below what the server accepted.
const RATE_BACKOFF = 0.9;

/**
 * The shared state of one endpoint (provider + base URL + key): requests from every block and
 * block instance of the process that talk to it pass through here. It admits requests in arrival
 * order while all of these hold: fewer in flight than the adaptive concurrency window, no
 * server-requested pause (Retry-After) running, and the request and token budgets
 * (`requests_per_minute`, `tokens_per_minute`, and a rate learned from 429s) allow it.
 *
 * Adaptation is AIMD, as in TCP: a 429/503 on a request issued after the last cut halves the
 * concurrency window and sets the learned rate just under the rate the server was accepting;
 * each success raises the window by 1/window and the learned rate by about 5% (at least one
 * request per second) per second.
 */
export class Endpoint implements EndpointGate {
  private readonly registrations = new Map<symbol, EndpointLimits>();
  private limit = 1;
  private window = 1;
  private inFlight = 0;
  private readonly queue: Waiter[] = [];
  private pausedUntil = 0;
  private lastCut = -Infinity;
  private configuredRps: number | undefined;
  private learnedRps: number | undefined;
  private requestBucket: Bucket | undefined;
  private tokenBucket: Bucket | undefined;
  private readonly successes: number[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = 0;

  /** Some request to this server has succeeded in this process. */
  reached = false;
  /** Set once the server was found unreachable before ever answering: later requests fail fast. */
  unreachableReason: string | undefined;

  constructor(readonly id: string) {}

  /** Adds a block's limits; returns the function that removes them again. */
  register(limits: EndpointLimits): () => boolean {
    const token = Symbol('registration');
    this.registrations.set(token, limits);
    this.recompute();
    return () => {
      this.registrations.delete(token);
      this.recompute();
      return this.registrations.size === 0;
    };
  }

  /** Current settings, for tests and diagnostics. */
  get state() {
    return {
      limit: this.limit,
      window: this.window,
      inFlight: this.inFlight,
      queued: this.queue.length,
      requestsPerSecond: this.effectiveRps(),
      pausedForMs: Math.max(0, this.pausedUntil - performance.now()),
    };
  }

  /**
   * The configured budgets of the endpoint's blocks combined as this endpoint combines them (the
   * most generous concurrency, the strictest rates), without what was learned from throttles.
   */
  get budgets(): EndpointBudgets {
    return {
      maxConcurrency: this.limit,
      ...(this.configuredRps !== undefined ? { requestsPerSecond: this.configuredRps } : {}),
      ...(this.tokenBucket ? { tokensPerSecond: this.tokenBucket.rate } : {}),
    };
  }

  /**
   * Requests the endpoint could admit at once now (0 while a Retry-After pause runs or the rate
   * and token budgets are spent) and how many wait for admission, for the runner's admission.
   */
  get capacity(): { free: number; queued: number } {
    const now = performance.now();
    const room = Math.max(0, Math.floor(this.window) - this.inFlight);
    const blocked =
      this.pausedUntil > now ||
      (this.requestBucket?.waitFor(1, now) ?? 0) > 0 ||
      (this.tokenBucket?.waitFor(1, now) ?? 0) > 0;
    const rateRoom = this.requestBucket ? Math.floor(this.requestBucket.level) : room;
    return { free: blocked ? 0 : Math.min(room, Math.max(1, rateRoom)), queued: this.queue.length };
  }

  private recompute(): void {
    const all = [...this.registrations.values()];
    // The endpoint runs as many requests as its most generous block allows (each block also
    // keeps its own limit); rate budgets are the endpoint's, so the strictest one holds.
    const previous = this.limit;
    this.limit = Math.max(1, ...all.map((l) => l.maxConcurrency));
    this.window = this.window === previous ? this.limit : Math.min(this.window, this.limit);
    const rpm = Math.min(...all.map((l) => l.requestsPerMinute ?? Infinity));
    this.configuredRps = Number.isFinite(rpm) ? rpm / 60 : undefined;
    const tpm = Math.min(...all.map((l) => l.tokensPerMinute ?? Infinity));
    if (Number.isFinite(tpm)) {
      // Ten seconds' worth of tokens may go at once: per-minute limits tolerate short bursts.
      const capacity = Math.max(1, tpm / 6);
      if (!this.tokenBucket) this.tokenBucket = new Bucket(tpm / 60, capacity);
      else Object.assign(this.tokenBucket, { rate: tpm / 60, capacity });
    } else this.tokenBucket = undefined;
    this.updateRequestBucket();
    this.pump();
  }

  private effectiveRps(): number | undefined {
    const rates = [this.configuredRps, this.learnedRps].filter((r) => r !== undefined);
    return rates.length > 0 ? Math.min(...rates) : undefined;
  }

  private updateRequestBucket(): void {
    const rps = this.effectiveRps();
    if (rps === undefined) {
      this.requestBucket = undefined;
      return;
    }
    // A tenth of a second of burst keeps requests evenly spaced, as servers' windows expect.
    const capacity = Math.max(1, rps / 10);
    if (!this.requestBucket) {
      this.requestBucket = new Bucket(rps, capacity);
      return;
    }
    this.requestBucket.refill(performance.now());
    this.requestBucket.rate = rps;
    this.requestBucket.capacity = capacity;
    this.requestBucket.level = Math.min(this.requestBucket.level, capacity);
  }

  /**
   * Waits for a slot for a request of about `tokens` tokens. Rejects with the abort reason if
   * `signal` aborts while waiting.
   */
  acquire(tokens: number, signal?: AbortSignal): Promise<Lease> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        tokens,
        admit: (lease) => {
          unwatch?.();
          resolve(lease);
        },
      };
      const unwatch = signal
        ? onAbort(signal, () => {
            const at = this.queue.indexOf(waiter);
            if (at >= 0) this.queue.splice(at, 1);
            reject(abortReason(signal));
            this.pump();
          })
        : undefined;
      this.queue.push(waiter);
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const now = performance.now();
      if (this.inFlight >= Math.floor(this.window)) return;
      const head = this.queue[0] as Waiter;
      const wait = Math.max(
        this.pausedUntil - now,
        this.requestBucket?.waitFor(1, now) ?? 0,
        this.tokenBucket?.waitFor(head.tokens, now) ?? 0,
      );
      if (wait > 0) {
        this.wakeIn(wait);
        return;
      }
      this.queue.shift();
      if (this.requestBucket) this.requestBucket.level -= 1;
      if (this.tokenBucket) this.tokenBucket.level -= head.tokens;
      this.inFlight++;
      head.admit(this.lease(head.tokens, now));
    }
  }

  private wakeIn(ms: number): void {
    const at = performance.now() + ms;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, ms);
    // Deliberately not unref'd: while requests wait for it, it is what keeps the process alive.
  }

  private lease(tokens: number, issuedAt: number): Lease {
    let ended = false;
    return {
      done: (outcome) => {
        if (ended) return;
        ended = true;
        this.inFlight--;
        this.settle(outcome, tokens, issuedAt);
        this.pump();
      },
    };
  }

  private settle(outcome: RequestOutcome, estimate: number, issuedAt: number): void {
    const now = performance.now();
    if (outcome.kind === 'ok') {
      this.successes.push(now);
      while ((this.successes[0] as number) < now - 1000) this.successes.shift();
      this.window = Math.min(this.limit, this.window + 1 / Math.max(1, this.window));
      if (this.learnedRps !== undefined) {
        const step = Math.max(1, this.learnedRps * 0.05) / this.learnedRps;
        this.learnedRps += step;
        this.updateRequestBucket();
      }
      if (this.tokenBucket && outcome.tokens !== undefined) {
        this.tokenBucket.level += estimate - outcome.tokens;
      }
      return;
    }
    if (outcome.kind !== 'throttled') return;
    if (outcome.retryAfterMs !== undefined) {
      this.pausedUntil = Math.max(this.pausedUntil, now + outcome.retryAfterMs);
    }
    // React once per congestion event: throttles of requests issued before the last cut are
    // echoes of the same overload.
    if (issuedAt < this.lastCut) return;
    this.lastCut = now;
    this.window = Math.max(1, Math.floor(this.window / 2));
    while ((this.successes[0] ?? now) < now - 1000) this.successes.shift();
    // With nothing accepted lately there is no rate to learn from (the server may be down or
    // overloaded): the pause and the smaller window do the backing off.
    if (this.successes.length === 0) return;
    const accepted = this.successes.length;
    const current = this.effectiveRps() ?? Infinity;
    this.learnedRps = Math.max(MIN_RATE, Math.min(current, accepted) * RATE_BACKOFF);
    this.updateRequestBucket();
  }

  /** Stops the wake-up timer (the endpoint is no longer used). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

const endpoints = new Map<string, Endpoint>();

/** A short, non-reversible tag of an API key, so two keys get two endpoints without keeping the key. */
export function keyTag(apiKey: string | undefined): string {
  return apiKey ? createHash('sha256').update(apiKey).digest('hex').slice(0, 16) : '-';
}

/**
 * The process-wide endpoint for a provider, base URL and key, registering a block's limits on
 * it. Every block (and every instance of a block) that talks to the same server with the same key
 * shares one concurrency window and one rate budget. Call `release` when the block closes.
 */
export function joinEndpoint(
  provider: string,
  baseUrl: string,
  apiKey: string | undefined,
  limits: EndpointLimits,
): { endpoint: Endpoint; release(): void } {
  const id = `${provider}|${baseUrl}|${keyTag(apiKey)}`;
  let endpoint = endpoints.get(id);
  if (!endpoint) {
    endpoint = new Endpoint(id);
    endpoints.set(id, endpoint);
  }
  const unregister = endpoint.register(limits);
  const shared = endpoint;
  let released = false;
  return {
    endpoint,
    release() {
      if (released) return;
      released = true;
      if (unregister() && endpoints.get(id) === shared) {
        shared.dispose();
        endpoints.delete(id);
      }
    },
  };
}
