/**
 * The table "Requests", virtualised with @tanstack/react-virtual: only the rows in view (plus an
 * overscan) are in the DOM, whatever is loaded (≤ 100 `tr`, WEBAPP.md §6.7). Scrolling near the end
 * loads the next keyset page (infinite scroll); "Load more" does the same by hand. A "Columns"
 * chooser hides columns. A row click (or its request id button) opens "Request details".
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { formatDuration, formatMoney, formatNumber } from '../../format';
import { Badge } from '../../ui/Badge';
import { Button } from '../../ui/Button';
import { integrationLabel, modelLabel, type LogRow } from './model';

const ROW_HEIGHT = 44;
const OVERSCAN = 12;
const LOAD_AHEAD = 30;

const SOURCE_WORDS = { user: 'User', provider: 'Provider', platform: 'Platform' } as const;

function timeOf(value: string, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(value));
}

interface Column {
  id: string;
  label: string;
  cell: (row: LogRow, zone: string, open: (row: LogRow) => void) => ReactNode;
  numeric?: boolean;
}

const COLUMNS: Column[] = [
  { id: 'time', label: 'Time', cell: (row, zone) => <time dateTime={row.created_at}>{timeOf(row.created_at, zone)}</time> },
  {
    id: 'request',
    label: 'Request ID',
    cell: (row, _zone, open) => (
      <span className="inline-flex items-center gap-1">
        <button type="button" className="min-h-11 font-mono text-xs text-accent underline" onClick={(event) => (event.stopPropagation(), open(row))}>
          {row.request_id}
        </button>
        <button
          type="button"
          aria-label={`Copy request ID ${row.request_id}`}
          className="min-h-11 min-w-11 rounded border border-border text-xs"
          onClick={(event) => {
            event.stopPropagation();
            void navigator.clipboard?.writeText(row.request_id).catch(() => undefined);
          }}
        >
          Copy
        </button>
      </span>
    ),
  },
  { id: 'model', label: 'Model', cell: (row) => modelLabel(row) },
  { id: 'integration', label: 'Integration', cell: (row) => integrationLabel(row) },
  { id: 'key', label: 'API key', cell: (row) => (row.key_id ? (row.key_name ?? 'Key') : 'Session') },
  { id: 'status', label: 'Status', cell: (row) => row.status, numeric: true },
  { id: 'error_source', label: 'Error source', cell: (row) => (row.error_source ? SOURCE_WORDS[row.error_source] : '—') },
  { id: 'tokens', label: 'Tokens in / out', cell: (row) => `${row.input_tokens === null ? '—' : formatNumber(row.input_tokens)} / ${row.output_tokens === null ? '—' : formatNumber(row.output_tokens)}`, numeric: true },
  {
    id: 'cost',
    label: 'Cost',
    cell: (row) => (
      <span className="inline-flex items-center gap-1">
        {row.priced ? formatMoney(row.cost_micros) : 'unpriced'}
        {row.estimated ? <Badge tone="warn">estimated</Badge> : null}
      </span>
    ),
    numeric: true,
  },
  { id: 'latency', label: 'Latency', cell: (row) => formatDuration(row.latency_ms), numeric: true },
  { id: 'ttft', label: 'TTFT', cell: (row) => (row.ttft_ms === null ? '—' : formatDuration(row.ttft_ms)), numeric: true },
  { id: 'fallback', label: 'Fallback', cell: (row) => (row.fallback ? <Badge tone="accent">fallback</Badge> : null) },
];

export interface RequestsTableProps {
  rows: LogRow[];
  zone: string;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  onOpen: (row: LogRow) => void;
  /** Told when the table leaves (true) or returns to (false) its top: the live tail pauses meanwhile. */
  onScrolledDown: (down: boolean) => void;
  /** Incremented to jump to the top ("N new requests"). */
  scrollToTop: number;
}

export default function RequestsTable({ rows, zone, hasMore, loadingMore, onLoadMore, onOpen, onScrolledDown, scrollToTop }: RequestsTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [choosing, setChoosing] = useState(false);
  const columns = COLUMNS.filter((column) => !hidden.has(column.id));
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: OVERSCAN });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (hasMore && !loadingMore && rows.length > 0 && lastIndex >= rows.length - LOAD_AHEAD) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, rows.length, onLoadMore]);

  useEffect(() => {
    if (scrollToTop > 0) scroller.current?.scrollTo({ top: 0 });
  }, [scrollToTop]);

  const down = useRef(false);
  const onScroll = () => {
    const now = (scroller.current?.scrollTop ?? 0) > ROW_HEIGHT;
    if (now !== down.current) {
      down.current = now;
      onScrolledDown(now);
    }
  };

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button aria-expanded={choosing} aria-controls="logs-columns" onClick={() => setChoosing((open) => !open)}>
          Columns
        </Button>
        <span className="text-sm text-muted">{formatNumber(rows.length)} loaded</span>
      </div>
      {choosing ? (
        <fieldset id="logs-columns" className="flex flex-wrap gap-x-4 gap-y-1 rounded-md border border-border p-3">
          <legend className="px-1 text-sm font-medium">Visible columns</legend>
          {COLUMNS.map((column) => (
            <label key={column.id} className="inline-flex min-h-11 items-center gap-2 text-sm">
              <input
                type="checkbox"
                className="h-5 w-5"
                checked={!hidden.has(column.id)}
                onChange={(event) =>
                  setHidden((previous) => {
                    const next = new Set(previous);
                    if (event.target.checked) next.delete(column.id);
                    else next.add(column.id);
                    return next;
                  })
                }
              />
              {column.label}
            </label>
          ))}
        </fieldset>
      ) : null}
      <div ref={scroller} onScroll={onScroll} role="region" aria-label="Requests table" tabIndex={0} className="relative h-[60vh] min-h-80 overflow-auto rounded-md border border-border">
        <table className="w-full text-sm" style={{ minWidth: '72rem' }} aria-rowcount={rows.length + 1}>
          <caption className="sr-only">Requests</caption>
          <thead className="sticky top-0 z-10 bg-raised">
            <tr aria-rowindex={1}>
              {columns.map((column) => (
                <th key={column.id} scope="col" className={`px-3 py-2 ${column.numeric ? 'text-right' : 'text-left'}`}>
                  {column.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {paddingTop > 0 ? (
              <tr aria-hidden="true">
                <td colSpan={columns.length} style={{ height: paddingTop, padding: 0 }} />
              </tr>
            ) : null}
            {items.map((item) => {
              const row = rows[item.index]!;
              return (
                <tr key={row.id} aria-rowindex={item.index + 2} className="cursor-pointer border-t border-border hover:bg-raised" style={{ height: ROW_HEIGHT }} onClick={() => onOpen(row)}>
                  {columns.map((column) => (
                    <td key={column.id} className={`whitespace-nowrap px-3 py-0 ${column.numeric ? 'text-right tabular-nums' : ''}`}>
                      {column.cell(row, zone, onOpen)}
                    </td>
                  ))}
                </tr>
              );
            })}
            {paddingBottom > 0 ? (
              <tr aria-hidden="true">
                <td colSpan={columns.length} style={{ height: paddingBottom, padding: 0 }} />
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {hasMore ? (
        <div>
          <Button busy={loadingMore} onClick={onLoadMore}>
            Load more
          </Button>
        </div>
      ) : null}
    </div>
  );
}
