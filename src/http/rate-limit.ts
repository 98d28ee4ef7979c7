/**
 * Per-IP limits (PRODUCT.md): `/api/*` at `apiPerIp` per second with bursts of twice that,
 * `/api/auth/*` additionally at `authPerIp` per second, and every request that fails
 * authentication (a 401 anywhere, `/v1` included) draws from the same per-IP API bucket.
 * Authenticated `/v1` calls are not limited per IP: many legitimate clients share one address.
 * A limit of 0 turns it off. Limits live in Redis when configured (shared by replicas), in
 * process memory otherwise.
 *
 * Redis down: the API bucket fails open (per-replica memory), the auth bucket fails closed with
 * 503 `storage_unavailable` and Retry-After: 1 — a login flood must not get through while the
 * shared count is unknown (issue 6, item 6).
 */
import { BurstyRateLimiter, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../platform/errors.js';
import { createRateLimiter, msBeforeNextOf } from '../platform/rate-limiter.js';
import type { RedisConnections } from '../platform/redis.js';
import type { AppEnv } from './context.js';
import { renderError } from './error-handler.js';

export interface IpLimitOptions {
  apiPerIp: number;
  authPerIp: number;
  redis: RedisConnections | undefined;
  /** Told of each refusal (the switchboard_ratelimit_rejections_total metric, scope `ip`). */
  onRejected?: () => void;
}

type Consumer = Pick<RateLimiterAbstract, 'consume'>;

/**
 * Spend one point; a 429 AppError when none is left. A storage failure (only possible without
 * insurance) fails open, or with `failClosed` refuses with 503.
 */
async function take(limiter: Consumer, key: string, failClosed = false): Promise<AppError | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (rejection) {
    const ms = msBeforeNextOf(rejection);
    if (ms !== undefined) return new AppError('rate_limited', { retryAfterSeconds: ms / 1000 });
    if (!failClosed) return undefined;
    return new AppError('storage_unavailable', {
      message: 'Sign-in and account requests are paused while the rate-limit store is unavailable. Retry shortly.',
      retryAfterSeconds: 1,
    });
  }
}

export function createIpRateLimits(options: IpLimitOptions) {
  const api: Consumer | undefined =
    options.apiPerIp > 0
      ? new BurstyRateLimiter(
          createRateLimiter(options.redis, { keyPrefix: 'ip-api', points: options.apiPerIp, durationSeconds: 1 }),
          // The burst allowance: up to apiPerIp more requests per 10 s beyond the steady rate.
          createRateLimiter(options.redis, { keyPrefix: 'ip-api-burst', points: options.apiPerIp, durationSeconds: 10 }),
        )
      : undefined;
  const auth: Consumer | undefined =
    options.authPerIp > 0
      ? createRateLimiter(options.redis, { keyPrefix: 'ip-auth', points: options.authPerIp, durationSeconds: 1, failClosed: true })
      : undefined;
  const ipOf = (c: Context<AppEnv>) => c.get('clientIp') ?? 'unknown';

  /** For `/api/*`: the API bucket, plus the auth bucket under `/api/auth/`. */
  const apiLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
    const ip = ipOf(c);
    const refused = (api && (await take(api, ip))) || (auth && c.req.path.startsWith('/api/auth/') && (await take(auth, ip, true)));
    if (refused) {
      if (refused.code === 'rate_limited') options.onRejected?.();
      throw refused;
    }
    await next();
  };

  /** Outside `/api`: a request that ended in 401 draws from the API bucket; once it is empty, such requests get 429. */
  const failedAuthLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
    await next();
    if (!api || c.res.status !== 401 || c.req.path.startsWith('/api/')) return;
    const refused = await take(api, ipOf(c));
    if (refused) {
      options.onRejected?.();
      c.res = renderError(c, refused);
    }
  };

  return { apiLimit, failedAuthLimit, enabled: api !== undefined || auth !== undefined };
}
