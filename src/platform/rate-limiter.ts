/**
 * Rate limiter construction: Redis-backed (shared by every replica) when Redis is configured,
 * in-process otherwise. A Redis limiter carries an in-memory insurance limiter, so a Redis outage
 * degrades limits to per-replica instead of failing every request — unless it must fail closed
 * (`failClosed`: then a Redis outage rejects with an Error, and the caller refuses the request).
 * Either way a limiter does not wait for a Redis that is not connected.
 */
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisConnections } from './redis.js';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** No insurance: while Redis is unavailable `consume` rejects with an Error. */
  failClosed?: boolean;
}

export function createRateLimiter(redis: RedisConnections | undefined, options: LimiterOptions): RateLimiterAbstract {
  const base = { keyPrefix: `sb:${options.keyPrefix}`, points: options.points, duration: options.durationSeconds };
  if (!redis) return new RateLimiterMemory(base);
  if (options.failClosed) return new RateLimiterRedis({ ...base, storeClient: redis.client, rejectIfRedisNotReady: true });
  return new RateLimiterRedis({ ...base, storeClient: redis.client, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(base) });
}

/** rate-limiter-flexible rejects with a RateLimiterRes when points run out, with an Error when storage fails. */
export const msBeforeNextOf = (rejection: unknown): number | undefined => {
  const ms = (rejection as { msBeforeNext?: unknown } | null)?.msBeforeNext;
  return typeof ms === 'number' && !(rejection instanceof Error) ? ms : undefined;
};
