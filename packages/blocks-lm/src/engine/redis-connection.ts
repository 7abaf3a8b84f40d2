import { DgtError, redactUrl } from '@dgt/core';
import type { Redis } from 'ioredis';

/** A process's use of the Redis connection of a shared-state URL; `release` once when done. */
export type RedisHandle = { readonly client: Redis; release(): void };

type Shared = { client: Promise<Redis>; users: number };
const open = new Map<string, Shared>();

/** How long to wait for Redis to answer the first time before giving up on the run. */
const CONNECT_TIMEOUT_MS = 10_000;

async function connect(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  let ready = false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Once connected, a dropped connection is retried for a while (Redis restarting) and a
    // command fails after a few attempts instead of hanging; before that, failing at once gives
    // the user the error while they are still looking.
    retryStrategy: (times) => (ready ? Math.min(times * 200, 2_000) : null),
    maxRetriesPerRequest: 5,
  });
  // Without a listener ioredis prints every connection error to the console itself.
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    ready = true;
    return client;
  } catch (error) {
    client.disconnect();
    const reason = (lastError ?? (error as Error)).message;
    throw new DgtError(
      'QUEUE_UNREACHABLE',
      `Cannot reach Redis at ${redactUrl(url)} (from --queue or DGT_QUEUE_URL): ${reason}. Check that redis-server is running there and the URL is right.`,
      { cause: error },
    );
  }
}

/**
 * Joins the process-wide Redis connection for `url`: every block of the process that keeps state
 * in the same Redis shares one connection (commands are pipelined over it). Throws a
 * `QUEUE_UNREACHABLE` user error, with the password hidden, when Redis cannot be reached.
 */
export async function joinRedis(url: string): Promise<RedisHandle> {
  let shared = open.get(url);
  if (!shared) {
    const created: Shared = { client: connect(url), users: 0 };
    shared = created;
    open.set(url, created);
    created.client.catch(() => {
      if (open.get(url) === created) open.delete(url);
    });
  }
  shared.users++;
  const entry = shared;
  let client: Redis;
  try {
    client = await entry.client;
  } catch (error) {
    entry.users--;
    throw error;
  }
  let released = false;
  return {
    client,
    release() {
      if (released) return;
      released = true;
      if (--entry.users > 0) return;
      if (open.get(url) === entry) open.delete(url);
      // QUIT lets commands already sent (a cache write, a slot release) finish first.
      client.quit().catch(() => client.disconnect());
    },
  };
}
