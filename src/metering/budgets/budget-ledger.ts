/**
 * Budget counters per budget per calendar month (UTC): `spent` (settled actual cost) and `held`
 * (worst-case cost reserved by calls in flight). A reservation is all-or-nothing across every
 * budget that applies to a call: either each hard budget has room for `spent + held + amount`
 * and all are charged, or none is.
 *
 * - Redis (several replicas): one Lua script per operation, so the check and the charge are one
 *   atomic step across processes. A counter missing in Redis (new month, flushed Redis) is
 *   initialised from PostgreSQL's spend of the month, which the caller supplies on a retry.
 * - In-process (the embedded default, one replica): the same semantics in a Map; JavaScript's
 *   single thread makes check-and-charge atomic.
 * - Redis unreachable: the AI path keeps serving on the in-process ledger (per-replica limits
 *   until Redis returns), logged once per outage.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger.js';

export interface LedgerEntry {
  /** Counter key, e.g. `user:01H…:2026-12`. */
  key: string;
  /** Micro-dollars; null for a soft budget (charged and tracked, never refused). */
  limitMicros: number | null;
}

export interface LedgerReserveResult {
  ok: boolean;
  /** The first entry without room, when !ok. */
  refused?: LedgerEntry;
  /** Held on this process only (Redis was unreachable): settle it with `local` too. */
  local?: boolean;
}

export interface BudgetLedger {
  /** Atomically charges `amount` to every entry's `held`; `initial(keys)` supplies month spend for missing counters. */
  reserve(entries: LedgerEntry[], amount: number, initial: (keys: string[]) => Promise<number[]>): Promise<LedgerReserveResult>;
  /**
   * Moves `reserved` out of `held` and adds `actual` to `spent`; answers each entry's `spent` after
   * (null: counter gone). `local`: the reservation was held on this process (see reserve).
   */
  settle(keys: string[], reserved: number, actual: number, local?: boolean): Promise<Array<number | null>>;
  /** Current `spent` and `held` of one counter (null when it was never initialised). */
  read(key: string): Promise<{ spent: number; held: number } | null>;
}

const COUNTER_TTL_SECONDS = 40 * 24 * 3600;
/** Past this, a Redis answer is abandoned for the in-process ledger (a hung Redis must not hang calls). */
export const BUDGET_REDIS_TIMEOUT_MS = 250;
const REDIS_PREFIX = 'switchboard:budget:';

// KEYS: counters. ARGV: amount, ttl, then per key its limit (-1: soft) and initial spend ('' = none).
const RESERVE_SCRIPT = `
local amount = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local n = #KEYS
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    local init = ARGV[2 + n + i]
    if init == '' then return -1 end
    redis.call('HSET', KEYS[i], 'spent', init, 'held', 0)
    redis.call('EXPIRE', KEYS[i], ttl)
  end
end
for i = 1, n do
  local limit = tonumber(ARGV[2 + i])
  if limit >= 0 then
    local spent = tonumber(redis.call('HGET', KEYS[i], 'spent') or '0')
    local held = tonumber(redis.call('HGET', KEYS[i], 'held') or '0')
    if spent + held + amount > limit then return i end
  end
end
for i = 1, n do redis.call('HINCRBY', KEYS[i], 'held', amount) end
return 0
`;

// KEYS: counters. ARGV: reserved, actual. Answers each counter's spent after (-1: gone).
const SETTLE_SCRIPT = `
local reserved = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    if reserved > 0 then
      local held = redis.call('HINCRBY', KEYS[i], 'held', -reserved)
      if held < 0 then redis.call('HSET', KEYS[i], 'held', 0) end
    end
    out[i] = redis.call('HINCRBY', KEYS[i], 'spent', tonumber(ARGV[2]))
  else
    out[i] = -1
  end
end
return out
`;

export function createMemoryLedger(): BudgetLedger {
  const counters = new Map<string, { spent: number; held: number }>();
  return {
    async reserve(entries, amount, initial) {
      const missing = entries.filter((entry) => !counters.has(entry.key)).map((entry) => entry.key);
      if (missing.length > 0) {
        const spends = await initial(missing);
        // Another call may have initialised a counter while this one read PostgreSQL: first wins.
        missing.forEach((key, index) => {
          if (!counters.has(key)) counters.set(key, { spent: spends[index] ?? 0, held: 0 });
        });
      }
      // From here on synchronous: no other call interleaves between the check and the charge.
      for (const entry of entries) {
        const counter = counters.get(entry.key)!;
        if (entry.limitMicros !== null && counter.spent + counter.held + amount > entry.limitMicros) return { ok: false, refused: entry };
      }
      for (const entry of entries) counters.get(entry.key)!.held += amount;
      return { ok: true };
    },
    async settle(keys, reserved, actual) {
      return keys.map((key) => {
        const counter = counters.get(key);
        if (!counter) return null;
        counter.held = Math.max(0, counter.held - reserved);
        counter.spent += actual;
        return counter.spent;
      });
    },
    async read(key) {
      const counter = counters.get(key);
      return counter ? { ...counter } : null;
    },
  };
}

export function createRedisLedger(client: Redis, logger: Logger): BudgetLedger {
  const fallback = createMemoryLedger();
  let degraded = false;
  const onRedisError = (error: unknown) => {
    if (!degraded) logger.warn({ err: { message: (error as Error).message } }, 'budget counters unavailable in Redis: enforcing per replica until it returns');
    degraded = true;
  };
  const healthy = () => {
    if (degraded) logger.info('budget counters back on Redis');
    degraded = false;
  };
  const redisKeys = (keys: string[]) => keys.map((key) => REDIS_PREFIX + key);
  /** One script run, abandoned after BUDGET_REDIS_TIMEOUT_MS; `late` sees an abandoned run's answer. */
  function run<T>(script: string, keys: string[], args: Array<string | number>, late?: (answer: T) => void): Promise<T> {
    const answer = client.eval(script, keys.length, ...keys, ...args) as Promise<T>;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (late) answer.then(late, () => undefined);
        reject(new Error(`no answer from redis within ${BUDGET_REDIS_TIMEOUT_MS} ms`));
      }, BUDGET_REDIS_TIMEOUT_MS);
    });
    answer.catch(() => undefined);
    return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
  }
  return {
    async reserve(entries, amount, initial) {
      const keys = redisKeys(entries.map((entry) => entry.key));
      const limits = entries.map((entry) => String(entry.limitMicros ?? -1));
      // A reservation Redis made after we stopped waiting for it is released again.
      const releaseLate = (answer: number) => {
        if (answer === 0) run(SETTLE_SCRIPT, keys, [amount, 0]).catch(() => undefined);
      };
      try {
        let answer = await run<number>(RESERVE_SCRIPT, keys, [amount, COUNTER_TTL_SECONDS, ...limits, ...keys.map(() => '')], releaseLate);
        if (answer === -1) {
          const spends = await initial(entries.map((entry) => entry.key));
          answer = await run<number>(RESERVE_SCRIPT, keys, [amount, COUNTER_TTL_SECONDS, ...limits, ...spends.map(String)], releaseLate);
        }
        healthy();
        return answer === 0 ? { ok: true } : { ok: false, refused: entries[answer - 1]! };
      } catch (error) {
        if (isRedisFailure(error)) {
          onRedisError(error);
          return { ...(await fallback.reserve(entries, amount, initial)), local: true };
        }
        throw error;
      }
    },
    async settle(keys, reserved, actual, local) {
      // A reservation held on this process is released here; its cost still goes to Redis's
      // shared `spent` when Redis answers (best effort: while it is down, only this process knows).
      const here = local ? await fallback.settle(keys, reserved, actual) : undefined;
      try {
        const answer = await run<number[]>(SETTLE_SCRIPT, redisKeys(keys), [local ? 0 : reserved, actual]);
        return answer.map((spent) => (spent < 0 ? null : spent));
      } catch (error) {
        onRedisError(error);
        // A Redis reservation stays held there (until its counter expires); the cost is kept here.
        return here ?? fallback.settle(keys, 0, actual);
      }
    },
    async read(key) {
      try {
        const [spent, held] = await client.hmget(REDIS_PREFIX + key, 'spent', 'held');
        return spent === null ? null : { spent: Number(spent), held: Number(held ?? 0) };
      } catch {
        return fallback.read(key);
      }
    },
  };
}

/** Connection-level failures (Redis down); anything else is a bug and propagates. */
function isRedisFailure(error: unknown): boolean {
  const message = (error as Error | undefined)?.message ?? '';
  return !/ERR .*script|NOSCRIPT|WRONGTYPE/i.test(message);
}
