/**
 * The one retry loop (issue 6 item 3). Every AI handler runs its provider call through
 * `GatewayCall.attempt()` (gateway-call.ts), which comes here:
 *
 *   for each candidate of the fallback chain (a route's ordered targets, then `local`):
 *     skip it while its endpoint's breaker is open (breaker.ts)
 *     try; on 429 / 5xx / connection failure / timeout retry with full-jitter exponential backoff,
 *     honouring the provider's Retry-After up to the cap (a longer wait falls over instead)
 *     on a quota 429 or a missing integration fall over at once
 *     on any other error (400/401/403/404: the caller's to fix) stop and throw it
 *   every candidate skipped by an open breaker → 503 provider_unavailable with Retry-After
 *
 * The attempt ends when the provider's response headers arrived with a success status: after that
 * (a stream's first byte) nothing is retried, so a client never sees two answers.
 */
import { AppError, isAppError } from '../../platform/errors.js';
import { isAbort } from '../upstream-client.js';
import { createBreakers, type BreakerTransition, type Breakers } from './breaker.js';
import type { BreakerSync } from './shared-breakers.js';
import { createLatencyStats, type LatencyStats } from './stats.js';

export interface ResilienceOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  deadlineMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** 0 turns the failure-rate rule off. */
  breakerFailureRate: number;
}

export interface Resilience {
  options: ResilienceOptions;
  breakers: Breakers;
  stats: LatencyStats;
  sleep(ms: number): Promise<void>;
  random(): number;
  /** Told of this process's own breaker opening or closing (not of transitions applied from others). */
  onBreakerTransition?(listener: (key: string, transition: BreakerTransition) => void): void;
}

/** With `sync` (shared-breakers.ts), transitions are shared with every other process. */
export function createResilience(options: ResilienceOptions, sync?: BreakerSync): Resilience {
  const listeners: Array<(key: string, transition: BreakerTransition) => void> = [];
  const breakers = createBreakers(
    { consecutiveFailures: options.breakerFailures, failureRate: options.breakerFailureRate, windowSize: 20, minSamples: 10, cooldownMs: options.breakerCooldownMs },
    Date.now,
    (key, transition) => {
      sync?.publish(key, transition);
      for (const listener of listeners) listener(key, transition);
    },
  );
  sync?.start(breakers);
  return {
    options,
    breakers,
    stats: createLatencyStats(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    onBreakerTransition: (listener) => listeners.push(listener),
  };
}

/** The breaker of one integration (quota exhausted → cooldown), next to the endpoint breakers. */
export const integrationBreakerKey = (integrationId: string) => `integration ${integrationId}`;

/** Thrown by `send` when the candidate's endpoint breaker is open: the loop skips the candidate. */
export class BreakerOpenError extends Error {
  constructor(readonly retryAfterMs: number) {
    super('circuit breaker open');
  }
}

const RETRY_CODES = new Set(['provider_rate_limited', 'provider_error', 'provider_overloaded', 'provider_timeout', 'provider_unreachable']);
const FALL_OVER_CODES = new Set(['provider_quota_exceeded', 'integration_missing', 'integration_disabled', 'local_unavailable']);

/** Failures that say the endpoint is unhealthy (they count against its breaker). */
export function isProviderFailure(error: unknown): boolean {
  return isAppError(error) && RETRY_CODES.has(error.code);
}

export type Verdict = 'retry' | 'fall_over' | 'stop';

export function verdictOf(error: unknown): Verdict {
  if (isAbort(error) || !isAppError(error)) return 'stop';
  if (RETRY_CODES.has(error.code)) return 'retry';
  if (FALL_OVER_CODES.has(error.code)) return 'fall_over';
  return 'stop';
}

/** Full-jitter exponential backoff; a provider's Retry-After is honoured exactly when under the cap. */
export function backoffMs(attempt: number, error: unknown, options: Pick<ResilienceOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number | undefined {
  const retryAfter = isAppError(error) ? error.retryAfterSeconds : undefined;
  if (retryAfter !== undefined) {
    const ms = retryAfter * 1000;
    return ms > options.maxDelayMs ? undefined : ms;
  }
  return Math.round(random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1)));
}

export interface CandidateRun<T> {
  /** How many candidates the chain has. */
  count: number;
  /** Makes candidate `index` current (target, labels) before its first attempt. */
  select(index: number): void;
  /** One attempt against the current candidate; resolves once the answer's headers arrived. */
  run(): Promise<T>;
  /** The endpoint key the last attempt was sent to (undefined if it never reached `send`). */
  endpoint(): string | undefined;
  /** The integration the last attempt used (null: none, e.g. `local`). */
  integration(): string | null;
  /** The `service/model` of the current candidate, for the stats. */
  model(): string;
  /** Wall-clock since the call started, for the deadline. */
  elapsedMs(): number;
}

export async function runChain<T>(resilience: Resilience, chain: CandidateRun<T>): Promise<T> {
  const { options, breakers, stats } = resilience;
  let lastError: unknown;
  let breakerWaitMs: number | undefined;
  for (let index = 0; index < chain.count; index += 1) {
    chain.select(index);
    for (let attempt = 1; ; attempt += 1) {
      const started = performance.now();
      try {
        const result = await chain.run();
        const endpoint = chain.endpoint();
        if (endpoint) breakers.success(endpoint);
        const integration = chain.integration();
        if (integration && breakers.state(integrationBreakerKey(integration)) !== 'closed') breakers.success(integrationBreakerKey(integration));
        stats.success(chain.model(), performance.now() - started);
        return result;
      } catch (error) {
        const endpoint = chain.endpoint();
        if (error instanceof BreakerOpenError) {
          breakerWaitMs = Math.min(breakerWaitMs ?? Number.POSITIVE_INFINITY, error.retryAfterMs);
          break;
        }
        if (isProviderFailure(error)) {
          if (endpoint) breakers.failure(endpoint);
          stats.failure(chain.model());
        } else if (endpoint) {
          breakers.release(endpoint);
        }
        // A key whose quota is exhausted is skipped for one cooldown (then probed again).
        const integration = chain.integration();
        if (integration && isAppError(error) && error.code === 'provider_quota_exceeded') breakers.trip(integrationBreakerKey(integration));
        else if (integration && breakers.state(integrationBreakerKey(integration)) !== 'closed') breakers.release(integrationBreakerKey(integration));
        const verdict = verdictOf(error);
        if (verdict === 'stop') throw error;
        lastError = error;
        if (verdict === 'fall_over' || attempt >= options.maxAttempts) break;
        // An endpoint whose breaker just opened is not retried: fall over at once.
        if (endpoint && breakers.state(endpoint) !== 'closed') break;
        const wait = backoffMs(attempt, error, options, resilience.random);
        if (wait === undefined || chain.elapsedMs() + wait > options.deadlineMs) break;
        await resilience.sleep(wait);
      }
    }
    if (chain.elapsedMs() > options.deadlineMs) break;
  }
  if (lastError !== undefined) throw lastError;
  const seconds = Math.max(1, Math.ceil((breakerWaitMs ?? 1_000) / 1000));
  throw new AppError('provider_unavailable', { retryAfterSeconds: seconds });
}
