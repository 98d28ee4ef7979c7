/**
 * Usage (`/usage`): the dashboard's controls plus filters, "Group by" (day/hour × model, service,
 * key, integration, status) and "Metric", a chart and the aggregate table "Usage" (always present),
 * and "Export CSV" of the raw records with the same filters (its rows and cost sum = the totals here).
 */
import { useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { describeError } from '../../api/errors';
import { formatDuration, formatMoney, formatNumber } from '../../format';
import { Button } from '../../ui/Button';
import { cellClass as cell, TableRegion } from '../../ui/DataRegion';
import { Page } from '../../ui/Page';
import { Select } from '../../ui/Select';
import { TimeSeriesChart, type ChartSeries } from '../../ui/TimeSeriesChart';
import { ControlsBar, useDashboardControls } from '../overview/controls';
import { aggregateQuery, bucketsOf, usageSearchParams, type AggregateRow, type UsageFilters, type UsageScope } from '../overview/usage-api';
import { Widget } from '../overview/Widget';
import { downloadCsv } from './export-csv';

const DIMENSIONS = [
  { value: '', label: 'no breakdown', field: null },
  { value: 'model', label: 'model', field: 'model' },
  { value: 'service', label: 'service', field: 'service' },
  { value: 'key', label: 'API key', field: 'key_id' },
  { value: 'integration', label: 'integration', field: 'integration_id' },
  { value: 'status', label: 'status', field: 'status_class' },
] as const;
const GROUPS = (['day', 'hour'] as const).flatMap((time) => DIMENSIONS.map((d) => ({ value: d.value ? `${time},${d.value}` : time, label: `${time === 'day' ? 'Day' : 'Hour'}${d.value ? ` × ${d.label}` : ''}` })));
const METRICS = {
  spend: { label: 'Spend', pick: (r: AggregateRow) => r.cost_micros, format: (v: number) => formatMoney(v), additive: true },
  requests: { label: 'Requests', pick: (r: AggregateRow) => r.requests, format: (v: number) => formatNumber(v), additive: true },
  tokens: { label: 'Tokens', pick: (r: AggregateRow) => r.input_tokens + r.output_tokens, format: (v: number) => formatNumber(v), additive: true },
  errors: { label: 'Errors', pick: (r: AggregateRow) => r.errors, format: (v: number) => formatNumber(v), additive: true },
  p95: { label: 'p95 latency', pick: (r: AggregateRow) => r.latency_p95_ms, format: (v: number) => formatDuration(v), additive: false },
} as const;
type MetricKey = keyof typeof METRICS;
const STATUSES = [
  { value: '', label: 'Any status' },
  { value: 'success', label: 'Successful (< 400)' },
  { value: 'error', label: 'Errors (≥ 400)' },
  { value: '2xx', label: '2xx' },
  { value: '4xx', label: '4xx' },
  { value: '5xx', label: '5xx' },
];

export function UsageView() {
  const controls = useDashboardControls();
  const { period, tz, setSearch } = controls;
  const search = useSearch({ strict: false }) as UsageFilters & { team?: string; group?: string; metric?: MetricKey };
  const scope: UsageScope = search.team ? { kind: 'team', teamId: search.team } : { kind: 'user' };
  const time = period.hourly ? 'hour' : 'day';
  const group = GROUPS.some((g) => g.value === search.group) ? search.group! : time;
  const metric: MetricKey = search.metric ?? 'spend';
  const filters: UsageFilters = { model: search.model, service: search.service, status: search.status, key_id: search.key_id, integration_id: search.integration_id };
  const range = { from: period.from, to: period.to, tz };
  const query = useQuery(aggregateQuery(scope, { group_by: group, ...range, filters }));
  const models = useQuery(aggregateQuery(scope, { group_by: 'day,model', ...range }));
  const [exporting, setExporting] = useState<{ busy: boolean; message: string }>({ busy: false, message: '' });
  const dimension = DIMENSIONS.find((d) => d.value === (group.split(',')[1] ?? ''))!;
  const hourly = group.startsWith('hour');
  const m = METRICS[metric];

  const modelOptions = useMemo(() => {
    const names = new Set((models.data?.data ?? []).map((row) => row.model ?? ''));
    if (search.model) names.add(search.model);
    return [{ value: '', label: 'All models' }, ...[...names].filter(Boolean).sort().map((name) => ({ value: name, label: name }))];
  }, [models.data, search.model]);

  const chart = useMemo(() => {
    const rows = query.data?.data ?? [];
    const { x, labels, index } = bucketsOf(rows, tz, hourly);
    const keyOf = (row: AggregateRow) => (dimension.field ? String(row[dimension.field] ?? 'none') : m.label);
    const weight = new Map<string, number>();
    for (const row of rows) weight.set(keyOf(row), (weight.get(keyOf(row)) ?? 0) + row.requests);
    const top = [...weight.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([name]) => name);
    const series: ChartSeries[] = top.map((name) => {
      const values: Array<number | null> = x.map(() => (m.additive ? 0 : null));
      for (const row of rows) if (keyOf(row) === name) values[index.get(row.bucket)!] = m.pick(row);
      return { label: name, values };
    });
    return { x, xLabels: labels, series };
  }, [query.data, tz, hourly, dimension, m]);

  const exportCsv = async () => {
    setExporting({ busy: true, message: 'Preparing the CSV…' });
    try {
      const params = usageSearchParams(scope, { ...range, filters });
      const filename = await downloadCsv(`/api/usage.csv?${params.toString()}`);
      setExporting({ busy: false, message: `Downloaded ${filename}` });
    } catch (error) {
      setExporting({ busy: false, message: `Export failed: ${describeError(error)}` });
    }
  };
  const formatBucket = new Intl.DateTimeFormat('en-GB', hourly ? { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' } : { timeZone: tz, dateStyle: 'medium' });

  return (
    <Page
      title="Usage"
      actions={
        <Button variant="primary" busy={exporting.busy} onClick={() => void exportCsv()}>
          Export CSV
        </Button>
      }
    >
      <p role="status" className="text-sm empty:hidden">{exporting.message}</p>
      <ControlsBar controls={controls} />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Select label="Model" value={search.model ?? ''} options={modelOptions} onChange={(e) => setSearch({ model: e.target.value || undefined })} />
        <Select label="Status" value={search.status ?? ''} options={STATUSES} onChange={(e) => setSearch({ status: e.target.value || undefined })} />
        <Select label="Group by" value={group} options={GROUPS} onChange={(e) => setSearch({ group: e.target.value })} />
        <Select label="Metric" value={metric} options={Object.entries(METRICS).map(([value, def]) => ({ value, label: def.label }))} onChange={(e) => setSearch({ metric: e.target.value })} />
      </div>
      <Widget label="Usage" query={query} minHeight={400}>
        {(data) => (
          <div className="grid gap-4">
            <p data-testid="usage-totals" className="text-sm">
              Totals: <span data-total="requests">{formatNumber(data.totals.requests)} requests</span> · <span data-total="cost">{formatMoney(data.totals.cost_micros)}</span>
              {data.totals.unpriced_requests > 0 ? ` · ${formatNumber(data.totals.unpriced_requests)} unpriced requests` : ''} · {formatNumber(data.totals.errors)} errors
            </p>
            <TimeSeriesChart caption={`${m.label} by ${hourly ? 'hour' : 'day'}${dimension.value ? ` and ${dimension.label}` : ''}`} kind={m.additive ? 'bars' : 'lines'} stacked={m.additive} {...chart} format={m.format} timeZone={tz} hourly={hourly} />
            <TableRegion
              caption="Usage"
              minWidth="44rem"
              head={[hourly ? 'Hour' : 'Day', ...(dimension.field ? [dimension.label[0]!.toUpperCase() + dimension.label.slice(1)] : []), 'Requests', 'Errors', 'Tokens', 'Spend', 'p95'].map((h) => (
                <th key={h} scope="col" className={cell}>{h}</th>
              ))}
            >
              {data.data.length === 0 ? (
                <tr>
                  <td colSpan={7} className={cell}>No requests match these filters.</td>
                </tr>
              ) : (
                data.data.map((row) => (
                  <tr key={`${row.bucket}|${dimension.field ? String(row[dimension.field]) : ''}`} className="border-t border-border">
                    <th scope="row" className={`${cell} font-normal`}>{formatBucket.format(new Date(row.bucket))}</th>
                    {dimension.field ? <td className={`${cell} break-all`}>{String(row[dimension.field] ?? 'none')}</td> : null}
                    <td className={`${cell} tabular-nums`}>{formatNumber(row.requests)}</td>
                    <td className={`${cell} tabular-nums`}>{formatNumber(row.errors)}</td>
                    <td className={`${cell} tabular-nums`}>{formatNumber(row.input_tokens + row.output_tokens)}</td>
                    <td className={`${cell} tabular-nums`}>{row.requests > 0 && row.unpriced_requests === row.requests ? 'unpriced' : formatMoney(row.cost_micros)}</td>
                    <td className={`${cell} tabular-nums`}>{row.latency_p95_ms === null ? '—' : formatDuration(row.latency_p95_ms)}</td>
                  </tr>
                ))
              )}
            </TableRegion>
          </div>
        )}
      </Widget>
    </Page>
  );
}
