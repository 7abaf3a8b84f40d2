import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestRedis, testRedisSource } from './redis.js';

describe('testRedisSource', () => {
  it('prefers DGT_TEST_REDIS_URL, then a redis-server on PATH', () => {
    expect(testRedisSource({ DGT_TEST_REDIS_URL: 'redis://h:1', PATH: '' })).toEqual({
      kind: 'url',
      url: 'redis://h:1',
    });
  });

  it('skips with a reason outside CI, and fails in CI, when there is no Redis', () => {
    const none = testRedisSource({ PATH: '' });
    expect(none).toMatchObject({ kind: 'none' });
    expect((none as { skipReason: string }).skipReason).toMatch(/redis-server is not installed/);
    expect(() => testRedisSource({ PATH: '', CI: 'true' })).toThrow(/Tests need Redis/);
    expect(testRedisSource({ PATH: '', CI: 'false' })).toMatchObject({ kind: 'none' });
  });

  const local = testRedisSource({ ...process.env, DGT_TEST_REDIS_URL: '' });
  it.skipIf(local.kind !== 'binary')('starts a private redis-server and stops it', async () => {
    const redis = await startTestRedis(local);
    const port = Number(new URL(redis.url).port);
    const pong = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.once('error', reject);
    });
    expect(pong).toBe('+PONG\r\n');
    await redis.stop();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
