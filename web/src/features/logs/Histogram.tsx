/**
 * Requests over the range as bars, errors as a second series (uPlot, loaded with this lazy chunk
 * only). Hourly buckets up to 7 days, daily beyond; the range is the filters' (default: the last
 * 7 days). The canvas has a text summary, and "Show data table" renders the same numbers.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from '../../api/client';
import type { UsageAggregate } from '../../api/types';
import { formatNumber } from '../../format';
import { Button } from '../../ui/Button';
import { LoadError } from '../../ui/DataRegion';

const DAY_MS = 24 * 3600 * 1000;

function rangeOf(from: string | undefined, to: string | undefined): { from: string; to: string; granularity: 'hour' | 'day' } {
  const end = to ?? new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000).toISOString();
  const start = from ?? new Date(Date.parse(end.length === 10 ? `${end}T00:00:00Z` : end) - 7 * DAY_MS).toISOString();
  const span = Date.parse(end.length === 10 ? `${end}T00:00:00Z` : end) - Date.parse(start.length === 10 ? `${start}T00:00:00Z` : start);
  return { from: start, to: end, granularity: span <= 7 * DAY_MS ? 'hour' : 'day' };
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

export default function Histogram({ query, from, to, zone }: { query: string; from: string | undefined; to: string | undefined; zone: string }) {
  const range = rangeOf(from, to);
  const params = new URLSearchParams(query);
  params.set('group_by', range.granularity);
  params.set('from', range.from);
  params.set('to', range.to);
  const aggregate = useQuery({
    queryKey: ['usage', 'histogram', params.toString()],
    queryFn: ({ signal }) => api<UsageAggregate>(`/api/usage?${params.toString()}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const [table, setTable] = useState(false);
  const host = useRef<HTMLDivElement>(null);
  const data = aggregate.data;

  useEffect(() => {
    const element = host.current;
    if (!element || !data) return;
    const xs = data.data.map((row) => Date.parse(row.bucket) / 1000);
    const bars = uPlot.paths.bars?.({ size: [0.8, 40] });
    const plot = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: 160,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
        legend: { show: false },
        cursor: { show: true, drag: { x: false, y: false } },
        axes: [{ stroke: cssVar('--sb-muted'), grid: { stroke: cssVar('--sb-border') } }, { stroke: cssVar('--sb-muted'), grid: { stroke: cssVar('--sb-border') } }],
        series: [
          {},
          { label: 'Requests', fill: cssVar('--sb-accent'), stroke: cssVar('--sb-accent'), paths: bars, points: { show: false } },
          { label: 'Errors', fill: cssVar('--sb-danger'), stroke: cssVar('--sb-danger'), paths: bars, points: { show: false } },
        ],
      },
      [xs, data.data.map((row) => row.requests), data.data.map((row) => row.errors)],
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(200, element.clientWidth), height: 160 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [data, zone]);

  if (aggregate.isError) return <LoadError what="The histogram" onRetry={() => void aggregate.refetch()} />;
  const summary = data ? `${formatNumber(data.totals.requests)} requests, ${formatNumber(data.totals.errors)} errors, per ${range.granularity}` : 'Loading';
  const bucketLabel = (bucket: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, month: 'short', day: 'numeric', ...(range.granularity === 'hour' ? { hour: '2-digit', minute: '2-digit' } : {}) }).format(new Date(bucket));
  return (
    <figure className="flex flex-col gap-2 rounded-md border border-border bg-surface p-3">
      <figcaption className="flex flex-wrap items-center justify-between gap-2 text-sm font-medium">
        <span>Requests over time ({summary})</span>
        <Button onClick={() => setTable((shown) => !shown)} aria-expanded={table}>
          {table ? 'Hide data table' : 'Show data table'}
        </Button>
      </figcaption>
      <p className="flex gap-4 text-xs text-muted">
        <span className="inline-flex items-center gap-1"><span aria-hidden="true" className="inline-block h-3 w-3 bg-accent" />Requests (bars)</span>
        <span className="inline-flex items-center gap-1"><span aria-hidden="true" className="inline-block h-3 w-3 bg-danger" />Errors (bars in front)</span>
      </p>
      <div ref={host} role="img" aria-label={`Histogram of requests: ${summary}`} className="min-h-40 w-full overflow-hidden" />
      {table && data ? (
        <div role="region" aria-label="Requests over time table" tabIndex={0} className="max-h-64 overflow-auto">
          <table className="w-full text-sm">
            <caption className="sr-only">Requests over time</caption>
            <thead>
              <tr>
                <th scope="col" className="px-2 text-left">{range.granularity === 'hour' ? 'Hour' : 'Day'}</th>
                <th scope="col" className="px-2 text-right">Requests</th>
                <th scope="col" className="px-2 text-right">Errors</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((row) => (
                <tr key={row.bucket}>
                  <td className="px-2">{bucketLabel(row.bucket)}</td>
                  <td className="px-2 text-right tabular-nums">{formatNumber(row.requests)}</td>
                  <td className="px-2 text-right tabular-nums">{formatNumber(row.errors)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </figure>
  );
}
