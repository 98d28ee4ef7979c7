/**
 * The team's usage over the last 30 days (everyone's requests for the team) from the aggregates
 * endpoint: totals and a per-day table. A placeholder the lead replaces with the dashboard slice's
 * UsageDashboard in team scope.
 */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { browserTimeZone, formatMoney, formatNumber } from '../../format';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';

interface Metrics {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  unpriced_requests: number;
}

export function TeamUsageTab({ teamId }: { teamId: string }) {
  const zone = browserTimeZone();
  const usage = useQuery({
    queryKey: ['teams', teamId, 'usage', zone],
    queryFn: ({ signal }) =>
      api<{ data: Array<Metrics & { bucket: string }>; totals: Metrics }>(`/api/usage?group_by=day&team_id=${teamId}&tz=${encodeURIComponent(zone)}`, { signal }),
  });
  const totals = usage.data?.totals;
  const spend = (metrics: Metrics) => `${formatMoney(metrics.cost_micros)}${metrics.unpriced_requests > 0 ? ` + ${metrics.unpriced_requests} unpriced` : ''}`;
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-muted">Last 30 days, every member's requests for the team. Times shown in {zone}.</p>
      {usage.isError ? <LoadError what="The team's usage" onRetry={() => void usage.refetch()} /> : null}
      {totals ? (
        <dl aria-label="Team usage totals" className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          {[
            ['Requests', formatNumber(totals.requests)],
            ['Errors', formatNumber(totals.errors)],
            ['Tokens', formatNumber(totals.input_tokens + totals.output_tokens)],
            ['Spend', spend(totals)],
          ].map(([term, value]) => (
            <div key={term} className="rounded-md border border-border p-3">
              <dt className="text-sm text-muted">{term}</dt>
              <dd className="text-lg font-semibold tabular-nums">{value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {usage.data && usage.data.data.length > 0 ? (
        <TableRegion
          caption="Team usage by day"
          minWidth="28rem"
          head={
            <>
              <th scope="col" className={cell}>Day</th>
              <th scope="col" className={`${cell} text-right`}>Requests</th>
              <th scope="col" className={`${cell} text-right`}>Errors</th>
              <th scope="col" className={`${cell} text-right`}>Spend</th>
            </>
          }
        >
          {usage.data.data.map((row) => (
            <tr key={row.bucket} className="border-t border-border">
              <th scope="row" className={`${cell} font-medium`}>{row.bucket.slice(0, 10)}</th>
              <td className={`${cell} text-right tabular-nums`}>{formatNumber(row.requests)}</td>
              <td className={`${cell} text-right tabular-nums`}>{formatNumber(row.errors)}</td>
              <td className={`${cell} text-right tabular-nums`}>{spend(row)}</td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
    </div>
  );
}
