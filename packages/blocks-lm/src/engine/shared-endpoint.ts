import { createHash, randomUUID } from 'node:crypto';
import { DgtError } from '@dgt/core';
import type { Redis } from 'ioredis';
import type { Endpoint, EndpointGate, Lease, RequestOutcome } from './endpoint.js';
import { abortReason, onAbort } from './limiter.js';
import { joinRedis, type RedisHandle } from './redis-connection.js';

// Admission, atomically on the Redis clock (TIME), so processes on machines whose clocks differ
// still share one budget. Returns 0 when the request was admitted (and charged), else how many
// milliseconds to wait before asking again (-1: all slots are taken, ask again soon).
//   KEYS: in-flight leases (sorted set scored by expiry), request bucket, token bucket, pause
//   ARGV: lease id, max concurrency, requests/s (0: none), tokens/s (0: none), tokens, lease TTL
// The request bucket holds a single request (no burst): requests from several machines reach the
// server with uneven delays, and any burst on top of that would overrun a strict one-second window.
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[4]) or '0')
if paused > now then return paused - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local function bucket(key, rate, capacity, amount)
  if rate <= 0 then return 0, 0 end
  local b = redis.call('HMGET', key, 'level', 'at')
  local level = tonumber(b[1]) or capacity
  local at = tonumber(b[2]) or now
  level = math.min(capacity, level + (now - at) / 1000 * rate)
  local need = math.min(amount, capacity)
  if level >= need then return 0, level end
  return math.ceil((need - level) / rate * 1000), level
end
local rps = tonumber(ARGV[3])
local tps = tonumber(ARGV[4])
local tokens = tonumber(ARGV[5])
local rwait, rlevel = bucket(KEYS[2], rps, 1, 1)
local twait, tlevel = bucket(KEYS[3], tps, math.max(1, tps * 10), tokens)
local wait = math.max(rwait, twait)
if wait > 0 then return wait end
if rps > 0 then
  redis.call('HSET', KEYS[2], 'level', rlevel - 1, 'at', now)
  redis.call('PEXPIRE', KEYS[2], 600000)
end
if tps > 0 then
  redis.call('HSET', KEYS[3], 'level', tlevel - tokens, 'at', now)
  redis.call('PEXPIRE', KEYS[3], 600000)
end
local ttl = tonumber(ARGV[6])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return 0
`;

// The end of a request: frees its slot, gives back the tokens it was over-charged, and when the
// server throttled it with a Retry-After, pauses every process until then.
//   KEYS: in-flight leases, token bucket, pause
//   ARGV: lease id, tokens to give back, pause for (ms, 0: none)
const SETTLE = `
redis.call('ZREM', KEYS[1], ARGV[1])
local refund = tonumber(ARGV[2])
if refund ~= 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HINCRBYFLOAT', KEYS[2], 'level', refund)
end
local pause = tonumber(ARGV[3])
if pause > 0 then
  local t = redis.call('TIME')
  local untilMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + pause
  if untilMs > tonumber(redis.call('GET', KEYS[3]) or '0') then
    redis.call('SET', KEYS[3], untilMs, 'PX', pause)
  end
end
return 0
`;

type ScriptedRedis = Redis & {
  dgtLmAdmit(...args: (string | number)[]): Promise<number>;
  dgtLmSettle(...args: (string | number)[]): Promise<number>;
};

const scripted = new WeakSet<Redis>();

function withScripts(client: Redis): ScriptedRedis {
  if (!scripted.has(client)) {
    client.defineCommand('dgtLmAdmit', { numberOfKeys: 4, lua: ADMIT });
    client.defineCommand('dgtLmSettle', { numberOfKeys: 3, lua: SETTLE });
    scripted.add(client);
  }
  return client as ScriptedRedis;
}

// While every shared slot is taken, how often the process asks again (plus up to as much jitter).
const FULL_POLL_MS = 5;
// A long pause is waited out in steps, so a waiter that gave up does not keep the process alive.
const MAX_SLEEP_MS = 200;

type Waiter = {
  tokens: number;
  admit(ticket: string): void;
  fail(error: unknown): void;
};

/**
 * An endpoint whose budgets hold across every process sharing a Redis: `max_concurrency` counts
 * the requests in flight in all of them, `requests_per_minute` and `tokens_per_minute` are token
 * buckets kept in Redis, and a 429 with Retry-After seen by one process pauses all of them.
 *
 * Each request first takes a slot of the process's own {@link Endpoint} (which keeps adapting
 * its window to throttles as on one machine), then a shared one. One loop per process asks Redis
 * for the shared slots, in arrival order, so waiting requests do not each poll Redis. A slot
 * whose process died is freed when its lease expires (the request timeout plus a minute).
 */
export class SharedEndpoint implements EndpointGate {
  private readonly queue: Waiter[] = [];
  private pumping = false;
  private readonly redis: ScriptedRedis;
  private readonly keys: { inFlight: string; requests: string; tokens: string; pause: string };

  constructor(
    private readonly local: Endpoint,
    redis: Redis,
    private readonly leaseTtlMs: number,
  ) {
    this.redis = withScripts(redis);
    // The endpoint id holds no secret (the key is hashed), but hashing keeps keys short; the
    // braces keep one endpoint's keys in one Redis Cluster slot, as scripts need.
    const tag = createHash('sha256').update(local.id).digest('hex').slice(0, 24);
    const prefix = `dgt:lm:{${tag}}`;
    this.keys = {
      inFlight: `${prefix}:in-flight`,
      requests: `${prefix}:requests`,
      tokens: `${prefix}:tokens`,
      pause: `${prefix}:paused-until`,
    };
  }

  get reached(): boolean {
    return this.local.reached;
  }
  set reached(value: boolean) {
    this.local.reached = value;
  }
  get unreachableReason(): string | undefined {
    return this.local.unreachableReason;
  }
  set unreachableReason(value: string | undefined) {
    this.local.unreachableReason = value;
  }

  async acquire(tokens: number, signal?: AbortSignal): Promise<Lease> {
    const lease = await this.local.acquire(tokens, signal);
    let ticket: string;
    try {
      ticket = await this.admit(tokens, signal);
    } catch (error) {
      lease.done({ kind: 'failed' });
      throw error;
    }
    let ended = false;
    return {
      done: (outcome) => {
        if (ended) return;
        ended = true;
        lease.done(outcome);
        this.settle(ticket, tokens, outcome);
      },
    };
  }

  private admit(tokens: number, signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<string>((resolve, reject) => {
      const waiter: Waiter = {
        tokens,
        admit: (ticket) => {
          unwatch?.();
          resolve(ticket);
        },
        fail: (error) => {
          unwatch?.();
          reject(error);
        },
      };
      const unwatch = signal
        ? onAbort(signal, () => {
            const at = this.queue.indexOf(waiter);
            if (at >= 0) this.queue.splice(at, 1);
            reject(abortReason(signal));
          })
        : undefined;
      this.queue.push(waiter);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const { maxConcurrency, requestsPerSecond, tokensPerSecond } = this.local.budgets;
      while (this.queue.length > 0) {
        const head = this.queue[0] as Waiter;
        const ticket = randomUUID();
        let wait: number;
        try {
          wait = Number(
            await this.redis.dgtLmAdmit(
              this.keys.inFlight,
              this.keys.requests,
              this.keys.tokens,
              this.keys.pause,
              ticket,
              maxConcurrency,
              requestsPerSecond ?? 0,
              tokensPerSecond ?? 0,
              head.tokens,
              this.leaseTtlMs,
            ),
          );
        } catch (error) {
          const failure = new DgtError(
            'QUEUE_UNREACHABLE',
            `The shared rate limits in Redis (--queue) cannot be read: ${(error as Error).message}. Check that redis-server is still running.`,
            { cause: error },
          );
          for (const waiter of this.queue.splice(0)) waiter.fail(failure);
          return;
        }
        if (wait === 0) {
          // The waiter may have given up while Redis was answering: free the slot it got.
          if (this.queue[0] === head) {
            this.queue.shift();
            head.admit(ticket);
          } else this.settle(ticket, head.tokens, { kind: 'failed' });
          continue;
        }
        const ms = wait < 0 ? FULL_POLL_MS * (1 + Math.random()) : Math.min(wait, MAX_SLEEP_MS);
        await new Promise((r) => setTimeout(r, ms));
      }
    } finally {
      this.pumping = false;
    }
  }

  private settle(ticket: string, estimate: number, outcome: RequestOutcome): void {
    const refund =
      outcome.kind === 'ok' && outcome.tokens !== undefined ? estimate - outcome.tokens : 0;
    const pause =
      outcome.kind === 'throttled' && outcome.retryAfterMs !== undefined
        ? Math.ceil(outcome.retryAfterMs)
        : 0;
    // A lost release only keeps the slot until its lease expires; the request itself is done.
    this.redis
      .dgtLmSettle(this.keys.inFlight, this.keys.tokens, this.keys.pause, ticket, refund, pause)
      .catch(() => undefined);
  }
}

type Joined = { endpoint: Promise<SharedEndpoint>; redis?: RedisHandle; users: number };
const shared = new Map<string, Joined>();

/**
 * The process-wide {@link SharedEndpoint} over `local` in the Redis at `url`; call `release`
 * when the block closes. `leaseTtlMs` bounds how long a slot of a crashed process stays taken.
 */
export async function joinSharedEndpoint(
  url: string,
  local: Endpoint,
  leaseTtlMs: number,
): Promise<{ endpoint: SharedEndpoint; release(): void }> {
  const id = `${url}|${local.id}`;
  let joined = shared.get(id);
  if (!joined) {
    const entry: Joined = { users: 0, endpoint: Promise.resolve(undefined as never) };
    entry.endpoint = joinRedis(url).then((handle) => {
      entry.redis = handle;
      return new SharedEndpoint(local, handle.client, leaseTtlMs);
    });
    entry.endpoint.catch(() => {
      if (shared.get(id) === entry) shared.delete(id);
    });
    joined = entry;
    shared.set(id, entry);
  }
  joined.users++;
  const entry = joined;
  let endpoint: SharedEndpoint;
  try {
    endpoint = await entry.endpoint;
  } catch (error) {
    entry.users--;
    throw error;
  }
  let released = false;
  return {
    endpoint,
    release() {
      if (released) return;
      released = true;
      if (--entry.users > 0) return;
      if (shared.get(id) === entry) shared.delete(id);
      entry.redis?.release();
    },
  };
}
