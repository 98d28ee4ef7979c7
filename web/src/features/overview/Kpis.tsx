/** The KPI tiles: totals of the period against the previous period of the same length. */
import { Badge } from '../../ui/Badge';
import { KpiTile } from '../../ui/KpiTile';
import { formatDuration, formatMoney, formatNumber, formatPercent } from '../../format';
import { changeOf, type Metrics } from './usage-api';

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
const ms = (value: number | null) => (value === null ? '—' : formatDuration(value));

export function KpiTiles({ totals, previous }: { totals: Metrics; previous: Metrics | undefined }) {
  const prev = (pick: (m: Metrics) => number | null) => (previous ? changeOf(pick(totals), pick(previous)) : undefined);
  const priced = totals.requests - totals.unpriced_requests;
  const spend = priced === 0 && totals.unpriced_requests > 0 ? 'unpriced' : formatMoney(totals.cost_micros);
  const { user, provider, platform } = totals.errors_by_source;
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-4">
      <KpiTile title="Spend" value={spend} change={prev((m) => m.cost_micros)}>
        <span className="flex flex-wrap items-center gap-2">
          {totals.unpriced_requests > 0 ? <span>{formatNumber(totals.unpriced_requests)} unpriced requests</span> : null}
          {totals.estimated_requests > 0 ? <Badge tone="warn">estimated</Badge> : null}
        </span>
      </KpiTile>
      <KpiTile title="Requests" value={formatNumber(totals.requests)} change={prev((m) => m.requests)} />
      <KpiTile title="Tokens" value={formatNumber(totals.input_tokens + totals.output_tokens)} change={prev((m) => m.input_tokens + m.output_tokens)}>
        {formatNumber(totals.input_tokens)} in · {formatNumber(totals.output_tokens)} out
      </KpiTile>
      <KpiTile title="Error rate" value={formatPercent(rate(totals.errors, totals.requests))} change={prev((m) => rate(m.errors, m.requests))} riseIsBad>
        User {formatPercent(rate(user, totals.requests))} · Provider {formatPercent(rate(provider, totals.requests))} · Platform {formatPercent(rate(platform, totals.requests))}
      </KpiTile>
      <KpiTile title="Latency p95" value={ms(totals.latency_p95_ms)} change={prev((m) => m.latency_p95_ms)} riseIsBad />
      <KpiTile title="Time to first token p50" value={ms(totals.ttft_p50_ms)} change={prev((m) => m.ttft_p50_ms)} riseIsBad />
      <KpiTile title="Fallback rate" value={formatPercent(rate(totals.fallback_requests, totals.requests))} change={prev((m) => rate(m.fallback_requests, m.requests))} riseIsBad />
    </div>
  );
}
