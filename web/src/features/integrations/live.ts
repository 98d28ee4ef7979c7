/**
 * Live integration status (SSE `integration.status`): patches the cached list and detail so the
 * pill changes with no reload, and announces changes through the polite live region, at most one
 * announcement per 10 s (WEBAPP.md §6.5 rule 6; the latest change waits for the window to end).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useLiveEvent } from '../../api/events';
import type { Integration, IntegrationPage, IntegrationStatusEvent } from '../../api/types';
import { formatDateTime } from '../../format';
import { useAnnounce } from '../../ui/LiveRegion';
import { integrationsQuery } from './scope';

/**
 * What an event says about being disabled, as the list and detail rows carry it (the event has no
 * time: a row disabled elsewhere shows when the news arrived, until the next refetch).
 */
const disabledFields = (event: IntegrationStatusEvent, row: Integration) =>
  event.status === 'disabled'
    ? {
        disabled_reason: event.disabled_reason ?? row.disabled_reason,
        disabled_at: row.disabled_at ?? new Date().toISOString(),
        disabled_by: event.disabled_by ?? null,
        retry_at: event.retry_at ?? null,
      }
    : { disabled_reason: null, disabled_at: null, disabled_by: null, retry_at: null };

/**
 * Why an integration is disabled, in words: its reason, and for one the auto-disable policy
 * disabled, when its key is checked again, in the viewer's zone ("… will retry at 14:05.").
 */
export function disabledText(integration: Pick<Integration, 'disabled_reason' | 'disabled_by' | 'retry_at'>, zone: string): string {
  const reason = integration.disabled_reason ?? 'Disabled.';
  if (integration.disabled_by !== 'system' || !integration.retry_at) return reason;
  return `${reason.replace(/\.$/, '')}; will retry at ${formatDateTime(integration.retry_at, zone)}.`;
}

const LABELS: Record<Integration['health'], string> = { healthy: 'Healthy', degraded: 'Degraded', failing: 'Failing', disabled: 'Disabled', unchecked: 'Unchecked' };
export const healthLabel = (health: Integration['health']) => LABELS[health];

/** Who must act on an integration that is not healthy, in words. */
export function errorSource(integration: Pick<Integration, 'status' | 'breaker' | 'health'>, live?: IntegrationStatusEvent): 'user' | 'provider' | 'platform' | undefined {
  if (live?.last_error) return live.last_error.source;
  if (integration.status === 'invalid' || integration.status === 'quota_exceeded') return 'user';
  if (integration.status === 'unreachable' || integration.breaker !== 'closed') return 'provider';
  return undefined;
}

const THROTTLE_MS = 10_000;

function useThrottledAnnounce() {
  const announce = useAnnounce();
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (pending.current) clearTimeout(pending.current);
  }, []);
  return (message: string) => {
    if (pending.current) clearTimeout(pending.current);
    const wait = last.current + THROTTLE_MS - Date.now();
    const say = () => {
      pending.current = null;
      last.current = Date.now();
      announce(message);
    };
    if (wait <= 0) say();
    else pending.current = setTimeout(say, wait);
  };
}

/** Keeps the list of this scope current from the stream; answers nothing (the cache is the state). */
export function useLiveIntegrationStatus(teamId: string | undefined, onEvent?: (event: IntegrationStatusEvent) => void) {
  const client = useQueryClient();
  const announce = useThrottledAnnounce();
  useLiveEvent<IntegrationStatusEvent>('integration.status', (event) => {
    if ((event.team_id ?? undefined) !== teamId) return;
    const key = integrationsQuery(teamId).queryKey;
    let changed: Integration | undefined;
    client.setQueryData<IntegrationPage>(key, (page) => {
      if (!page) return page;
      return {
        ...page,
        data: page.data.map((row) => {
          if (row.id !== event.id) return row;
          if (row.health !== event.status) changed = row;
          return { ...row, health: event.status, breaker: event.breaker, last_error: event.last_error?.message ?? (event.status === 'healthy' ? null : row.last_error), last_checked_at: event.checked_at ?? row.last_checked_at, ...disabledFields(event, row) };
        }),
      };
    });
    client.setQueryData<Integration>([...key, event.id], (row) => (row ? { ...row, health: event.status, breaker: event.breaker, last_error: event.last_error?.message ?? (event.status === 'healthy' ? null : row.last_error), ...disabledFields(event, row) } : row));
    onEvent?.(event);
    if (changed) {
      const source = event.last_error?.source ?? (event.breaker !== 'closed' ? 'provider' : undefined);
      announce(`${changed.name}: ${healthLabel(event.status)}${source && event.status !== 'healthy' ? ` (source: ${source})` : ''}`);
    }
  });
}
