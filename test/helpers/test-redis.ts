import { randomInt } from 'node:crypto';
import { inject } from 'vitest';

/**
 * The Redis URL for a test that needs one, on a database index of its own (1–15) so rate-limit
 * counters of test files running at once never meet. (Pub/sub is server-wide; invalidation
 * messages of other files are harmless: they only drop cache entries by unique ids.) Throws, and
 * so fails the test, when no Redis is available: a Redis test is never silently skipped.
 */
export function testRedisUrl(): string {
  const redis = inject('testRedis');
  if ('missing' in redis) throw new Error(`this test needs Redis: ${redis.missing}`);
  const url = new URL(redis.url);
  url.pathname = `/${randomInt(1, 16)}`;
  return url.toString();
}
