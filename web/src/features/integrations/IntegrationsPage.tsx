/**
 * Integrations (WEBAPP.md §6.4): the table "Integrations" (never the key: …last4 only) with the
 * status in words, live over SSE, and per row "Test", "Edit", "Replace key", "Disable" (an
 * alertdialog; a disabled row shows its reason and "Re-enable" instead) and "Delete" (an
 * alertdialog). Scope-aware: with `?team=<id>` (the header's "Workspace") it shows that team's
 * secrets, and `IntegrationsView teamId` is what the Teams page mounts as "Team secrets". Members
 * see and test team secrets; controls they cannot use are disabled with the reason linked. The
 * dialogs load on first use (the page chunk stays small).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import { lazy, Suspense, useId, useState } from 'react';
import { api } from '../../api/client';
import type { CredentialCheck, Integration, IntegrationStatusEvent } from '../../api/types';
import { browserTimeZone, formatDateTime, formatMoney } from '../../format';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';
import { StatusPill } from '../../ui/StatusPill';
import { NotFoundPage } from '../errors/NotFoundPage';
import { disabledText, errorSource, useLiveIntegrationStatus } from './live';
import type { IntegrationAction } from './ConfirmIntegrationDialog';
import { integrationsBase, integrationsQuery, useCanManage } from './scope';
import { describeCheck, serviceLabel } from './services';

const AddIntegrationDialog = lazy(() => import('./AddIntegrationDialog'));
const EditIntegrationDialog = lazy(() => import('./EditIntegrationDialog'));
const ReplaceKeyDialog = lazy(() => import('./ReplaceKeyDialog'));
const ConfirmIntegrationDialog = lazy(() => import('./ConfirmIntegrationDialog'));

function rateLimitText(limit: Integration['rate_limit']): string {
  if (!limit) return 'None';
  return [limit.rpm ? `${limit.rpm}/min` : '', limit.rps ? `${limit.rps}/s` : '', limit.tpm ? `${limit.tpm} tokens/min` : ''].filter(Boolean).join(', ') || 'None';
}

export function IntegrationsView({ teamId }: { teamId?: string | undefined }) {
  const client = useQueryClient();
  const query = integrationsQuery(teamId);
  const integrations = useQuery(query);
  const { canManage, reason } = useCanManage(teamId);
  const reasonId = useId();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Integration | null>(null);
  const [replacing, setReplacing] = useState<Integration | null>(null);
  const [confirming, setConfirming] = useState<{ action: IntegrationAction; integration: Integration } | null>(null);
  const [checked, setChecked] = useState<Record<string, string>>({});
  const [live, setLive] = useState<Record<string, IntegrationStatusEvent>>({});
  useLiveIntegrationStatus(teamId, (event) => setLive((previous) => ({ ...previous, [event.id]: event })));
  const refresh = () => client.invalidateQueries({ queryKey: ['integrations', teamId ?? 'personal'] });
  const test = useMutation({
    mutationFn: (integration: Integration) => api<CredentialCheck>(`${integrationsBase(teamId)}/${integration.id}/test`, { method: 'POST', body: {} }),
    onSuccess: async (result, integration) => {
      setChecked((previous) => ({ ...previous, [integration.id]: describeCheck(result, integration.service) }));
      setLive(({ [integration.id]: _stale, ...rest }) => rest);
      await refresh();
    },
    onError: (error, integration) => setChecked((previous) => ({ ...previous, [integration.id]: `Could not test: ${error.message}` })),
  });
  const enable = useMutation({
    mutationFn: (integration: Integration) => api<Integration>(`${integrationsBase(teamId)}/${integration.id}/enable`, { method: 'POST', body: {} }),
    onSuccess: async (_result, integration) => {
      setChecked((previous) => ({ ...previous, [integration.id]: 'Re-enabled: requests use this key again.' }));
      setLive(({ [integration.id]: _stale, ...rest }) => rest);
      await refresh();
    },
    onError: (error, integration) => setChecked((previous) => ({ ...previous, [integration.id]: `Could not re-enable: ${error.message}` })),
  });
  const rows = integrations.data?.data ?? [];
  const zone = browserTimeZone();
  const manage = { disabled: !canManage, 'aria-describedby': canManage ? undefined : reasonId };

  return (
    <div className="flex min-w-0 flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted">
          {teamId ? 'The team’s' : 'Your own'} provider keys, encrypted at rest. A key is never shown again.
        </p>
        <Button variant="primary" onClick={() => setAdding(true)} {...manage}>
          Add integration
        </Button>
      </div>
      {reason ? (
        <p id={reasonId} className="text-sm text-muted">
          {reason}.
        </p>
      ) : null}
      {integrations.isError ? <LoadError what="The integrations" onRetry={() => void integrations.refetch()} /> : null}
      {integrations.isSuccess && rows.length === 0 ? <EmptyState title="No integrations yet">Add a provider key to start making requests.</EmptyState> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Integrations"
          minWidth="64rem"
          head={
            <>
              <th scope="col" className={cell}>Name</th>
              <th scope="col" className={cell}>Service</th>
              <th scope="col" className={cell}>Key</th>
              <th scope="col" className={cell}>Base URL</th>
              <th scope="col" className={cell}>Status</th>
              <th scope="col" className={cell}>Monthly quota</th>
              <th scope="col" className={cell}>Rate limit</th>
              <th scope="col" className={cell}>Last used</th>
              <th scope="col" className={cell}>
                <span className="sr-only">Actions</span>
              </th>
            </>
          }
        >
          {rows.map((integration) => {
            const disabled = integration.health === 'disabled';
            const source = integration.health === 'healthy' || integration.health === 'unchecked' || disabled ? undefined : errorSource(integration, live[integration.id]);
            return (
              <tr key={integration.id} className="border-t border-border">
                <th scope="row" className={`${cell} font-medium`}>
                  <Link to="/integrations/$id" params={{ id: integration.id }} search={teamId ? { team: teamId } : {}} className="text-accent underline underline-offset-2">
                    {integration.name}
                  </Link>
                </th>
                <td className={cell}>{serviceLabel(integration.service)}</td>
                <td className={`${cell} font-mono`}>…{integration.key_last4}</td>
                <td className={`${cell} break-all`}>{integration.base_url ?? 'Default'}</td>
                <td className={cell}>
                  <StatusPill status={integration.health} />
                  {source ? <p className="mt-1 text-xs">Source: {source}</p> : null}
                  {disabled && integration.disabled_reason ? (
                    <p className="mt-1 text-xs">
                      {disabledText(integration, zone)}
                      {integration.disabled_at ? ` Since ${formatDateTime(integration.disabled_at, zone)}.` : null}
                    </p>
                  ) : null}
                  {integration.last_error && !disabled ? <p className="mt-1 text-xs text-muted">{integration.last_error}</p> : null}
                  {checked[integration.id] ? (
                    <p role="status" className="mt-1 text-xs">
                      {checked[integration.id]}
                    </p>
                  ) : null}
                </td>
                <td className={cell}>{integration.monthly_quota ? `${formatMoney(integration.quota_spent_micros ?? 0)} of ${formatMoney(integration.monthly_quota.limit_micros)} / month` : 'None'}</td>
                <td className={cell}>{rateLimitText(integration.rate_limit)}</td>
                <td className={cell}>{integration.last_used_at ? formatDateTime(integration.last_used_at, zone) : 'Not in 24 h'}</td>
                <td className={cell}>
                  <div className="flex flex-wrap gap-1">
                    <Button variant="ghost" busy={test.isPending && test.variables?.id === integration.id} onClick={() => test.mutate(integration)} aria-label={`Test ${integration.name}`}>
                      Test
                    </Button>
                    <Button variant="ghost" onClick={() => setEditing(integration)} aria-label={`Edit ${integration.name}`} {...manage}>
                      Edit
                    </Button>
                    <Button variant="ghost" onClick={() => setReplacing(integration)} aria-label={`Replace key of ${integration.name}`} {...manage}>
                      Replace key
                    </Button>
                    {integration.disabled_at ? (
                      <Button variant="ghost" busy={enable.isPending && enable.variables?.id === integration.id} onClick={() => enable.mutate(integration)} aria-label={`Re-enable ${integration.name}`} {...manage}>
                        Re-enable
                      </Button>
                    ) : (
                      <Button variant="ghost" onClick={() => setConfirming({ action: 'disable', integration })} aria-label={`Disable ${integration.name}`} {...manage}>
                        Disable
                      </Button>
                    )}
                    <Button variant="ghost" onClick={() => setConfirming({ action: 'delete', integration })} aria-label={`Delete ${integration.name}`} {...manage}>
                      Delete
                    </Button>
                  </div>
                </td>
              </tr>
            );
          })}
        </TableRegion>
      ) : null}
      <Suspense fallback={null}>
        {adding ? <AddIntegrationDialog open onOpenChange={setAdding} teamId={teamId} onSaved={() => void refresh()} /> : null}
        {editing ? <EditIntegrationDialog integration={editing} teamId={teamId} onClose={() => setEditing(null)} onSaved={() => void refresh()} /> : null}
        {replacing ? <ReplaceKeyDialog integration={replacing} teamId={teamId} onClose={() => setReplacing(null)} onSaved={() => void refresh()} /> : null}
        {confirming ? <ConfirmIntegrationDialog action={confirming.action} integration={confirming.integration} teamId={teamId} onClose={() => setConfirming(null)} onDone={() => void refresh()} /> : null}
      </Suspense>
    </div>
  );
}

export default function IntegrationsPage() {
  const search = useSearch({ strict: false }) as { team?: string };
  // Someone else's team (or none): the Not found page, like any other id that is not yours.
  const list = useQuery({ ...integrationsQuery(search.team), enabled: false });
  if ((list.error as { status?: number } | null)?.status === 404) return <NotFoundPage />;
  return (
    <Page title="Integrations">
      <IntegrationsView key={search.team ?? 'personal'} teamId={search.team} />
    </Page>
  );
}
