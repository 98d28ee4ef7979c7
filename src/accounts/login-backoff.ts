/**
 * Per-account backoff after failed logins. Keys are a hash of the normalised email, so unknown
 * emails are throttled exactly like real ones (no enumeration) and no address is stored in Redis.
 *
 * After `failuresBeforeBlock` failures within the window, the account is blocked for
 * `baseBlockSeconds`; each further failure once a block ended doubles it, capped at
 * `maxBlockSeconds`. Blocks always expire (never a permanent lockout), and a successful login
 * clears everything.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../platform/errors.js';
import { createRateLimiter } from '../platform/rate-limiter.js';
import type { RedisConnections } from '../platform/redis.js';

export interface LoginBackoffOptions {
  failuresBeforeBlock: number;
  windowSeconds: number;
  baseBlockSeconds: number;
  maxBlockSeconds: number;
}

export const defaultLoginBackoff: LoginBackoffOptions = {
  failuresBeforeBlock: 5,
  windowSeconds: 15 * 60,
  baseBlockSeconds: 30,
  maxBlockSeconds: 15 * 60,
};

export interface LoginBackoff {
  /** Throws `rate_limited` (with Retry-After) while the email is blocked. */
  check(email: string): Promise<void>;
  recordFailure(email: string): Promise<void>;
  reset(email: string): Promise<void>;
}

export function createLoginBackoff(redis: RedisConnections | undefined, options: LoginBackoffOptions = defaultLoginBackoff): LoginBackoff {
  const failures = createRateLimiter(redis, {
    keyPrefix: 'login-fail',
    points: options.failuresBeforeBlock,
    durationSeconds: options.windowSeconds,
  });
  // How many blocks this email earned recently: the exponent of the next block's length. It
  // outlives the longest block, so a failure right after a block ends blocks again, for longer.
  const blocks = createRateLimiter(redis, {
    keyPrefix: 'login-blocks',
    points: 1_000_000,
    durationSeconds: Math.max(options.windowSeconds, options.maxBlockSeconds) * 4,
  });
  const keyOf = (email: string) => createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('base64url');

  return {
    async check(email) {
      const state = await failures.get(keyOf(email)).catch(() => null);
      if (state && state.consumedPoints > options.failuresBeforeBlock && state.msBeforeNext > 0) {
        throw new AppError('rate_limited', {
          message: 'Too many failed logins for this account. Retry after the time in the Retry-After header.',
          retryAfterSeconds: state.msBeforeNext / 1000,
        });
      }
    },
    async recordFailure(email) {
      const key = keyOf(email);
      const earlier = await blocks.get(key).catch(() => null);
      let blockNow = earlier !== null && earlier.consumedPoints > 0;
      if (!blockNow) {
        const state = await failures.consume(key).catch((rejection: unknown) => rejection as { consumedPoints?: number });
        blockNow = (state.consumedPoints ?? 0) >= options.failuresBeforeBlock;
      }
      if (!blockNow) return;
      const counted = await blocks.consume(key).catch(() => null);
      const exponent = Math.max(0, (counted?.consumedPoints ?? 1) - 1);
      const seconds = Math.min(options.maxBlockSeconds, options.baseBlockSeconds * 2 ** Math.min(exponent, 20));
      await failures.block(key, seconds).catch(() => undefined);
    },
    async reset(email) {
      const key = keyOf(email);
      await Promise.all([failures.delete(key).catch(() => false), blocks.delete(key).catch(() => false)]);
    },
  };
}
