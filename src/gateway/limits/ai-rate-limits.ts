/**
 * Rate limits on the AI path (issue 6, item 6): per platform key (`platform_keys.rate_limit`) and
 * per integration (`integrations.rate_limit`), each `{rps?, rpm?, tpm?}`, with operator defaults
 * for whatever a key or integration leaves unset (SWITCHBOARD_DEFAULT_KEY_* / _INTEGRATION_*).
 *
 * - Requests (rps, rpm) are counted when a request starts; a refused request is uncounted again,
 *   so it neither eats the window nor counts against the key when the integration refused it.
 * - Tokens (tpm) are reserved at the start (the prompt estimate plus `max_tokens` when given,
 *   capped at the limit so one large request can still run in an empty window) and corrected to
 *   the actual usage when the call is metered (docs/decisions/0012).
 * - Counters are fixed windows of rate-limiter-flexible, in Redis when configured (shared by
 *   every replica) and in process memory otherwise. Limits live on the key/integration row, not
 *   on the limiter, so each limiter counts with an unreachable ceiling and the decision is ours.
 * - Redis down, slow or not ready: the AI path fails open to this process's own counters (the
 *   limits then hold per replica), logs one warning per outage and counts such decisions in
 *   `switchboard_rate_limit_local_decisions_total`. Serving AI requests never waits on Redis
 *   longer than REDIS_DECISION_TIMEOUT_MS.
 */
import { Counter, Gauge } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from '../../http/context.js';
import { AppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { RedisConnections } from '../../platform/redis.js';
import type { RateLimitSpec } from '../../store/schema.js';
import type { NormalizedUsage } from '../providers/provider.js';

export type LimitKind = 'rps' | 'rpm' | 'tpm';
type Scope = 'key' | 'integration';

const WINDOW_SECONDS: Record<LimitKind, number> = { rps: 1, rpm: 60, tpm: 60 };
const KINDS: readonly LimitKind[] = ['rps', 'rpm', 'tpm'];
/** The limiters' own ceiling, never reached: the limit that applies is compared by us. */
const UNREACHABLE = 2 ** 40;
/** Past this, a Redis decision is abandoned for the local one (a hung Redis must not hang requests). */
export const REDIS_DECISION_TIMEOUT_MS = 250;

const UNIT: Record<LimitKind, string> = { rps: 'requests per second', rpm: 'requests per minute', tpm: 'tokens per minute' };

export interface AiRateLimitDefaults {
  key: RateLimitSpec;
  integration: RateLimitSpec;
}

export interface AiRateLimitsDeps {
  redis: RedisConnections | undefined;
  logger: Logger;
  metrics: Pick<Metrics, 'registry'> & Partial<Pick<Metrics, 'rateLimitRejections'>>;
  defaults: AiRateLimitDefaults;
}

/** One call's limits: admitted once per key and once per integration, settled once. */
export interface CallRateLimits {
  /**
   * Counts this call against the platform key's limits (on the first call) and the
   * integration's (once per integration). Throws `rate_limited` (429, Retry-After) when one is
   * exhausted; nothing stays counted for a refused call.
   */
  admit(integration?: { id: string; rateLimit: RateLimitSpec | null }): Promise<void>;
  /** Corrects the token reservations to what the call used (unknown usage releases them). */
  settle(usage: NormalizedUsage | undefined): void;
}

export interface AiRateLimits {
  open(principal: Pick<Principal, 'keyId' | 'rateLimit'>, estimateTokens: () => number): CallRateLimits;
}

interface Check {
  scope: Scope;
  kind: LimitKind;
  id: string;
  limit: number;
  points: number;
}

interface Reservation {
  kind: LimitKind;
  counterKey: string;
  points: number;
  windowEndsAt: number;
}

const effective = (own: RateLimitSpec | null | undefined, fallback: RateLimitSpec): RateLimitSpec => ({ ...fallback, ...stripUndefined(own) });

function stripUndefined(spec: RateLimitSpec | null | undefined): RateLimitSpec {
  const out: RateLimitSpec = {};
  if (!spec) return out;
  for (const kind of KINDS) if (typeof spec[kind] === 'number') out[kind] = spec[kind];
  return out;
}

const hasAny = (spec: RateLimitSpec) => spec.rps !== undefined || spec.rpm !== undefined || spec.tpm !== undefined;

export function createAiRateLimits(deps: AiRateLimitsDeps): AiRateLimits {
  const { redis, logger } = deps;
  const log = logger.child({ component: 'rate-limits' });
  const localDecisions = new Counter({
    name: 'switchboard_rate_limit_local_decisions_total',
    help: 'AI rate-limit decisions taken on this process alone because Redis was unavailable',
    registers: [deps.metrics.registry],
  });
  const degradedGauge = new Gauge({
    name: 'switchboard_rate_limit_redis_degraded',
    help: '1 while AI rate limits fall back to this process because Redis is unavailable',
    registers: [deps.metrics.registry],
  });
  const refusals = new Counter({
    name: 'switchboard_rate_limited_total',
    help: 'AI requests refused by a platform-key or integration rate limit',
    labelNames: ['scope', 'kind'],
    registers: [deps.metrics.registry],
  });

  const build = (kind: LimitKind, shared: boolean): RateLimiterAbstract => {
    const options = { keyPrefix: `sb:ai-${kind}`, points: UNREACHABLE, duration: WINDOW_SECONDS[kind] };
    return shared && redis ? new RateLimiterRedis({ ...options, storeClient: redis.client, rejectIfRedisNotReady: true }) : new RateLimiterMemory(options);
  };
  const local = Object.fromEntries(KINDS.map((kind) => [kind, build(kind, false)])) as Record<LimitKind, RateLimiterAbstract>;
  const shared = redis ? (Object.fromEntries(KINDS.map((kind) => [kind, build(kind, true)])) as Record<LimitKind, RateLimiterAbstract>) : undefined;

  let degraded = false;
  const lost = (error?: unknown) => {
    localDecisions.inc();
    if (degraded) return;
    degraded = true;
    degradedGauge.set(1);
    log.warn({ err: error instanceof Error ? { message: error.message } : undefined }, 'redis unavailable: AI rate limits are counted per process until it returns');
  };
  const restored = () => {
    if (!degraded) return;
    degraded = false;
    degradedGauge.set(0);
    log.info('redis is back: AI rate limits are shared again');
  };

  /** Adds `points` (negative: removes) to a counter; the window's state after it. */
  async function add(kind: LimitKind, counterKey: string, points: number): Promise<RateLimiterRes> {
    const apply = (limiter: RateLimiterAbstract) => (points >= 0 ? limiter.consume(counterKey, points) : limiter.reward(counterKey, -points));
    const store = shared?.[kind];
    if (store && redis?.client.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          apply(store).catch((rejection: unknown) => {
            if (rejection instanceof RateLimiterRes) return rejection;
            throw rejection;
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer from redis within ${REDIS_DECISION_TIMEOUT_MS} ms`)), REDIS_DECISION_TIMEOUT_MS);
          }),
        ]);
        restored();
        return result;
      } catch (error) {
        lost(error);
      } finally {
        clearTimeout(timer);
      }
    } else if (store) {
      lost(new Error(`redis connection is ${redis?.client.status ?? 'closed'}`));
    }
    return apply(local[kind]);
  }

  const counterKeyOf = (check: Pick<Check, 'scope' | 'id'>) => `${check.scope}:${check.id}`;

  function checksFor(scope: Scope, id: string, spec: RateLimitSpec, estimateTokens: () => number): Check[] {
    const checks: Check[] = [];
    for (const kind of KINDS) {
      const limit = spec[kind];
      if (limit === undefined) continue;
      const points = kind === 'tpm' ? Math.min(limit, Math.max(1, Math.ceil(estimateTokens()))) : 1;
      checks.push({ scope, kind, id, limit, points });
    }
    return checks;
  }

  function refusal(check: Check, state: RateLimiterRes): AppError {
    refusals.inc({ scope: check.scope, kind: check.kind });
    deps.metrics.rateLimitRejections?.inc({ scope: check.scope });
    const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    const who = check.scope === 'key' ? 'this platform key' : `integration ${check.id}`;
    const detail = check.kind === 'tpm' ? ` (this request needs about ${check.points} of them)` : '';
    return new AppError('rate_limited', {
      message: `Rate limit of ${who} reached: ${check.limit} ${UNIT[check.kind]} (${check.kind})${detail}. Retry after ${retryAfterSeconds} s.`,
      retryAfterSeconds,
    });
  }

  return {
    open(principal, estimateTokens) {
      let keyAdmitted = false;
      const integrationsAdmitted = new Set<string>();
      const reservations: Reservation[] = [];
      let settled = false;
      let estimate: number | undefined;
      const tokens = () => (estimate ??= estimateTokens());

      return {
        async admit(integration) {
          const checks: Check[] = [];
          if (!keyAdmitted) {
            keyAdmitted = true;
            if (principal.keyId) {
              const spec = effective(principal.rateLimit, deps.defaults.key);
              if (hasAny(spec)) checks.push(...checksFor('key', principal.keyId, spec, tokens));
            }
          }
          if (integration && !integrationsAdmitted.has(integration.id)) {
            integrationsAdmitted.add(integration.id);
            const spec = effective(integration.rateLimit, deps.defaults.integration);
            if (hasAny(spec)) checks.push(...checksFor('integration', integration.id, spec, tokens));
          }
          if (checks.length === 0) return;
          const states = await Promise.all(checks.map((check) => add(check.kind, counterKeyOf(check), check.points)));
          const refused = checks.findIndex((check, index) => states[index]!.consumedPoints > check.limit);
          if (refused !== -1) {
            for (const check of checks) void add(check.kind, counterKeyOf(check), -check.points).catch(() => undefined);
            throw refusal(checks[refused]!, states[refused]!);
          }
          const now = Date.now();
          checks.forEach((check, index) => {
            if (check.kind === 'tpm') {
              reservations.push({ kind: check.kind, counterKey: counterKeyOf(check), points: check.points, windowEndsAt: now + states[index]!.msBeforeNext });
            }
          });
        },
        settle(usage) {
          if (settled) return;
          settled = true;
          if (reservations.length === 0) return;
          const known = usage?.inputTokens !== undefined || usage?.outputTokens !== undefined;
          const actual = known ? (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0) : 0;
          const now = Date.now();
          for (const reservation of reservations) {
            const delta = actual - reservation.points;
            // Over-reserved: give back, unless the window already ended (the next one never had it).
            if (delta < 0 && now >= reservation.windowEndsAt) continue;
            if (delta !== 0) void add(reservation.kind, reservation.counterKey, delta).catch(() => undefined);
          }
        },
      };
    },
  };
}
