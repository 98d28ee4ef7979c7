/**
 * Logs / request explorer (WEBAPP.md §6.4): filters in the URL, a histogram of the range (uPlot,
 * lazy), the virtualised table "Requests" with keyset "Load more" and infinite scroll, the "Live"
 * tail from the tab's one event stream, and the shareable "Request details" dialog (?request=<id>).
 * The table, chart and dialog are lazy chunks: this page's own chunk stays small.
 */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useLiveEvent } from '../../api/events';
import { browserTimeZone } from '../../format';
import { Button } from '../../ui/Button';
import { LoadError } from '../../ui/DataRegion';
import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';
import { Switch } from '../../ui/Switch';
import { NotFoundPage } from '../errors/NotFoundPage';
import { logsSearch } from './search';
import { apiQuery, detailQuery, facetsQuery, FIRST_PAGE_SIZE, MAX_LIVE_ROWS, matchesFilters, PAGE_SIZE, statusClassOf, withNames, type LiveUsageRow, type LogPage, type LogRow, type LogsSearch } from './model';

const LogFilters = lazy(() => import('./LogFilters'));
const RequestsTable = lazy(() => import('./RequestsTable'));
const Histogram = lazy(() => import('./Histogram'));
const RequestDialog = lazy(() => import('./RequestDialog'));

export default function LogsPage() {
  // Validated here rather than in routes.tsx: the schema stays out of the entry chunk every page loads.
  const raw = useSearch({ strict: false }) as Record<string, unknown> & { team?: string };
  // The router reads a bare `?status=429` (a hand-written link) as the number 429; the app's own
  // links carry the string ("429" quoted). Both mean the same filter.
  const parsed = logsSearch.safeParse(typeof raw.status === 'number' ? { ...raw, status: String(raw.status) } : raw);
  const search: LogsSearch & { team?: string } = { ...(parsed.success ? parsed.data : {}), team: raw.team };
  const navigate = useNavigate();
  const zone = browserTimeZone();
  const team = search.team;
  const { request: openId, ...filters } = search;
  const listQuery = apiQuery(filters, team, zone);

  const setSearch = useCallback(
    (patch: Partial<LogsSearch>) => void navigate({ to: '/logs', search: (prev: Record<string, unknown>) => ({ ...prev, ...patch }) as never, replace: false }),
    [navigate],
  );

  const facets = useQuery(facetsQuery(team));
  const detail = useQuery({ ...detailQuery(openId ?? ''), enabled: openId !== undefined });
  const list = useInfiniteQuery({
    queryKey: ['usage', 'list', listQuery],
    queryFn: ({ signal, pageParam }) => api<LogPage>(`/api/usage?${listQuery}&limit=${pageParam ? PAGE_SIZE : FIRST_PAGE_SIZE}${pageParam ? `&cursor=${pageParam}` : ''}`, { signal }),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });

  // Live tail: rows from `usage.created` that match the filters; held back while paused.
  const [live, setLive] = useState(false);
  const [liveRows, setLiveRows] = useState<LogRow[]>([]);
  const [pending, setPending] = useState<LogRow[]>([]);
  const [scrolledDown, setScrolledDown] = useState(false);
  const [toTop, setToTop] = useState(0);
  const paused = scrolledDown || openId !== undefined;
  const latest = useRef({ search: filters, team, zone, facets: facets.data, paused });
  latest.current = { search: filters, team, zone, facets: facets.data, paused };

  useEffect(() => {
    setLiveRows([]);
    setPending([]);
  }, [listQuery]);

  useLiveEvent<LiveUsageRow>('usage.created', (row) => {
    const state = latest.current;
    if (!live || !matchesFilters(row, state.search, state.team, state.zone)) return;
    const named = withNames(row, state.facets);
    if (state.paused) setPending((rows) => [named, ...rows].slice(0, MAX_LIVE_ROWS));
    else setLiveRows((rows) => [named, ...rows].slice(0, MAX_LIVE_ROWS));
  });

  const flushPending = useCallback(() => {
    setPending((held) => {
      if (held.length > 0) setLiveRows((rows) => [...held, ...rows].slice(0, MAX_LIVE_ROWS));
      return [];
    });
  }, []);
  useEffect(() => {
    if (!paused) flushPending();
  }, [paused, flushPending]);

  // Never two page requests at once (a second call would cancel and repeat the first).
  const loadMore = useCallback(() => {
    if (!list.isFetchingNextPage) void list.fetchNextPage({ cancelRefetch: false });
  }, [list]);

  const rows = useMemo(() => {
    const fetched = list.data?.pages.flatMap((page) => page.data) ?? [];
    if (liveRows.length === 0) return fetched;
    const seen = new Set(liveRows.map((row) => row.id));
    return [...liveRows, ...fetched.filter((row) => !seen.has(row.id))];
  }, [list.data, liveRows]);

  // Another tenant's (or an unknown) request: the Not found page, and nothing of the logs.
  if (openId !== undefined && detail.error instanceof ApiError && detail.error.status === 404) return <NotFoundPage />;

  const histogramQuery = apiQuery({ ...filters, request_id: undefined, status: statusClassOf(filters.status) }, team, zone);
  return (
    <Page
      title="Logs"
      actions={<Switch label="Live" checked={live} onCheckedChange={setLive} hint={live ? (paused ? 'Paused' : 'On') : undefined} />}
    >
      {/* Lazy with the table and chart: the route chunk stays within the initial-JS budget. */}
      <Suspense fallback={<div className="min-h-40" />}>
        <LogFilters search={filters} facets={facets.data} onChange={setSearch} />
      </Suspense>
      <Suspense fallback={<div className="h-48" />}>
        <Histogram query={histogramQuery} from={filters.from} to={filters.to} zone={zone} />
      </Suspense>
      {pending.length > 0 ? (
        <div>
          <Button
            variant="primary"
            onClick={() => {
              setToTop((count) => count + 1);
              flushPending();
            }}
          >
            {pending.length === 1 ? '1 new request' : `${pending.length} new requests`}
          </Button>
        </div>
      ) : null}
      {list.isError ? <LoadError what="The requests" onRetry={() => void list.refetch()} /> : null}
      {list.isSuccess && rows.length === 0 ? <EmptyState title="No requests">No request matches these filters{filters.from || filters.to ? ' in this range' : ''}.</EmptyState> : null}
      {rows.length > 0 ? (
        <Suspense fallback={<p className="text-sm text-muted">Loading the table…</p>}>
          <RequestsTable
            rows={rows}
            zone={zone}
            hasMore={list.hasNextPage}
            loadingMore={list.isFetchingNextPage}
            onLoadMore={loadMore}
            onOpen={(row) => setSearch({ request: row.request_id })}
            onScrolledDown={setScrolledDown}
            scrollToTop={toTop}
          />
        </Suspense>
      ) : null}
      <p className="text-sm text-muted">Times in {zone}.</p>
      {openId !== undefined ? (
        <Suspense fallback={null}>
          <RequestDialog id={openId} zone={zone} onClose={() => setSearch({ request: undefined })} />
        </Suspense>
      ) : null}
    </Page>
  );
}
