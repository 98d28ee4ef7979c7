/**
 * The usage dashboard, reusable by scope: `{kind:'user'}` (Overview), `{kind:'team', teamId}` (a
 * team's Usage tab), `{kind:'global'}` (Admin → Usage, from /api/admin/usage). Controls live in the
 * URL; every widget has its own query and fails alone. When every query has settled and the four
 * charts have drawn, `performance.mark('overview-ready')` is set once (WEBAPP.md §6.7).
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useCallback, useEffect, useRef, useState } from 'react';
import { EmptyState } from '../../ui/EmptyState';
import { LatencyChart, RequestsChart, seriesQuery, SpendChart, TokensChart, type ChartContext } from './Charts';
import { ControlsBar, useDashboardControls } from './controls';
import { HealthStrip } from './HealthStrip';
import { KpiTiles } from './Kpis';
import { BudgetBar, RecentAlerts } from './Side';
import { TopTable } from './TopTables';
import { aggregateQuery, type UsageScope } from './usage-api';
import { Widget } from './Widget';

export type { UsageScope } from './usage-api';

const CHARTS = 4;

export function UsageDashboard({ scope }: { scope: UsageScope }) {
  const controls = useDashboardControls();
  const { period, tz } = controls;
  const base = { scope, from: period.from, to: period.to, tz, hourly: period.hourly };
  const series = useQuery(seriesQuery(base));
  const previous = useQuery(aggregateQuery(scope, { group_by: 'day', from: period.prevFrom, to: period.prevTo, tz }));
  const [drawn, setDrawn] = useState<Set<string>>(() => new Set());
  const onDrawn = useCallback((name: string) => setDrawn((set) => (set.has(name) ? set : new Set(set).add(name))), []);
  const marked = useRef(false);
  const empty = series.data !== undefined && !series.isPlaceholderData && series.data.totals.requests === 0;
  useEffect(() => {
    if (marked.current || series.isFetching || previous.isFetching || series.isPending) return;
    if (empty || series.isError || drawn.size >= CHARTS) {
      marked.current = true;
      performance.mark('overview-ready');
    }
  }, [drawn, empty, series.isFetching, previous.isFetching, series.isPending, series.isError]);
  const ctx: ChartContext = { ...base, onDrawn };

  return (
    <div className="grid gap-6">
      <ControlsBar controls={controls} />
      <Widget label="Key figures" query={series} minHeight={280}>
        {(data) =>
          empty ? (
            <EmptyState title="No requests yet" action={<Link to="/quickstart" className="text-accent underline">Go to Quick start</Link>}>
              Nothing was recorded in this period. Make a request with an API key and it shows here.
            </EmptyState>
          ) : (
            <KpiTiles totals={data.totals} previous={previous.data?.totals} />
          )
        }
      </Widget>
      {scope.kind !== 'global' ? (
        <div className="grid gap-6 lg:grid-cols-2">
          <BudgetBar scope={scope} tz={tz} />
          <RecentAlerts tz={tz} />
        </div>
      ) : null}
      {empty ? null : (
        <>
          <div className="grid gap-6 xl:grid-cols-2">
            <SpendChart {...ctx} />
            <RequestsChart {...ctx} />
            <LatencyChart {...ctx} />
            <TokensChart {...ctx} />
          </div>
          <div className="grid gap-6">
            <TopTable {...base} dimension="model" />
            <TopTable {...base} dimension="key" />
            <TopTable {...base} dimension="integration" />
          </div>
        </>
      )}
      {scope.kind !== 'global' ? <HealthStrip scope={scope} /> : null}
    </div>
  );
}
