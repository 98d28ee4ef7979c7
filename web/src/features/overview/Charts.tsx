/** The four overview charts; each its own widget (query, skeleton, error, "Updating…"). */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { formatDuration, formatMoney, formatNumber } from '../../format';
import { Select } from '../../ui/Select';
import { Switch } from '../../ui/Switch';
import { TimeSeriesChart, type ChartSeries } from '../../ui/TimeSeriesChart';
import { aggregateQuery, bucketsOf, type Aggregate, type AggregateRow, type Metrics, type UsageScope } from './usage-api';
import { Widget } from './Widget';

export interface ChartContext {
  scope: UsageScope;
  from: string;
  to: string;
  tz: string;
  hourly: boolean;
  onDrawn: (caption: string) => void;
}

const CHART_HEIGHT = 220;
const SKELETON = CHART_HEIGHT + 110;
const money = (value: number) => formatMoney(value);
const count = (value: number) => formatNumber(Math.round(value));
const duration = (value: number) => formatDuration(value);

/** One value per bucket of `pick` over the rows (missing buckets: 0, or null for percentiles). */
function seriesOf(data: Aggregate, tz: string, hourly: boolean, columns: Array<{ label: string; pick: (row: Metrics) => number | null }>) {
  const { x, labels, index } = bucketsOf(data.data, tz, hourly);
  const series: ChartSeries[] = columns.map((column) => {
    const values: Array<number | null> = x.map(() => null);
    for (const row of data.data) values[index.get(row.bucket)!] = column.pick(row);
    return { label: column.label, values };
  });
  return { x, xLabels: labels, series };
}

export const seriesQuery = (ctx: Pick<ChartContext, 'scope' | 'from' | 'to' | 'tz' | 'hourly'>) =>
  aggregateQuery(ctx.scope, { group_by: ctx.hourly ? 'hour' : 'day', from: ctx.from, to: ctx.to, tz: ctx.tz });

export function SpendChart(ctx: ChartContext) {
  const [by, setBy] = useState<'model' | 'service'>('model');
  const query = useQuery(aggregateQuery(ctx.scope, { group_by: `${ctx.hourly ? 'hour' : 'day'},${by}`, from: ctx.from, to: ctx.to, tz: ctx.tz }));
  const chart = useMemo(() => {
    if (!query.data) return null;
    const rows = query.data.data;
    const cost = new Map<string, number>();
    for (const row of rows) cost.set(row[by] ?? '', (cost.get(row[by] ?? '') ?? 0) + row.cost_micros);
    const top = [...cost.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name]) => name);
    const groupOf = (row: AggregateRow) => (top.includes(row[by] ?? '') ? (row[by] ?? '') : 'Other');
    const names = [...top, ...(cost.size > top.length ? ['Other'] : [])];
    const { x, labels, index } = bucketsOf(rows, ctx.tz, ctx.hourly);
    const series: ChartSeries[] = names.map((name) => {
      const values: Array<number | null> = x.map(() => 0);
      for (const row of rows) if (groupOf(row) === name) values[index.get(row.bucket)!]! += row.cost_micros;
      return { label: name || 'Unknown', values };
    });
    return { x, xLabels: labels, series };
  }, [query.data, by, ctx.tz, ctx.hourly]);
  return (
    <Widget label="Spend over time" query={query} minHeight={SKELETON}>
      {() => (
        <div className="grid gap-2">
          <div className="max-w-48">
            <Select label="Group spend by" value={by} onChange={(e) => setBy(e.target.value as 'model' | 'service')} options={[{ value: 'model', label: 'Model' }, { value: 'service', label: 'Service' }]} />
          </div>
          {chart ? <TimeSeriesChart caption="Spend over time" kind="bars" stacked {...chart} format={money} timeZone={ctx.tz} hourly={ctx.hourly} height={CHART_HEIGHT} onDrawn={() => ctx.onDrawn('spend')} /> : null}
        </div>
      )}
    </Widget>
  );
}

export function RequestsChart(ctx: ChartContext) {
  const query = useQuery(seriesQuery(ctx));
  return (
    <Widget label="Requests and errors" query={query} minHeight={SKELETON}>
      {(data) => (
        <TimeSeriesChart
          caption="Requests and errors"
          kind="bars"
          stacked
          {...seriesOf(data, ctx.tz, ctx.hourly, [
            { label: 'Successful', pick: (m) => m.requests - m.errors },
            { label: 'User errors', pick: (m) => m.errors_by_source.user },
            { label: 'Provider errors', pick: (m) => m.errors_by_source.provider },
            { label: 'Platform errors', pick: (m) => m.errors_by_source.platform },
          ])}
          format={count}
          timeZone={ctx.tz}
          hourly={ctx.hourly}
          height={CHART_HEIGHT}
          onDrawn={() => ctx.onDrawn('requests')}
        />
      )}
    </Widget>
  );
}

export function LatencyChart(ctx: ChartContext) {
  const query = useQuery(seriesQuery(ctx));
  const [ttft, setTtft] = useState(false);
  return (
    <Widget label="Latency" query={query} minHeight={SKELETON}>
      {(data) => (
        <div className="grid gap-2">
          <Switch label="Show time to first token p50" checked={ttft} onCheckedChange={setTtft} />
          <TimeSeriesChart
            caption="Latency"
            {...seriesOf(data, ctx.tz, ctx.hourly, [
              { label: 'p50', pick: (m) => m.latency_p50_ms },
              { label: 'p95', pick: (m) => m.latency_p95_ms },
              ...(ttft ? [{ label: 'Time to first token p50', pick: (m: Metrics) => m.ttft_p50_ms }] : []),
            ])}
            format={duration}
            timeZone={ctx.tz}
            hourly={ctx.hourly}
            height={CHART_HEIGHT}
            onDrawn={() => ctx.onDrawn('latency')}
          />
        </div>
      )}
    </Widget>
  );
}

export function TokensChart(ctx: ChartContext) {
  const query = useQuery(seriesQuery(ctx));
  return (
    <Widget label="Tokens" query={query} minHeight={SKELETON}>
      {(data) => (
        <TimeSeriesChart
          caption="Tokens"
          kind="bars"
          stacked
          {...seriesOf(data, ctx.tz, ctx.hourly, [
            { label: 'Input tokens', pick: (m) => m.input_tokens },
            { label: 'Output tokens', pick: (m) => m.output_tokens },
          ])}
          format={count}
          timeZone={ctx.tz}
          hourly={ctx.hourly}
          height={CHART_HEIGHT}
          onDrawn={() => ctx.onDrawn('tokens')}
        />
      )}
    </Widget>
  );
}
