/**
 * Circuit breaker state shared by every process through Redis (REDIS_URL), keeping the request
 * path free of Redis round trips: each process decides from its local breakers, writes a
 * transition (opened / closed) to one Redis hash when it happens, and reads the hash every
 * `pollMs` (default 250 ms), applying other processes' newer transitions. A breaker opened on one
 * replica is therefore open on every replica within about one poll interval.
 *
 * Redis failures are logged once per outage and otherwise ignored: breakers then work per process.
 */
import type { Logger } from '../../platform/logger.js';
import type { RedisConnections } from '../../platform/redis.js';
import type { BreakerTransition, Breakers } from './breaker.js';

export const BREAKERS_HASH = 'switchboard:breakers';
/** Entries nobody touched for this long are dropped with the hash. */
const HASH_TTL_SECONDS = 3_600;

export interface BreakerSync {
  publish(key: string, transition: BreakerTransition): void;
  /** Starts polling into `breakers`. */
  start(breakers: Pick<Breakers, 'apply'>): void;
  stop(): void;
}

export function createBreakerSync(redis: RedisConnections, logger: Logger, pollMs = 250): BreakerSync {
  let timer: NodeJS.Timeout | undefined;
  let healthy = true;
  let polling = false;
  const failed = (error: unknown) => {
    if (healthy) logger.warn({ err: { message: (error as Error).message } }, 'circuit breaker sync with redis failed; breakers work per process');
    healthy = false;
  };
  return {
    publish(key, transition) {
      redis.client
        .multi()
        .hset(BREAKERS_HASH, key, JSON.stringify(transition))
        .expire(BREAKERS_HASH, HASH_TTL_SECONDS)
        .exec()
        .then(() => (healthy = true), failed);
    },
    start(breakers) {
      timer = setInterval(() => {
        if (polling) return;
        polling = true;
        redis.client
          .hgetall(BREAKERS_HASH)
          .then((entries) => {
            healthy = true;
            for (const [key, value] of Object.entries(entries)) {
              try {
                const transition = JSON.parse(value) as BreakerTransition;
                if ((transition.state === 'open' || transition.state === 'closed') && typeof transition.at === 'number') breakers.apply(key, transition);
              } catch {
                // A malformed entry is ignored.
              }
            }
          }, failed)
          .finally(() => (polling = false));
      }, pollMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
