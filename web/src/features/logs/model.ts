/**
 * The Logs page's state and data shapes: its URL search params (WEBAPP.md §4.2 "URL is the state"),
 * the API query built from them, and the live-row filter (a `usage.created` row is shown only when it
 * matches what the server would have returned).
 */
import type * as z from 'zod/mini';

import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { ApiResponse, Schemas } from '../../api/types';
import type { logsSearch } from './search';

export type LogsSearch = z.infer<typeof logsSearch>;
export type LogFilterKey = Exclude<keyof LogsSearch, 'request'>;

/** A row of GET /api/usage (names of its key and integration included). */
export type LogRow = Schemas['UsageLogRow'];
/** A `usage.created` event: the same row without the names (withNames adds them from the facets). */
export type LiveUsageRow = Schemas['UsageRecord'];
/** GET /api/usage without group_by: a page of rows (with group_by it answers an aggregate). */
export type LogPage = Extract<ApiResponse<'/api/usage'>, { next_cursor: unknown }>;
export type Attempt = Schemas['UsageAttempt'];
export type LogDetail = Schemas['UsageDetail'];
export type Facets = Schemas['UsageFacets'];

const FILTER_KEYS: LogFilterKey[] = ['model', 'service', 'key_id', 'integration_id', 'status', 'error_source', 'fallback', 'request_id', 'from', 'to'];

/** The query string of GET /api/usage (list or aggregate) for the filters, scope and zone. */
export function apiQuery(search: LogsSearch, team: string | undefined, zone: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = search[key];
    if (value) params.set(key, value);
  }
  if (team) params.set('team_id', team);
  params.set('tz', zone);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}

const STATUS_RANGES: Record<string, [number, number]> = {
  success: [0, 400],
  error: [400, 1000],
  '2xx': [200, 300],
  '3xx': [300, 400],
  '4xx': [400, 500],
  '5xx': [500, 600],
};

/**
 * Does a live row belong in the table? The same conditions as the server's list. Dates given as
 * YYYY-MM-DD are compared by the row's day in the zone (close enough for a live tail, which only
 * shows what arrives now).
 */
export function matchesFilters(row: LiveUsageRow, search: LogsSearch, team: string | undefined, zone: string): boolean {
  if (team && row.team_id !== team) return false;
  if (search.model && row.model !== search.model) return false;
  if (search.service && row.service !== search.service) return false;
  if (search.key_id && row.key_id !== search.key_id) return false;
  if (search.integration_id && row.integration_id !== search.integration_id) return false;
  if (search.error_source && row.error_source !== search.error_source) return false;
  if (search.fallback && !row.fallback) return false;
  if (search.request_id && row.request_id !== search.request_id && row.id !== search.request_id) return false;
  if (search.status) {
    const [low, high] = STATUS_RANGES[search.status] ?? [Number(search.status), Number(search.status) + 1];
    if (row.status < low || row.status >= high) return false;
  }
  const at = Date.parse(row.created_at);
  const bound = (value: string) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) - offsetMs(zone, at) : Date.parse(value));
  if (search.from && at < bound(search.from)) return false;
  if (search.to && at >= bound(search.to)) return false;
  return true;
}

/** The zone's UTC offset at an instant, in ms. */
function offsetMs(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at / 1000) * 1000;
}

/** Fill a live row's names from the facets already loaded (no per-row fetch). */
export function withNames(row: LiveUsageRow & Partial<LogRow>, facets: Facets | undefined): LogRow {
  const key = row.key_id ? facets?.keys.find((candidate) => candidate.id === row.key_id) : undefined;
  const integration = row.integration_id ? facets?.integrations.find((candidate) => candidate.id === row.integration_id) : undefined;
  return {
    ...row,
    key_name: row.key_name ?? key?.name ?? null,
    key_last4: row.key_last4 ?? key?.key_last4 ?? null,
    integration_name: row.integration_name ?? integration?.name ?? null,
    integration_last4: row.integration_last4 ?? integration?.key_last4 ?? null,
  };
}

/** The status choices the "Status" field suggests; anything parseStatusFilter accepts may be typed. */
export const STATUS_PRESETS: Array<{ value: string; label: string }> = [
  { value: 'success', label: 'Success (< 400)' },
  { value: 'error', label: 'Errors (≥ 400)' },
  ...['2xx', '3xx', '4xx', '5xx'].map((value) => ({ value, label: `Class ${value}` })),
  ...[400, 401, 403, 404, 408, 413, 422, 429, 499, 500, 502, 503, 504].map((code) => ({ value: String(code), label: `Exactly ${code}` })),
];

export const STATUS_HINT = 'A code such as 429, a class such as 4xx, success or error; empty for any status.';

/**
 * A typed "Status" filter as GET /api/usage takes it (usage-aggregate.http.ts): success, error, a
 * class 2xx–5xx, or an exact code 100–599. Case and spaces are forgiven ("4XX ", " 429").
 * `value: undefined` means any status.
 */
export function parseStatusFilter(input: string): { value: string | undefined } | { error: string } {
  const text = input.trim().toLowerCase();
  if (text === '') return { value: undefined };
  if (/^(success|error|[2-5]xx)$/.test(text)) return { value: text };
  if (/^\d{3}$/.test(text) && Number(text) >= 100 && Number(text) <= 599) return { value: text };
  return { error: `“${input.trim().slice(0, 20)}” is not a status filter. Enter a code from 100 to 599 (such as 429), a class (2xx, 3xx, 4xx or 5xx), success or error.` };
}

/** The histogram's status filter: the rollup keeps classes, so an exact status (429) draws its class (4xx). */
export const statusClassOf = (status: string | undefined) => (status && /^\d{3}$/.test(status) ? `${status[0]}xx` : status);

export const MAX_LIVE_ROWS = 500;
/** The first page is small (fast first paint); the next ones larger (fewer round trips while scrolling). */
export const FIRST_PAGE_SIZE = 100;
export const PAGE_SIZE = 500;

export const facetsQuery = (team: string | undefined) =>
  queryOptions({
    queryKey: ['usage', 'facets', team ?? null],
    queryFn: ({ signal }) => api<Facets>(`/api/usage/facets${team ? `?team_id=${team}` : ''}`, { signal }),
    staleTime: 60_000,
  });

export const detailQuery = (id: string) =>
  queryOptions({
    queryKey: ['usage', 'detail', id],
    queryFn: ({ signal }) => api<LogDetail>(`/api/usage/${encodeURIComponent(id)}`, { signal }),
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });

export function modelLabel(row: Pick<LogRow, 'requested_model' | 'service' | 'model'>): string {
  const requested = row.requested_model;
  if (!requested || requested === row.model || requested === `${row.service}/${row.model}`) return row.model;
  return `${requested} → ${row.model}`;
}

export function integrationLabel(row: Pick<LogRow, 'integration_id' | 'integration_name' | 'integration_last4' | 'service'>): string {
  if (!row.integration_id) return row.service === 'local' ? 'Local model' : '—';
  return `${row.integration_name ?? 'Integration'} …${row.integration_last4 ?? ''}`;
}

