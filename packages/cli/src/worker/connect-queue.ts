import { DgtError, redactUrl } from '@dgt/core';
import { Redis } from 'ioredis';

/**
 * Connects to the queue's Redis, or fails with a message that names the URL (credentials
 * hidden) and what to check. BullMQ's blocking commands need `maxRetriesPerRequest: null`.
 */
export async function connectQueue(url: string): Promise<Redis> {
  const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    throw new DgtError(
      'QUEUE_UNREACHABLE',
      `Cannot reach Redis at ${redactUrl(url)} (--queue): ${(lastError ?? (error as Error)).message}. Check that redis-server is running there and the URL is right.`,
      { cause: error },
    );
  }
}
