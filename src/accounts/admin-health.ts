/**
 * The platform part of GET /api/admin/health: database, Redis and migrations (the readiness
 * checks), the job queue (depth, oldest queued job's age, running), worker heartbeats, circuit
 * breakers counted per provider and listed per integration (ids and states only, never owners
 * or keys), and the error rate by source over the last 15 minutes of usage (read as a ULID range
 * of the primary key: no index of its own).
 */
import { sql } from 'drizzle-orm';
import { encodeTime } from 'ulid';
import type { BreakerView } from '../gateway/resilience/breaker.js';
import { readWorkerBeats, type WorkerBeat } from '../jobs/worker-heartbeat.js';
import type { RedisConnections } from '../platform/redis.js';
import type { Database } from '../store/db.js';

const WINDOW_MS = 15 * 60 * 1000;
type State = 'closed' | 'open' | 'half_open';

export function createAdminHealth(deps: { db: Database; redis: RedisConnections | undefined }) {
  async function queue() {
    const result = await deps.db.execute<{ queued: string; running: string; oldest: string | null }>(sql`
      select count(*) filter (where status = 'queued') as queued,
        count(*) filter (where status = 'running') as running,
        min(run_at) filter (where status = 'queued') as oldest
      from jobs where status in ('queued', 'running')`);
    const row = result.rows[0];
    const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
    return {
      depth: Number(row?.queued ?? 0),
      running: Number(row?.running ?? 0),
      oldest_queued_age_seconds: oldest === null ? null : Math.max(0, Math.round((Date.now() - oldest) / 1000)),
    };
  }

  async function errors() {
    const since = Date.now() - WINDOW_MS;
    const result = await deps.db.execute<{ source: string | null; n: string }>(sql`
      select error_source as source, count(*) as n from usage_records
      where id >= ${`${encodeTime(since, 10)}${'0'.repeat(16)}`} and created_at >= ${new Date(since).toISOString()}::timestamptz
      group by error_source`);
    const counts = { user: 0, provider: 0, platform: 0 };
    let total = 0;
    for (const row of result.rows) {
      const n = Number(row.n);
      total += n;
      if (row.source === 'user' || row.source === 'provider' || row.source === 'platform') counts[row.source] += n;
    }
    const rate = (n: number) => (total === 0 ? 0 : Math.round((n / total) * 10_000) / 10_000);
    return {
      window_minutes: 15,
      requests: total,
      errors: counts,
      error_rate: { user: rate(counts.user), provider: rate(counts.provider), platform: rate(counts.platform) },
    };
  }

  /** The service of each failing integration (one query; ids and services only, never owners). */
  async function servicesOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const result = await deps.db.execute<{ id: string; service: string }>(sql`select id, service from integrations where id = any(${sql.param(ids)}::text[])`);
    return new Map(result.rows.map((row) => [row.id, row.service]));
  }

  function breakers(list: BreakerView[]) {
    const providers = new Map<string, Record<State, number>>();
    const integrations: Array<{ id: string; state: State; retry_after_ms: number }> = [];
    const integrationCounts: Record<State, number> = { closed: 0, open: 0, half_open: 0 };
    for (const breaker of list) {
      const [head, rest] = [breaker.key.slice(0, breaker.key.indexOf(' ')), breaker.key.slice(breaker.key.indexOf(' ') + 1)];
      if (head === 'integration') {
        integrationCounts[breaker.state] += 1;
        if (breaker.state !== 'closed') integrations.push({ id: rest, state: breaker.state, retry_after_ms: breaker.retry_after_ms });
        continue;
      }
      const counts = providers.get(head) ?? { closed: 0, open: 0, half_open: 0 };
      counts[breaker.state] += 1;
      providers.set(head, counts);
    }
    return {
      per_provider: [...providers.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([service, counts]) => ({ service, ...counts })),
      per_integration: { ...integrationCounts, not_closed: integrations },
    };
  }

  return {
    async snapshot(input: { checks: Record<string, string>; breakers: BreakerView[] }): Promise<{
      db: string;
      redis: string;
      migrations: string;
      jobs: Awaited<ReturnType<typeof queue>> | null;
      workers: WorkerBeat[] | null;
      breaker_counts: ReturnType<typeof breakers> & { per_integration: { not_closed: Array<{ id: string; service: string | null }> } };
      errors_15m: Awaited<ReturnType<typeof errors>> | null;
    }> {
      const settle = <T>(work: Promise<T>) => work.catch(() => null);
      const counts = breakers(input.breakers);
      const [jobs, workers, errors15, services] = await Promise.all([settle(queue()), settle(readWorkerBeats(deps.redis)), settle(errors()), settle(servicesOf(counts.per_integration.not_closed.map((row) => row.id)))]);
      const breakerCounts = { ...counts, per_integration: { ...counts.per_integration, not_closed: counts.per_integration.not_closed.map((row) => ({ ...row, service: services?.get(row.id) ?? null })) } };
      return {
        db: input.checks.db ?? 'unknown',
        redis: input.checks.redis ?? 'unknown',
        migrations: input.checks.migrations ?? 'unknown',
        jobs,
        workers,
        breaker_counts: breakerCounts,
        errors_15m: errors15,
      };
    },
  };
}

export type AdminHealth = ReturnType<typeof createAdminHealth>;
