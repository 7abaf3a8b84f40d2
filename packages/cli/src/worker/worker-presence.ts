import type { Redis } from 'ioredis';

/**
 * Workers advertise how many jobs of a builder they take at once, so a coordinator queues no
 * more than the workers can run (plus a little read-ahead). One sorted set per builder queue:
 * member `<worker id>|<concurrency>`, score the time the entry expires. A worker refreshes its
 * entry well before then; one killed with -9 drops out when its entry expires.
 */
function presenceKey(queueName: string): string {
  return `dgt.workers.${queueName}`;
}

/** How long an advertisement lasts without a refresh. */
export const PRESENCE_TTL_MS = 6_000;
const REFRESH_MS = 2_000;

/** Advertises a worker on the queues it serves until the returned function is called. */
export function advertiseWorker(
  connection: Redis,
  queueNames: readonly string[],
  workerId: string,
  concurrency: number,
): () => Promise<void> {
  const member = `${workerId}|${concurrency}`;
  const refresh = async () => {
    const expires = Date.now() + PRESENCE_TTL_MS;
    for (const name of queueNames) await connection.zadd(presenceKey(name), expires, member);
  };
  const timer = setInterval(() => void refresh().catch(() => undefined), REFRESH_MS);
  timer.unref();
  void refresh().catch(() => undefined);
  return async () => {
    clearInterval(timer);
    for (const name of queueNames)
      await connection.zrem(presenceKey(name), member).catch(() => undefined);
  };
}

/** The jobs the live workers of a builder queue take at once, added up. */
export async function advertisedConcurrency(connection: Redis, queueName: string): Promise<number> {
  const key = presenceKey(queueName);
  await connection.zremrangebyscore(key, '-inf', Date.now());
  const members = await connection.zrange(key, 0, -1);
  let total = 0;
  for (const member of members) {
    const concurrency = Number(member.slice(member.lastIndexOf('|') + 1));
    if (Number.isFinite(concurrency) && concurrency > 0) total += concurrency;
  }
  return total;
}
