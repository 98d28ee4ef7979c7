/**
 * What the integration list and detail show beside the stored status: the circuit breaker
 * (the worse of the endpoint's and the integration's own, read from this process, no I/O) and,
 * from usage of the last 24 hours, `requests_24h` and `latency_p50_ms` (of the requests that
 * succeeded; null when there were none). One grouped query for a whole page, never one per row.
 * Usage ids are ULIDs (time-ordered), so the query is a range scan of the owner's existing index
 * (usage_records (user_id, id) or (team_id, id)) from the first id of 24 hours ago: no new index.
 */
import { sql } from 'drizzle-orm';
import { encodeTime } from 'ulid';
import { liveStatusOf, worseBreaker, type LiveStatus } from '../events/integration-status.js';
import type { BreakerState } from '../gateway/resilience/breaker.js';
import { breakerKey } from '../gateway/resilience/breaker.js';
import type { ServiceId } from '../gateway/providers/provider.js';
import { integrationBreakerKey, type Resilience } from '../gateway/resilience/resilience.js';
import type { Database } from '../store/db.js';
import type { OwnerRef } from './envelope.js';
import type { IntegrationView } from './integrations.service.js';

const DAY_MS = 24 * 3600 * 1000;

export interface IntegrationStatsFields {
  /** The status the live `integration.status` event carries (healthy | degraded | failing | disabled | unchecked). */
  health: LiveStatus;
  breaker: BreakerState;
  latency_p50_ms: number | null;
  requests_24h: number;
  /** The latest request within the last 24 hours (null: none in that window). */
  last_used_at: string | null;
  /** Spend through it this calendar month (UTC), against its monthly_quota (null: no quota). */
  quota_spent_micros: number | null;
}

export function createIntegrationStats(deps: { db: Database; resilience: Pick<Resilience, 'breakers'>; providerBaseUrls: Record<ServiceId, string | undefined> }) {
  function breakerOf(view: { id: string; service: string; base_url: string | null }): BreakerState {
    const baseUrl = view.base_url ?? deps.providerBaseUrls[view.service as ServiceId];
    const endpoint = baseUrl ? deps.resilience.breakers.state(breakerKey(view.service, baseUrl)) : 'closed';
    return worseBreaker(endpoint, deps.resilience.breakers.state(integrationBreakerKey(view.id)));
  }

  async function usageOf(owner: OwnerRef, ids: string[]): Promise<Map<string, { requests: number; p50: number | null; last: string | null }>> {
    if (ids.length === 0) return new Map();
    const since = Date.now() - DAY_MS;
    const firstId = `${encodeTime(since, 10)}${'0'.repeat(16)}`;
    const result = await deps.db.execute<{ integration_id: string; requests: string; p50: number | null; last_used: string | Date | null }>(sql`
      select integration_id, count(*) as requests, max(created_at) as last_used,
        percentile_disc(0.5) within group (order by latency_ms) filter (where status < 400) as p50
      from usage_records
      where ${owner.kind === 'user' ? sql`user_id = ${owner.id}` : sql`team_id = ${owner.id}`} and id >= ${firstId}
        and integration_id = any(${sql.param(ids)}::text[]) and created_at > ${new Date(since).toISOString()}::timestamptz
      group by integration_id`);
    return new Map(result.rows.map((row) => [row.integration_id, { requests: Number(row.requests), p50: row.p50 === null ? null : Number(row.p50), last: row.last_used === null ? null : new Date(row.last_used).toISOString() }]));
  }

  /** This month's (UTC) spend of the integrations that have a quota: one grouped query, only when any has one. */
  async function monthSpendOf(owner: OwnerRef, ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const now = new Date();
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const firstId = `${encodeTime(monthStart, 10)}${'0'.repeat(16)}`;
    const result = await deps.db.execute<{ integration_id: string; spent: string | null }>(sql`
      select integration_id, sum(cost_micros) as spent
      from usage_records
      where ${owner.kind === 'user' ? sql`user_id = ${owner.id}` : sql`team_id = ${owner.id}`} and id >= ${firstId}
        and integration_id = any(${sql.param(ids)}::text[]) and created_at >= ${new Date(monthStart).toISOString()}::timestamptz
      group by integration_id`);
    return new Map(result.rows.map((row) => [row.integration_id, Number(row.spent ?? 0)]));
  }

  return {
    breakerOf,

    /** The views with their breaker and 24-hour usage (one query for all of them). */
    async enrich<T extends IntegrationView>(owner: OwnerRef, views: T[]): Promise<Array<T & IntegrationStatsFields>> {
      const [usage, spent] = await Promise.all([
        usageOf(owner, views.map((view) => view.id)),
        monthSpendOf(owner, views.filter((view) => view.monthly_quota).map((view) => view.id)),
      ]);
      return views.map((view) => {
        const breaker = breakerOf(view);
        const health = liveStatusOf({ id: view.id, ownerTeamId: view.team_id, status: view.status, lastError: view.last_error, lastCheckedAt: view.last_checked_at ? new Date(view.last_checked_at) : null, disabledAt: view.disabled_at ? new Date(view.disabled_at) : null, disabledReason: view.disabled_reason }, breaker);
        return {
          ...view,
          health,
          breaker,
          latency_p50_ms: usage.get(view.id)?.p50 ?? null,
          requests_24h: usage.get(view.id)?.requests ?? 0,
          last_used_at: usage.get(view.id)?.last ?? null,
          quota_spent_micros: view.monthly_quota ? (spent.get(view.id) ?? 0) : null,
        };
      });
    },

    /** One view with its breaker and 24-hour usage. */
    async one<T extends IntegrationView>(owner: OwnerRef, view: T): Promise<T & IntegrationStatsFields> {
      return (await this.enrich(owner, [view]))[0]!;
    },
  };
}

export type IntegrationStats = ReturnType<typeof createIntegrationStats>;
