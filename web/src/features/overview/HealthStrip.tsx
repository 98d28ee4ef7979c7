/**
 * The integration health strip: one row per integration (name, service, …last4, status in words,
 * last error with its source, breaker, p50, "Test <name>"), updated live by `integration.status`
 * events; changes are announced in the polite live region, at most once per 10 s (the latest wins).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { useLiveEvent } from '../../api/events';
import type { CredentialCheck, Integration, IntegrationPage, IntegrationStatusEvent } from '../../api/types';
import { formatDuration } from '../../format';
import { Button } from '../../ui/Button';
import { cellClass as cell, TableRegion } from '../../ui/DataRegion';
import { useAnnounce } from '../../ui/LiveRegion';
import { StatusPill } from '../../ui/StatusPill';
import { integrationsBase, integrationsQuery } from '../integrations/scope';
import type { UsageScope } from './usage-api';
import { Widget } from './Widget';

const HEALTH_WORDS: Record<Integration['health'], string> = { healthy: 'Healthy', degraded: 'Degraded', failing: 'Failing', disabled: 'Disabled', unchecked: 'Unchecked' };
const SOURCE_WORDS: Record<string, string> = { user: 'your key', provider: 'provider', platform: 'Switchboard' };
const THROTTLE_MS = 10_000;

function useThrottledAnnounce(): (text: string) => void {
  const announce = useAnnounce();
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef('');
  useEffect(() => () => void (pending.current && clearTimeout(pending.current)), []);
  return (text: string) => {
    latest.current = text;
    const wait = last.current + THROTTLE_MS - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      announce(text);
    } else {
      pending.current ??= setTimeout(() => {
        pending.current = null;
        last.current = Date.now();
        announce(latest.current);
      }, wait);
    }
  };
}

export function HealthStrip({ scope }: { scope: UsageScope }) {
  const client = useQueryClient();
  // Personal integrations, or the team's secrets (GET /api/integrations lists only your own).
  const teamId = scope.kind === 'team' ? scope.teamId : undefined;
  const listQuery = integrationsQuery(teamId);
  const query = useQuery(listQuery);
  const [errors, setErrors] = useState<Record<string, IntegrationStatusEvent['last_error']>>({});
  const announce = useThrottledAnnounce();
  useLiveEvent<IntegrationStatusEvent>('integration.status', (event) => {
    const page = client.getQueryData<IntegrationPage>(listQuery.queryKey);
    const integration = page?.data.find((item) => item.id === event.id);
    if (!page || !integration) return;
    client.setQueryData<IntegrationPage>(listQuery.queryKey, {
      ...page,
      data: page.data.map((item) => (item.id === event.id ? { ...item, health: event.status, breaker: event.breaker, last_error: event.last_error?.message ?? item.last_error } : item)),
    });
    setErrors((previous) => ({ ...previous, [event.id]: event.last_error }));
    if (integration.health !== event.status) announce(`${integration.name} is now ${HEALTH_WORDS[event.status]}`);
  });
  const test = useMutation({
    mutationFn: (integration: Integration) => api<CredentialCheck>(`${integrationsBase(teamId)}/${integration.id}/test`, { method: 'POST', body: {} }),
    onSettled: () => client.invalidateQueries({ queryKey: listQuery.queryKey }),
  });
  return (
    <Widget label="Integration health" heading query={query} minHeight={120}>
      {(page) => {
        const rows = page.data;
        if (rows.length === 0) return <p className="text-sm text-muted">No integrations yet.</p>;
        return (
          <TableRegion
            caption="Integration health"
            minWidth="52rem"
            head={['Name', 'Service', 'Key', 'Status', 'Last error', 'Breaker', 'p50', 'Actions'].map((h) => (
              <th key={h} scope="col" className={cell}>
                {h === 'Actions' ? <span className="sr-only">{h}</span> : h}
              </th>
            ))}
          >
            {rows.map((item) => {
              const error = errors[item.id];
              return (
                <tr key={item.id} className="border-t border-border">
                  <th scope="row" className={`${cell} font-medium`}>{item.name}</th>
                  <td className={cell}>{item.service}</td>
                  <td className={`${cell} font-mono`}>…{item.key_last4}</td>
                  <td className={cell}>
                    <StatusPill status={item.health} />
                  </td>
                  <td className={`${cell} text-xs`}>{error ? `${SOURCE_WORDS[error.source] ?? error.source}: ${error.message}` : (item.last_error ?? '—')}</td>
                  <td className={cell}>{item.breaker.replace('_', ' ')}</td>
                  <td className={`${cell} tabular-nums`}>{item.latency_p50_ms === null ? '—' : formatDuration(item.latency_p50_ms)}</td>
                  <td className={cell}>
                    <Button variant="ghost" busy={test.isPending && test.variables?.id === item.id} onClick={() => test.mutate(item)}>
                      Test {item.name}
                    </Button>
                  </td>
                </tr>
              );
            })}
          </TableRegion>
        );
      }}
    </Widget>
  );
}
