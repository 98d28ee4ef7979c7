/**
 * Integrations (WEBAPP.md §6.4): the table "Integrations" (never the key: …last4 only) with the
 * status in words, "Test <name>" per row (the stored key, POST /api/integrations/:id/test), Delete
 * behind an alertdialog, and "Add integration". Team secrets and key replacement come next.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { Page as ApiPage, CredentialCheck, Integration } from '../../api/types';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { AlertDialog } from '../../ui/Dialog';
import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';
import { StatusPill } from '../../ui/StatusPill';
import { AddIntegrationDialog, describeCheck, serviceLabel } from './AddIntegrationDialog';

const integrationsQuery = queryOptions({
  queryKey: ['integrations'],
  queryFn: ({ signal }) => api<ApiPage<Integration>>('/api/integrations?limit=100', { signal }),
});

export default function IntegrationsPage() {
  const client = useQueryClient();
  const integrations = useQuery(integrationsQuery);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<Integration | null>(null);
  const [checked, setChecked] = useState<Record<string, string>>({});
  const refresh = () => client.invalidateQueries({ queryKey: integrationsQuery.queryKey });
  const test = useMutation({
    mutationFn: (integration: Integration) => api<CredentialCheck>(`/api/integrations/${integration.id}/test`, { method: 'POST', body: {} }),
    onSuccess: async (result, integration) => {
      setChecked((previous) => ({ ...previous, [integration.id]: describeCheck(result, integration.service) }));
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (integration: Integration) => api<void>(`/api/integrations/${integration.id}`, { method: 'DELETE' }),
    onSuccess: async () => {
      setDeleting(null);
      await refresh();
    },
  });
  const rows = integrations.data?.data ?? [];

  return (
    <Page
      title="Integrations"
      actions={
        <Button variant="primary" onClick={() => setAdding(true)}>
          Add integration
        </Button>
      }
    >
      <p className="text-sm text-muted">Your own provider keys, encrypted at rest. Switchboard calls each provider with your key; the key is never shown again.</p>
      {integrations.isError ? <LoadError what="The integrations" onRetry={() => void integrations.refetch()} /> : null}
      {integrations.isSuccess && rows.length === 0 ? <EmptyState title="No integrations yet">Add a provider key to start making requests.</EmptyState> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Integrations"
          minWidth="48rem"
          head={
            <>
              <th scope="col" className={cell}>Name</th>
              <th scope="col" className={cell}>Service</th>
              <th scope="col" className={cell}>Key</th>
              <th scope="col" className={cell}>Base URL</th>
              <th scope="col" className={cell}>Status</th>
              <th scope="col" className={cell}>Requests (24 h)</th>
              <th scope="col" className={cell}>
                <span className="sr-only">Actions</span>
              </th>
            </>
          }
        >
          {rows.map((integration) => (
            <tr key={integration.id} className="border-t border-border">
              <th scope="row" className={`${cell} font-medium`}>{integration.name}</th>
              <td className={cell}>{serviceLabel(integration.service)}</td>
              <td className={`${cell} font-mono`}>…{integration.key_last4}</td>
              <td className={`${cell} break-all`}>{integration.base_url ?? 'Default'}</td>
              <td className={cell}>
                <StatusPill status={integration.health} />
                {integration.last_error ? <p className="mt-1 text-xs text-muted">{integration.last_error}</p> : null}
                {checked[integration.id] ? (
                  <p role="status" className="mt-1 text-xs">
                    {checked[integration.id]}
                  </p>
                ) : null}
              </td>
              <td className={cell}>{integration.requests_24h}</td>
              <td className={cell}>
                <div className="flex flex-wrap gap-1">
                  <Button variant="ghost" busy={test.isPending && test.variables?.id === integration.id} onClick={() => test.mutate(integration)}>
                    Test {integration.name}
                  </Button>
                  <Button variant="ghost" onClick={() => setDeleting(integration)} aria-label={`Delete ${integration.name}`}>
                    Delete
                  </Button>
                </div>
              </td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
      <AddIntegrationDialog open={adding} onOpenChange={setAdding} onSaved={() => void refresh()} />
      <AlertDialog
        open={deleting !== null}
        onOpenChange={(open) => {
          if (!open) setDeleting(null);
        }}
        title={`Delete ${deleting?.name ?? ''}?`}
        description="The key is erased. Requests that need this provider fail until you add a key again."
        confirmLabel="Delete integration"
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </Page>
  );
}
