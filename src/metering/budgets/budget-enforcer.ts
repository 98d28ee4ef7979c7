/**
 * Hard limits on the request path: `reserve()` before the provider call charges the request's
 * worst-case cost to every budget that applies (the caller's user, the team it acts for, the
 * platform key, the integration serving it), all or nothing; `settle()` after the call replaces
 * the reservation with the actual cost (0 on failure: a release) and fires threshold alerts.
 *
 * Which budgets apply is cached per (user, team, key, integration) for a few seconds and dropped
 * on every replica when a budget changes (`budget` invalidations). Unpriced models reserve 0 and
 * are let through (documented in docs/decisions): refusing on an unknown price would block local
 * and new models for a guess.
 */
import { and, eq, gte, inArray, or, sql } from 'drizzle-orm';
import type { Principal } from '../../http/context.js';
import { AppError } from '../../platform/errors.js';
import type { InvalidationBus } from '../../platform/invalidation.js';
import type { Logger } from '../../platform/logger.js';
import type { Database } from '../../store/db.js';
import { budgets, integrations, platformKeys, usageRecords } from '../../store/schema.js';
import type { BudgetLedger, LedgerEntry } from './budget-ledger.js';

export type BudgetScope = 'user' | 'team' | 'key' | 'integration';
export type BudgetRow = typeof budgets.$inferSelect;

/** One applicable budget: a row of `budgets`, or a key's `monthly_budget_micros` / an integration's `monthly_quota` without a row. */
export interface ApplicableBudget {
  scope: BudgetScope;
  scopeId: string;
  limitMicros: number;
  hardLimit: boolean;
  row: BudgetRow | undefined;
}

export interface Reservation {
  period: string;
  amount: number;
  budgets: ApplicableBudget[];
  /** Settled or released already (a second settle is ignored). */
  done: boolean;
  /** Held by this process alone (Redis was unreachable). */
  local?: boolean;
}

/**
 * A reservation handed from the request that made it to whoever settles it later (a video job's
 * runner, possibly in another process): plain JSON, stored with the job.
 */
export interface HeldBudgets {
  period: string;
  amount: number;
  budgets: Array<{ scope: BudgetScope; scopeId: string; budgetId: string | null }>;
}

export interface BudgetAlertSink {
  /** Called (off the hot path) with a budget whose settled spend reached some thresholds this period. */
  spent(budget: BudgetRow, period: string, spentMicros: number): void;
}

/** While the database cannot be read, how often the last known budgets are re-read. */
const RETRY_MS = 1_000;
/** Cached principal × integration combinations (oldest dropped first). */
const MAX_ENTRIES = 50_000;

/** `YYYY-MM` of a date in UTC: the budget period. */
export const periodOf = (date: Date = new Date()): string => date.toISOString().slice(0, 7);
export const periodStart = (period: string): Date => new Date(`${period}-01T00:00:00.000Z`);
export const counterKey = (scope: BudgetScope, scopeId: string, period: string) => `${scope}:${scopeId}:${period}`;

/** Settled spend of a scope in a period, from PostgreSQL's usage records. */
export async function monthSpend(db: Database, scope: BudgetScope, scopeId: string, period: string): Promise<number> {
  const column = { user: usageRecords.userId, team: usageRecords.teamId, key: usageRecords.keyId, integration: usageRecords.integrationId }[scope];
  const [row] = await db
    .select({ total: sql<string | null>`sum(${usageRecords.costMicros})` })
    .from(usageRecords)
    .where(and(eq(column, scopeId), gte(usageRecords.createdAt, periodStart(period))));
  return Number(row?.total ?? 0);
}

export function createBudgetEnforcer(deps: {
  db: Database;
  ledger: BudgetLedger;
  bus: InvalidationBus;
  logger: Logger;
  alerts?: BudgetAlertSink;
  /** How long which budgets apply is cached: a backstop only, changes invalidate it on every replica. */
  cacheTtlMs: number;
  /** Told of each refusal (the switchboard_budget_rejections_total metric). */
  onRejected?: (scope: string) => void;
}) {
  const { db, ledger, logger } = deps;
  const CACHE_TTL_MS = deps.cacheTtlMs;
  // Entries are only marked stale on change or resync, never dropped: while the database is
  // unreachable the last answer keeps serving (retried every RETRY_MS) instead of failing calls.
  const cache = new Map<string, { at: number; value: Promise<ApplicableBudget[]>; last?: ApplicableBudget[] }>();
  const expireAll = () => {
    for (const entry of cache.values()) entry.at = 0;
  };
  for (const topic of ['budget', 'platform_key', 'integration'] as const) deps.bus.subscribe(topic, expireAll);
  deps.bus.onResync(expireAll);

  async function load(principal: Pick<Principal, 'userId' | 'teamId' | 'keyId'>, integrationId: string | null): Promise<ApplicableBudget[]> {
    const scopes: Array<[BudgetScope, string]> = [['user', principal.userId]];
    if (principal.teamId) scopes.push(['team', principal.teamId]);
    if (principal.keyId) scopes.push(['key', principal.keyId]);
    if (integrationId) scopes.push(['integration', integrationId]);
    const rows = await db
      .select()
      .from(budgets)
      .where(or(...scopes.map(([scope, id]) => and(eq(budgets.scope, scope), eq(budgets.scopeId, id)))));
    const found: ApplicableBudget[] = rows.map((row) => ({ scope: row.scope, scopeId: row.scopeId, limitMicros: row.limitMicros, hardLimit: row.hardLimit, row }));
    const has = (scope: BudgetScope) => found.some((budget) => budget.scope === scope);
    if (principal.keyId && !has('key')) {
      const [key] = await db.select({ limit: platformKeys.monthlyBudgetMicros }).from(platformKeys).where(eq(platformKeys.id, principal.keyId));
      if (key?.limit != null) found.push({ scope: 'key', scopeId: principal.keyId, limitMicros: key.limit, hardLimit: true, row: undefined });
    }
    if (integrationId && !has('integration')) {
      const [integration] = await db.select({ quota: integrations.monthlyQuota }).from(integrations).where(eq(integrations.id, integrationId));
      const limit = integration?.quota?.limit_micros;
      if (typeof limit === 'number') found.push({ scope: 'integration', scopeId: integrationId, limitMicros: limit, hardLimit: true, row: undefined });
    }
    return found;
  }

  function applicable(principal: Pick<Principal, 'userId' | 'teamId' | 'keyId'>, integrationId: string | null): Promise<ApplicableBudget[]> {
    const cacheKey = `${principal.userId}|${principal.teamId ?? ''}|${principal.keyId ?? ''}|${integrationId ?? ''}`;
    const hit = cache.get(cacheKey);
    if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.value;
    const entry: { at: number; value: Promise<ApplicableBudget[]>; last?: ApplicableBudget[] } = { at: Date.now(), value: Promise.resolve([]), ...(hit?.last ? { last: hit.last } : {}) };
    entry.value = load(principal, integrationId).then(
      (found) => {
        entry.last = found;
        return found;
      },
      (error: unknown) => {
        if (!entry.last) {
          cache.delete(cacheKey);
          throw error;
        }
        entry.at = Date.now() - CACHE_TTL_MS + RETRY_MS;
        logger.warn({ err: error }, 'budgets could not be read; using the last known ones');
        return entry.last;
      },
    );
    cache.set(cacheKey, entry);
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    return entry.value;
  }

  return {
    applicable,

    /**
     * Charges `amountMicros()` (computed only when a budget applies) to every applicable budget or
     * to none; throws `budget_exceeded` when a hard budget lacks room. Answers undefined when no
     * budget applies (nothing to settle).
     */
    async reserve(principal: Pick<Principal, 'userId' | 'teamId' | 'keyId'>, integrationId: string | null, amountMicros: () => number): Promise<Reservation | undefined> {
      const found = await applicable(principal, integrationId);
      if (found.length === 0) return undefined;
      const period = periodOf();
      const amount = Math.max(0, Math.ceil(amountMicros()));
      const entries: LedgerEntry[] = found.map((budget) => ({ key: counterKey(budget.scope, budget.scopeId, period), limitMicros: budget.hardLimit ? budget.limitMicros : null }));
      const result = await ledger.reserve(entries, amount, (keys) =>
        Promise.all(keys.map((key) => {
          const budget = found[entries.findIndex((entry) => entry.key === key)]!;
          return monthSpend(db, budget.scope, budget.scopeId, period);
        })),
      );
      if (!result.ok) {
        const refused = found[entries.indexOf(result.refused!)]!;
        deps.onRejected?.(refused.scope);
        throw new AppError('budget_exceeded', {
          message: `The ${refused.scope} budget of this month (${refused.limitMicros} micro-dollars) has no room for this request's worst-case cost (${amount} micro-dollars). Lower max_tokens, raise the budget with PUT /api/budgets, or wait for next month (UTC).`,
        });
      }
      return { period, amount, budgets: found, done: false, ...(result.local ? { local: true } : {}) };
    },

    /** Replaces the reservation with the actual cost (0 releases it); never throws. */
    settle(reservation: Reservation | undefined, actualMicros: number | null): void {
      if (!reservation || reservation.done) return;
      reservation.done = true;
      const actual = Math.max(0, Math.round(actualMicros ?? 0));
      const keys = reservation.budgets.map((budget) => counterKey(budget.scope, budget.scopeId, reservation.period));
      ledger.settle(keys, reservation.amount, actual, reservation.local).then(
        (spends) => {
          if (actual === 0 || !deps.alerts) return;
          reservation.budgets.forEach((budget, index) => {
            const spent = spends[index];
            if (budget.row && spent != null) deps.alerts!.spent(budget.row, reservation.period, spent);
          });
        },
        (error: unknown) => logger.error({ err: error }, 'budget settle failed'),
      );
    },

    /**
     * Takes the reservation out of this call's hands (its `settle` becomes a no-op) for
     * `settleHeld` later, elsewhere. A reservation held on this process alone (Redis was down)
     * cannot be released by another one: it is released here, and the later settle only adds the cost.
     */
    handOff(reservation: Reservation): HeldBudgets {
      const held: HeldBudgets = {
        period: reservation.period,
        amount: reservation.local ? 0 : reservation.amount,
        budgets: reservation.budgets.map((budget) => ({ scope: budget.scope, scopeId: budget.scopeId, budgetId: budget.row?.id ?? null })),
      };
      if (!reservation.done && reservation.local) {
        const keys = reservation.budgets.map((budget) => counterKey(budget.scope, budget.scopeId, reservation.period));
        ledger.settle(keys, reservation.amount, 0, true).catch((error: unknown) => logger.error({ err: error }, 'budget settle failed'));
      }
      reservation.done = true;
      return held;
    },

    /** `settle` for a handed-off reservation (alerts included); never throws. */
    settleHeld(held: HeldBudgets, actualMicros: number | null): void {
      const actual = Math.max(0, Math.round(actualMicros ?? 0));
      const keys = held.budgets.map((budget) => counterKey(budget.scope, budget.scopeId, held.period));
      const ids = held.budgets.map((budget) => budget.budgetId).filter((id): id is string => id !== null);
      ledger
        .settle(keys, held.amount, actual)
        .then(async (spends) => {
          if (actual === 0 || !deps.alerts || ids.length === 0) return;
          const rows = await db.select().from(budgets).where(inArray(budgets.id, ids));
          held.budgets.forEach((budget, index) => {
            const row = rows.find((candidate) => candidate.id === budget.budgetId);
            const spent = spends[index];
            if (row && spent != null) deps.alerts!.spent(row, held.period, spent);
          });
        })
        .catch((error: unknown) => logger.error({ err: error }, 'budget settle failed'));
    },
  };
}

export type BudgetEnforcer = ReturnType<typeof createBudgetEnforcer>;
