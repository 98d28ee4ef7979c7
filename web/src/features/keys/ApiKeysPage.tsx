/**
 * API keys (WEBAPP.md §6.4): the table "API keys" (never the key itself, only sk-sb-…last4),
 * "Create key" → "Create API key" → the one-time reveal "Your new API key", "Roll key" (a
 * replacement with the same settings, revealed once the same way; the old key revoked now or after
 * a grace, shown in its status meanwhile) and "Revoke" behind an alertdialog. Revoked keys leave
 * the table, also when `key.revoked` arrives (another tab revoked it, or a roll's grace ended).
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api } from '../../api/client';
import { useLiveEvent } from '../../api/events';
import { teamsQuery } from '../../api/queries';
import type { ApiResponse, PlatformKey } from '../../api/types';
import { browserTimeZone, formatDate, formatMoney } from '../../format';
import { AlertDialog } from '../../ui/Dialog';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';
import { keyStatusText } from './key-status';

// Loaded on first use: the page's own chunk stays within the initial-JS budget.
const CreateKeyDialog = lazy(() => import('./CreateKeyDialog').then((module) => ({ default: module.CreateKeyDialog })));
const RevealKeyDialog = lazy(() => import('./RevealKeyDialog').then((module) => ({ default: module.RevealKeyDialog })));
const RollKeyDialog = lazy(() => import('./RollKeyDialog').then((module) => ({ default: module.RollKeyDialog })));

export const keysQuery = queryOptions({
  queryKey: ['keys'],
  queryFn: ({ signal }) => api<ApiResponse<'/api/keys'>>('/api/keys?limit=100', { signal }),
});


export default function ApiKeysPage() {
  const client = useQueryClient();
  const keys = useQuery(keysQuery);
  const teams = useQuery(teamsQuery);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<PlatformKey | null>(null);
  const [rolling, setRolling] = useState<PlatformKey | null>(null);
  const revoke = useMutation({
    mutationFn: (key: PlatformKey) => api<void>(`/api/keys/${key.id}`, { method: 'DELETE' }),
    onSuccess: async () => {
      setRevoking(null);
      await client.invalidateQueries({ queryKey: keysQuery.queryKey });
    },
  });
  // A key revoked elsewhere (another tab, a teammate, or a roll's grace ending) leaves the table.
  useLiveEvent('key.revoked', () => void client.invalidateQueries({ queryKey: keysQuery.queryKey }));
  const zone = browserTimeZone();
  const teamName = (id: string | null) => (id ? (teams.data?.data.find((team) => team.id === id)?.name ?? 'Team') : 'Personal');
  const active = (keys.data?.data ?? []).filter((key) => key.status !== 'revoked');

  return (
    <Page
      title="API keys"
      actions={
        <Button variant="primary" onClick={() => setCreating(true)}>
          Create key
        </Button>
      }
    >
      {keys.isError ? <LoadError what="The keys" onRetry={() => void keys.refetch()} /> : null}
      {keys.isSuccess && active.length === 0 ? (
        <EmptyState title="No API keys yet">Create a key for your programs: it works with any OpenAI or Anthropic SDK.</EmptyState>
      ) : null}
      {active.length > 0 ? (
        <TableRegion
          caption="API keys"
          minWidth="44rem"
          head={
            <>
              <th scope="col" className={cell}>Name</th>
              <th scope="col" className={cell}>Key</th>
              <th scope="col" className={cell}>Scope</th>
              <th scope="col" className={cell}>Models allowed</th>
              <th scope="col" className={cell}>Budget</th>
              <th scope="col" className={cell}>Expires</th>
              <th scope="col" className={cell}>Last used</th>
              <th scope="col" className={cell}>Status</th>
              <th scope="col" className={cell}>
                <span className="sr-only">Actions</span>
              </th>
            </>
          }
        >
          {active.map((key) => (
            <tr key={key.id} className="border-t border-border">
              <th scope="row" className={`${cell} font-medium`}>{key.name}</th>
              <td className={`${cell} font-mono`}>sk-sb-…{key.key_last4}</td>
              <td className={cell}>{teamName(key.team_id)}</td>
              <td className={cell}>{key.models?.join(', ') || 'All'}</td>
              <td className={cell}>{key.monthly_budget_micros === null ? '—' : `${formatMoney(key.monthly_budget_micros)} / month`}</td>
              <td className={cell}>{key.expires_at ? formatDate(key.expires_at, zone) : 'Never'}</td>
              <td className={cell}>{key.last_used_at ? formatDate(key.last_used_at, zone) : 'Never'}</td>
              <td className={cell}>{keyStatusText(key, zone)}</td>
              <td className={cell}>
                <div className="flex flex-wrap gap-1">
                  {/* An expired key cannot be rolled (the server answers 409): create a new one. */}
                  {key.status === 'active' ? (
                    <Button variant="ghost" onClick={() => setRolling(key)} aria-label={`Roll key of ${key.name}`}>
                      Roll key
                    </Button>
                  ) : null}
                  <Button variant="ghost" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.name}`}>
                    Revoke
                  </Button>
                </div>
              </td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
      <Suspense fallback={null}>
        {rolling ? (
          <RollKeyDialog
            platformKey={rolling}
            onClose={() => setRolling(null)}
            onRolled={(created) => {
              setSecret(created);
              void client.invalidateQueries({ queryKey: keysQuery.queryKey });
            }}
          />
        ) : null}
        {creating ? <CreateKeyDialog open onOpenChange={setCreating} onCreated={(created) => setSecret(created)} /> : null}
        {secret !== null ? (
          <RevealKeyDialog
            secret={secret}
            onDone={() => {
              setSecret(null);
              void client.invalidateQueries({ queryKey: keysQuery.queryKey });
            }}
          />
        ) : null}
      </Suspense>
      <AlertDialog
        open={revoking !== null}
        onOpenChange={(open) => {
          if (!open) setRevoking(null);
        }}
        title={`Revoke ${revoking?.name ?? ''}?`}
        description="Programs using this key stop working at once, on every replica. This cannot be undone."
        confirmLabel="Revoke key"
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking)}
      />
    </Page>
  );
}
