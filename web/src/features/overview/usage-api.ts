/**
 * The usage aggregates as the dashboard reads them (GET /api/usage?group_by=…, or
 * /api/admin/usage for the global scope: the same shape), the period a date-range choice means in
 * a zone, and the dashboard's controls in the URL (range, from, to, tz).
 */
import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Schemas } from '../../api/types';
import type { DateRangeValue, RangePreset } from '../../ui/DateRangePicker';

export type UsageScope = { kind: 'user' } | { kind: 'team'; teamId: string } | { kind: 'global' };

export type Metrics = Schemas['UsageMetrics'];
export type AggregateRow = Schemas['UsageAggregateRow'];
export type Aggregate = Schemas['UsageAggregate'];

export interface UsageFilters {
  model?: string;
  service?: string;
  key_id?: string;
  integration_id?: string;
  status?: string;
}

export interface Period {
  from: string;
  to: string;
  prevFrom: string;
  prevTo: string;
  hourly: boolean;
}

const DAY = 86_400_000;
const QUARTER = 900_000;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const spanDays = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

/** Today's date (YYYY-MM-DD) in the zone. */
export const todayIn = (timeZone: string, now = Date.now()) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);

/**
 * Day ranges are whole days in the zone (YYYY-MM-DD bounds: the server reads them as local
 * midnight), ending with today; "Last 24 hours" ends at the next quarter hour (stable for 15 min).
 * Custom `to` is inclusive on screen, so the query ends the day after. The previous period has the
 * same length and ends where this one starts.
 */
export function periodOf(value: DateRangeValue, timeZone: string, now = Date.now()): Period {
  if (value.range === '24h') {
    const end = Math.ceil(now / QUARTER) * QUARTER;
    const iso = (ms: number) => new Date(ms).toISOString();
    return { from: iso(end - DAY), to: iso(end), prevFrom: iso(end - 2 * DAY), prevTo: iso(end - DAY), hourly: true };
  }
  const today = todayIn(timeZone, now);
  let from: string;
  let to: string;
  if (value.range === 'custom' && value.from && value.to) {
    from = value.from <= value.to ? value.from : value.to;
    to = addDays(value.from <= value.to ? value.to : value.from, 1);
  } else {
    const days = value.range === '30d' ? 30 : 7;
    to = addDays(today, 1);
    from = addDays(to, -days);
  }
  const days = Math.max(1, spanDays(from, to));
  return { from, to, prevFrom: addDays(from, -days), prevTo: from, hourly: days <= 2 };
}

export interface DashboardSearch {
  range?: RangePreset;
  from?: string;
  to?: string;
  tz?: string;
}

export const rangeOf = (search: DashboardSearch): DateRangeValue => ({ range: search.range ?? '7d', from: search.from, to: search.to });

function scopePath(scope: UsageScope): { path: string; team?: string } {
  if (scope.kind === 'global') return { path: '/api/admin/usage' };
  return { path: '/api/usage', ...(scope.kind === 'team' ? { team: scope.teamId } : {}) };
}

export function usageSearchParams(scope: UsageScope, params: { from: string; to: string; tz: string; filters?: UsageFilters; group_by?: string }): URLSearchParams {
  const search = new URLSearchParams();
  if (params.group_by) search.set('group_by', params.group_by);
  search.set('from', params.from);
  search.set('to', params.to);
  search.set('tz', params.tz);
  const { team } = scopePath(scope);
  if (team) search.set('team_id', team);
  for (const [key, value] of Object.entries(params.filters ?? {})) if (value) search.set(key, value);
  return search;
}

/** One aggregate query: its own cache entry per scope and parameters, the previous data kept meanwhile. */
export const aggregateQuery = (scope: UsageScope, params: { group_by: string; from: string; to: string; tz: string; filters?: UsageFilters }) =>
  queryOptions({
    queryKey: ['usage-aggregate', scope, params],
    queryFn: ({ signal }) => api<Aggregate>(`${scopePath(scope).path}?${usageSearchParams(scope, params).toString()}`, { signal }),
    // keepPreviousData, written out (importing it would grow the entry chunk, where react-query lives).
    placeholderData: <T>(previous: T) => previous,
    staleTime: 30_000,
  });

/** Bucket starts of the rows, sorted and unique (ms), with their labels in the zone. */
export function bucketsOf(rows: AggregateRow[], timeZone: string, hourly: boolean): { x: number[]; labels: string[]; index: Map<string, number> } {
  const starts = [...new Set(rows.map((row) => row.bucket))].sort((a, b) => Date.parse(a) - Date.parse(b));
  const format = new Intl.DateTimeFormat('en-GB', hourly ? { timeZone, dateStyle: 'medium', timeStyle: 'short' } : { timeZone, dateStyle: 'medium' });
  return { x: starts.map((s) => Date.parse(s)), labels: starts.map((s) => format.format(new Date(s))), index: new Map(starts.map((s, i) => [s, i])) };
}

/** Relative change, null when the previous period had nothing. */
export const changeOf = (current: number | null, previous: number | null): number | null =>
  current === null || previous === null || previous === 0 ? null : (current - previous) / previous;

/** Sum the metrics of many rows (the percentiles cannot be summed: the worst bucket's is kept). */
export function sumRows(rows: AggregateRow[]): Metrics {
  const total: Metrics = { requests: 0, errors: 0, errors_by_source: { user: 0, provider: 0, platform: 0 }, input_tokens: 0, output_tokens: 0, cost_micros: 0, unpriced_requests: 0, estimated_requests: 0, latency_p50_ms: null, latency_p95_ms: null, latency_p99_ms: null, ttft_p50_ms: null, fallback_requests: 0 };
  const max = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  for (const row of rows) {
    total.requests += row.requests;
    total.errors += row.errors;
    total.errors_by_source.user += row.errors_by_source.user;
    total.errors_by_source.provider += row.errors_by_source.provider;
    total.errors_by_source.platform += row.errors_by_source.platform;
    total.input_tokens += row.input_tokens;
    total.output_tokens += row.output_tokens;
    total.cost_micros += row.cost_micros;
    total.unpriced_requests += row.unpriced_requests;
    total.estimated_requests += row.estimated_requests;
    total.fallback_requests += row.fallback_requests;
    total.latency_p50_ms = max(total.latency_p50_ms, row.latency_p50_ms);
    total.latency_p95_ms = max(total.latency_p95_ms, row.latency_p95_ms);
    total.ttft_p50_ms = max(total.ttft_p50_ms, row.ttft_p50_ms);
  }
  return total;
}

/** localStorage: the time zone each user chose (per user, this browser). */
const zoneKey = (userId: string) => `switchboard.tz.${userId}`;
export function savedZone(userId: string | undefined): string | undefined {
  try {
    return userId ? (localStorage.getItem(zoneKey(userId)) ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}
export function saveZone(userId: string | undefined, zone: string): void {
  try {
    if (userId) localStorage.setItem(zoneKey(userId), zone);
  } catch {
    // Without storage the zone lasts as long as the URL.
  }
}
