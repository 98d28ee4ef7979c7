/**
 * "Health": cards Database, Redis, Migrations, Job queue (depth, oldest job age), Workers
 * (heartbeat); the table "Circuit breakers" (per provider and integration counts by state; failing
 * integrations by id and service only); the error rate by source over 15 minutes. Polls every 5 s
 * and refreshes on `integration.status`.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { useLiveEvent } from '../../api/events';
import { browserTimeZone, formatDateTime, formatDuration, formatNumber, formatPercent } from '../../format';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import type { AdminHealth } from './admin-api';

const KEY = ['admin', 'health'];

function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="rounded-lg border border-border bg-surface p-4">
      <h2 className="text-sm font-semibold">{title}</h2>
      <div className="mt-1 text-sm">{children}</div>
    </section>
  );
}

export default function AdminHealthTab() {
  const client = useQueryClient();
  const health = useQuery({ queryKey: KEY, queryFn: ({ signal }) => api<AdminHealth>('/api/admin/health', { signal }), refetchInterval: 5_000 });
  useLiveEvent('integration.status', () => void client.invalidateQueries({ queryKey: KEY }));
  const zone = browserTimeZone();
  if (health.isError) return <LoadError what="Health" onRetry={() => void health.refetch()} />;
  const data = health.data;
  if (!data) return <p className="text-sm text-muted">Loading…</p>;
  const counts = data.breaker_counts;
  const errors = data.errors_15m;
  return (
    <div className="flex flex-col gap-4">
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <Card title="Database">{data.db}</Card>
        <Card title="Redis">{data.redis}</Card>
        <Card title="Migrations">{data.migrations}</Card>
        <Card title="Job queue">
          {data.jobs ? (
            <>
              Depth {formatNumber(data.jobs.depth)}, running {formatNumber(data.jobs.running)}; oldest queued job{' '}
              {data.jobs.oldest_queued_age_seconds === null ? 'none' : formatDuration(data.jobs.oldest_queued_age_seconds * 1000)}
            </>
          ) : (
            'Unavailable'
          )}
        </Card>
        <Card title="Workers">
          {data.workers && data.workers.length > 0
            ? data.workers.map((worker) => (
                <p key={worker.id}>
                  {worker.id}: {worker.alive ? 'alive' : 'silent'}, last beat {formatDateTime(worker.last_beat_at, zone)}
                </p>
              ))
            : 'No heartbeat'}
        </Card>
        <Card title="Errors, last 15 min">
          {errors
            ? `${formatNumber(errors.requests)} requests; user ${formatPercent(errors.error_rate.user)}, provider ${formatPercent(errors.error_rate.provider)}, platform ${formatPercent(errors.error_rate.platform)}`
            : 'Unavailable'}
        </Card>
      </div>
      {counts ? (
        <TableRegion
          caption="Circuit breakers"
          minWidth="32rem"
          head={
            <>
              <th scope="col" className={cell}>Endpoint</th>
              <th scope="col" className={cell}>Closed</th>
              <th scope="col" className={cell}>Open</th>
              <th scope="col" className={cell}>Half-open</th>
            </>
          }
        >
          {counts.per_provider.map((row) => (
            <tr key={row.service} className="border-t border-border">
              <th scope="row" className={`${cell} font-medium`}>Provider {row.service}</th>
              <td className={cell}>{row.closed}</td>
              <td className={cell}>{row.open}</td>
              <td className={cell}>{row.half_open}</td>
            </tr>
          ))}
          <tr className="border-t border-border">
            <th scope="row" className={`${cell} font-medium`}>Integrations</th>
            <td className={cell}>{counts.per_integration.closed}</td>
            <td className={cell}>{counts.per_integration.open}</td>
            <td className={cell}>{counts.per_integration.half_open}</td>
          </tr>
        </TableRegion>
      ) : null}
      {counts && counts.per_integration.not_closed.length > 0 ? (
        <section aria-labelledby="failing-integrations" className="text-sm">
          <h2 id="failing-integrations" className="font-semibold">Failing integrations</h2>
          <ul className="list-disc pl-5">
            {counts.per_integration.not_closed.map((row) => (
              <li key={row.id}>
                <span className="font-mono">{row.id}</span> ({row.service ?? 'deleted'}): {row.state === 'open' ? 'open' : 'half-open'}, retry in {formatDuration(row.retry_after_ms)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
