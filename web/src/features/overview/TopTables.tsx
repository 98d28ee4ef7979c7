/**
 * "Top models", "Top API keys", "Top integrations": sortable, each row a link to Logs with the same
 * filters (model=, key_id=, integration_id=, from=, to=). Rows come from the day (or hour) × dimension
 * aggregate summed over the period; p95 cannot be summed, so the column shows the worst bucket's p95.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { api } from '../../api/client';
import type { ApiResponse, PlatformKey } from '../../api/types';
import { formatDuration, formatMoney, formatNumber, formatPercent } from '../../format';
import { cellClass as cell, TableRegion } from '../../ui/DataRegion';
import { integrationsQuery } from '../integrations/scope';
import { aggregateQuery, sumRows, type AggregateRow, type Metrics, type UsageScope } from './usage-api';
import { Widget } from './Widget';

const keysListQuery = queryOptions({ queryKey: ['keys'], queryFn: ({ signal }) => api<ApiResponse<'/api/keys'>>('/api/keys?limit=100', { signal }) });

type Dimension = 'model' | 'key' | 'integration';
const FIELD = { model: 'model', key: 'key_id', integration: 'integration_id' } as const;
const TITLE = { model: 'Top models', key: 'Top API keys', integration: 'Top integrations' } as const;
const COLUMNS: Array<{ id: SortKey; label: string }> = [
  { id: 'requests', label: 'Requests' },
  { id: 'spend', label: 'Spend' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'errors', label: 'Error %' },
  { id: 'p95', label: 'p95 (worst bucket)' },
];
type SortKey = 'requests' | 'spend' | 'tokens' | 'errors' | 'p95';
const sortValue: Record<SortKey, (m: Metrics) => number> = {
  requests: (m) => m.requests,
  spend: (m) => m.cost_micros,
  tokens: (m) => m.input_tokens + m.output_tokens,
  errors: (m) => (m.requests ? m.errors / m.requests : 0),
  p95: (m) => m.latency_p95_ms ?? -1,
};

export interface TopTableProps {
  scope: UsageScope;
  dimension: Dimension;
  from: string;
  to: string;
  tz: string;
  hourly: boolean;
}

export function TopTable({ scope, dimension, from, to, tz, hourly }: TopTableProps) {
  const title = TITLE[dimension];
  const query = useQuery(aggregateQuery(scope, { group_by: `${hourly ? 'hour' : 'day'},${dimension}`, from, to, tz }));
  const names = useNames(scope, dimension);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'requests', descending: true });
  const rows = useMemo(() => {
    const groups = new Map<string | null, AggregateRow[]>();
    for (const row of query.data?.data ?? []) {
      const id = (row[FIELD[dimension]] ?? null) as string | null;
      groups.set(id, [...(groups.get(id) ?? []), row]);
    }
    const list = [...groups.entries()].map(([id, group]) => ({ id, metrics: sumRows(group) }));
    const direction = sort.descending ? -1 : 1;
    return list.sort((a, b) => direction * (sortValue[sort.key](a.metrics) - sortValue[sort.key](b.metrics))).slice(0, 10);
  }, [query.data, dimension, sort]);

  return (
    <Widget label={title} heading query={query} minHeight={200}>
      {() =>
        rows.length === 0 ? (
          <p className="text-sm text-muted">No requests in this period.</p>
        ) : (
          <TableRegion
            caption={title}
            minWidth="40rem"
            head={
              <>
                <th scope="col" className={cell}>
                  {dimension === 'model' ? 'Model' : dimension === 'key' ? 'API key' : 'Integration'}
                </th>
                {COLUMNS.map((column) => (
                  <th key={column.id} scope="col" className={cell} aria-sort={sort.key === column.id ? (sort.descending ? 'descending' : 'ascending') : undefined}>
                    <button type="button" className="min-h-11 font-medium underline-offset-2 hover:underline" onClick={() => setSort((s) => ({ key: column.id, descending: s.key === column.id ? !s.descending : true }))}>
                      {column.label}
                      <span aria-hidden="true">{sort.key === column.id ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                    </button>
                  </th>
                ))}
              </>
            }
          >
            {rows.map(({ id, metrics }) => {
              const label = id === null ? (dimension === 'key' ? 'No key (session)' : 'None') : (names.get(id) ?? id);
              const search = { ...(scope.kind === 'team' ? { team: scope.teamId } : {}), [FIELD[dimension]]: id ?? undefined, from, to };
              return (
                <tr key={id ?? 'none'} className="border-t border-border">
                  <th scope="row" className={`${cell} font-medium break-all`}>
                    {/* Logs show the caller's own (or a team's) requests: global rows have nowhere to link. */}
                    {id === null || scope.kind === 'global' ? label : (
                      <Link to="/logs" search={search as never} className="text-accent underline">
                        {label}
                      </Link>
                    )}
                  </th>
                  <td className={`${cell} tabular-nums`}>{formatNumber(metrics.requests)}</td>
                  <td className={`${cell} tabular-nums`}>{metrics.requests > 0 && metrics.unpriced_requests === metrics.requests ? 'unpriced' : formatMoney(metrics.cost_micros)}</td>
                  <td className={`${cell} tabular-nums`}>{formatNumber(metrics.input_tokens + metrics.output_tokens)}</td>
                  <td className={`${cell} tabular-nums`}>{formatPercent(metrics.requests ? metrics.errors / metrics.requests : 0)}</td>
                  <td className={`${cell} tabular-nums`}>{metrics.latency_p95_ms === null ? '—' : formatDuration(metrics.latency_p95_ms)}</td>
                </tr>
              );
            })}
          </TableRegion>
        )
      }
    </Widget>
  );
}

/** Names for key and integration ids (your own or the team's; other ids show as they are). */
function useNames(scope: UsageScope, dimension: Dimension): Map<string, string> {
  const enabled = scope.kind !== 'global';
  const keys = useQuery({ ...keysListQuery, enabled: enabled && dimension === 'key' });
  const integrations = useQuery({ ...integrationsQuery(scope.kind === 'team' ? scope.teamId : undefined), enabled: enabled && dimension === 'integration' });
  return useMemo(() => {
    const list = dimension === 'key' ? (keys.data?.data ?? []) : dimension === 'integration' ? (integrations.data?.data ?? []) : [];
    return new Map(list.map((item) => [item.id, item.name]));
  }, [dimension, keys.data, integrations.data]);
}
