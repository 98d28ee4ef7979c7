/**
 * "Audit log": filters "Actor" (user id), "Action" (exact, or a prefix ending in a dot) and
 * "Target" (any id); the table "Audit log" with time, actor, action, target, IP and a diff view of
 * what changed. The server never stores key material; as a second guard, any key-like field is
 * shown only as …last4.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { api } from '../../api/client';
import type { ApiResponse } from '../../api/types';
import { browserTimeZone, formatDateTime } from '../../format';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { Field, inputClass } from '../../ui/Field';
import type { AuditEvent } from './admin-api';

const SECRET_FIELD = /key|secret|token|password|authorization/i;

/** A copy of the metadata with every key-like string field cut to …last4. */
function masked(value: unknown, field = ''): unknown {
  if (typeof value === 'string') return SECRET_FIELD.test(field) && !/last4|_id$|kind|replaced/i.test(field) ? `…${value.slice(-4)}` : value;
  if (Array.isArray(value)) return value.map((item) => masked(item, field));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, masked(inner, key)]));
  return value;
}

function Diff({ metadata }: { metadata: unknown }) {
  if (!metadata || typeof metadata !== 'object' || Object.keys(metadata).length === 0) return <span className="text-muted">—</span>;
  const { before, after, ...rest } = masked(metadata) as { before?: Record<string, unknown>; after?: Record<string, unknown> } & Record<string, unknown>;
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return (
    <details>
      <summary className="cursor-pointer">Changes</summary>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 font-mono text-xs">
        {fields.map((field) => (
          <div key={field} className="contents">
            <dt>{field}</dt>
            <dd>
              {JSON.stringify(before?.[field] ?? null)} → {JSON.stringify(after?.[field] ?? null)}
            </dd>
          </div>
        ))}
        {Object.entries(rest).map(([field, value]) => (
          <div key={field} className="contents">
            <dt>{field}</dt>
            <dd>{JSON.stringify(value)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

export default function AdminAuditTab() {
  const [filters, setFilters] = useState({ actor: '', action: '', target: '' });
  const deferred = useDeferredValue(filters);
  const params = new URLSearchParams({ limit: '100' });
  for (const [name, value] of Object.entries(deferred)) if (value.trim()) params.set(name, value.trim());
  const audit = useQuery({
    queryKey: ['admin', 'audit', params.toString()],
    queryFn: ({ signal }) => api<ApiResponse<'/api/admin/audit'>>(`/api/admin/audit?${params.toString()}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const zone = browserTimeZone();
  const rows = audit.data?.data ?? [];
  const set = (name: keyof typeof filters) => (event: React.ChangeEvent<HTMLInputElement>) => setFilters((current) => ({ ...current, [name]: event.target.value }));
  return (
    <div className="flex flex-col gap-3">
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Actor" hint="A user id.">
          <input value={filters.actor} onChange={set('actor')} autoComplete="off" spellCheck={false} className={inputClass} />
        </Field>
        <Field label="Action" hint="e.g. user.disabled, or user. for all">
          <input value={filters.action} onChange={set('action')} autoComplete="off" spellCheck={false} className={inputClass} />
        </Field>
        <Field label="Target" hint="Any id.">
          <input value={filters.target} onChange={set('target')} autoComplete="off" spellCheck={false} className={inputClass} />
        </Field>
      </div>
      {audit.isError ? <LoadError what="The audit log" onRetry={() => void audit.refetch()} /> : null}
      {audit.isSuccess && rows.length === 0 ? <p className="text-sm">No events match.</p> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Audit log"
          minWidth="60rem"
          head={
            <>
              <th scope="col" className={cell}>Time</th>
              <th scope="col" className={cell}>Actor</th>
              <th scope="col" className={cell}>Action</th>
              <th scope="col" className={cell}>Target</th>
              <th scope="col" className={cell}>IP</th>
              <th scope="col" className={cell}>Diff</th>
            </>
          }
        >
          {rows.map((event) => (
            <tr key={event.id} className="border-t border-border">
              <th scope="row" className={`${cell} font-normal`}>{formatDateTime(event.created_at, zone)}</th>
              <td className={`${cell} font-mono text-xs`}>{event.actor_user_id ?? 'system'}</td>
              <td className={`${cell} font-mono`}>{event.action}</td>
              <td className={`${cell} font-mono text-xs`}>{event.target_kind ? `${event.target_kind} ` : ''}{event.target_id ?? '—'}</td>
              <td className={cell}>{event.ip ?? '—'}</td>
              <td className={cell}>
                <Diff metadata={event.metadata} />
              </td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
    </div>
  );
}
