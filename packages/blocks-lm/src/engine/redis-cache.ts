import { redactUrl } from '@dgt/core';
import type { RequestCache } from './cache.js';
import { joinRedis } from './redis-connection.js';

/** The Redis key of a cache entry: a hash with `provider`, `model`, `value` and `created_at`. */
export function redisCacheKey(key: string): string {
  return `dgt:lm-cache:${key}`;
}

/**
 * Opens the request cache kept in the Redis at `url`, shared by every process and machine of a
 * run with a queue: an answer one of them got is a hit for all the others, and for reruns. Entries
 * keep the provider and model beside the answer, as the SQLite cache does. A read that fails is a
 * miss and a write that fails is dropped (the request is simply made again next time); only
 * reaching Redis at all is required, and fails with a `QUEUE_UNREACHABLE` user error.
 */
export async function openRedisCache(url: string): Promise<RequestCache> {
  const handle = await joinRedis(url);
  const { client } = handle;
  let released = false;
  return {
    path: redactUrl(url),
    async get(key) {
      try {
        const value = await client.hget(redisCacheKey(key), 'value');
        return value === null ? undefined : JSON.parse(value);
      } catch {
        return undefined;
      }
    },
    put(key, entry) {
      // ioredis pipelines commands sent in one turn; quitting at release waits for them.
      client
        .hset(redisCacheKey(key), {
          provider: entry.provider,
          model: entry.model,
          value: JSON.stringify(entry.value),
          created_at: Date.now(),
        })
        .catch(() => undefined);
    },
    flush() {},
    release() {
      if (released) return;
      released = true;
      handle.release();
    },
  };
}
