/**
 * Circuit breakers per provider endpoint (service + base URL origin), in process.
 *
 *   closed ──(N consecutive failures, or failure rate ≥ R over the last W outcomes)──▶ open
 *   open ──(cooldown elapsed)──▶ half_open: exactly one probe is let through
 *   half_open ──probe succeeds──▶ closed;  ──probe fails──▶ open (cooldown restarts)
 *
 * Only provider-side failures count (5xx, 429 rate limits, connection failures, timeouts); a
 * caller's 4xx says nothing about the endpoint's health. Opening and closing are reported through
 * `onTransition` and other processes' transitions arrive through `apply` (shared-breakers.ts shares
 * them through Redis); half-open is local, so each process sends its own single probe.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  consecutiveFailures: number;
  /** Failure rate (0..1) over the window that opens the breaker, once the window holds `minSamples`. */
  failureRate: number;
  windowSize: number;
  minSamples: number;
  cooldownMs: number;
}

export const defaultBreakerOptions: BreakerOptions = { consecutiveFailures: 5, failureRate: 0.5, windowSize: 20, minSamples: 10, cooldownMs: 30_000 };

interface Breaker {
  state: BreakerState;
  consecutive: number;
  window: boolean[];
  openedAt: number;
  closedAt: number;
  probeInFlight: boolean;
}

export interface BreakerView {
  key: string;
  state: BreakerState;
  consecutive_failures: number;
  failure_rate: number;
  retry_after_ms: number;
}

/** Base URL → origin, remembered: parsing a URL on every call was ~1 % of a proxied request's CPU. */
const origins = new Map<string, string>();
const MAX_REMEMBERED_ORIGINS = 1_000;

/** The breaker of an endpoint: its service and the origin of its base URL. */
export function breakerKey(service: string, baseUrl: string): string {
  let origin = origins.get(baseUrl);
  if (origin === undefined) {
    origin = baseUrl;
    try {
      origin = new URL(baseUrl).origin;
    } catch {
      // Keep the raw value: it still identifies the endpoint.
    }
    // Base URLs are the operator's and the integrations' (bounded in practice); a flood of distinct ones starts over.
    if (origins.size >= MAX_REMEMBERED_ORIGINS) origins.clear();
    origins.set(baseUrl, origin);
  }
  return `${service} ${origin}`;
}

/** A transition as shared between processes: `at` is when it opened (open) or closed (closed), epoch ms. */
export interface BreakerTransition {
  state: 'open' | 'closed';
  at: number;
}

export function createBreakers(
  options: BreakerOptions = defaultBreakerOptions,
  now: () => number = Date.now,
  onTransition: (key: string, transition: BreakerTransition) => void = () => undefined,
) {
  const breakers = new Map<string, Breaker>();
  const get = (key: string): Breaker => {
    let breaker = breakers.get(key);
    if (!breaker) {
      breaker = { state: 'closed', consecutive: 0, window: [], openedAt: 0, closedAt: 0, probeInFlight: false };
      breakers.set(key, breaker);
      keyOf.set(breaker, key);
    }
    return breaker;
  };
  const keyOf = new WeakMap<Breaker, string>();
  const open = (breaker: Breaker) => {
    breaker.state = 'open';
    breaker.openedAt = now();
    breaker.probeInFlight = false;
    onTransition(keyOf.get(breaker)!, { state: 'open', at: breaker.openedAt });
  };
  const push = (breaker: Breaker, ok: boolean) => {
    breaker.window.push(ok);
    if (breaker.window.length > options.windowSize) breaker.window.shift();
  };
  const rate = (breaker: Breaker) => (breaker.window.length === 0 ? 0 : breaker.window.filter((ok) => !ok).length / breaker.window.length);

  return {
    /**
     * May a request go to this endpoint now? `probe` is true when it is the half-open probe (the
     * caller must then report its outcome). Returns the milliseconds left when refused.
     */
    acquire(key: string): { allowed: true; probe: boolean } | { allowed: false; retryAfterMs: number } {
      const breaker = breakers.get(key);
      if (!breaker || breaker.state === 'closed') return { allowed: true, probe: false };
      const left = breaker.openedAt + options.cooldownMs - now();
      if (breaker.state === 'open' && left <= 0) breaker.state = 'half_open';
      if (breaker.state === 'half_open' && !breaker.probeInFlight) {
        breaker.probeInFlight = true;
        return { allowed: true, probe: true };
      }
      return { allowed: false, retryAfterMs: Math.max(left, 1_000) };
    },
    success(key: string) {
      const breaker = get(key);
      push(breaker, true);
      breaker.consecutive = 0;
      if (breaker.state !== 'closed') {
        breaker.state = 'closed';
        breaker.window = [];
        breaker.probeInFlight = false;
        breaker.closedAt = now();
        onTransition(key, { state: 'closed', at: breaker.closedAt });
      }
    },
    /** Another process's transition: applied when it is newer than what this process knows. */
    apply(key: string, transition: BreakerTransition) {
      const breaker = get(key);
      if (transition.state === 'open') {
        if (breaker.state === 'closed' && transition.at > breaker.closedAt) {
          breaker.state = 'open';
          breaker.openedAt = transition.at;
          breaker.probeInFlight = false;
        } else if (breaker.state !== 'closed' && transition.at > breaker.openedAt) {
          breaker.state = 'open';
          breaker.openedAt = transition.at;
          breaker.probeInFlight = false;
        }
      } else if (breaker.state !== 'closed' && transition.at > breaker.openedAt) {
        breaker.state = 'closed';
        breaker.window = [];
        breaker.consecutive = 0;
        breaker.probeInFlight = false;
        breaker.closedAt = transition.at;
      }
    },
    failure(key: string) {
      const breaker = get(key);
      push(breaker, false);
      breaker.consecutive += 1;
      if (breaker.state === 'half_open') return open(breaker);
      if (breaker.state === 'open') return;
      if (breaker.consecutive >= options.consecutiveFailures) return open(breaker);
      if (options.failureRate > 0 && breaker.window.length >= options.minSamples && rate(breaker) >= options.failureRate) open(breaker);
    },
    /** Opens the breaker now (an integration whose quota is exhausted: skipped for one cooldown). */
    trip(key: string) {
      const breaker = get(key);
      if (breaker.state !== 'open') open(breaker);
    },
    /** A probe that ended without a verdict (e.g. a caller's 4xx): let the next request probe. */
    release(key: string) {
      const breaker = breakers.get(key);
      if (breaker) breaker.probeInFlight = false;
    },
    state(key: string): BreakerState {
      return breakers.get(key)?.state ?? 'closed';
    },
    list(): BreakerView[] {
      return [...breakers.entries()].map(([key, breaker]) => ({
        key,
        state: breaker.state,
        consecutive_failures: breaker.consecutive,
        failure_rate: Math.round(rate(breaker) * 1000) / 1000,
        retry_after_ms: breaker.state === 'open' ? Math.max(0, breaker.openedAt + options.cooldownMs - now()) : 0,
      }));
    },
  };
}

export type Breakers = ReturnType<typeof createBreakers>;
