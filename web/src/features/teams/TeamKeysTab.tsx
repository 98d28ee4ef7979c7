/**
 * The team's API keys you made (GET /api/keys filtered to the team: the list answers your own keys
 * only) and "Create key": the API keys page's dialog with the workspace preset to this team, then
 * the same one-time reveal. Both dialogs load on demand.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api } from '../../api/client';
import type { ApiResponse, PlatformKey } from '../../api/types';
import { browserTimeZone, formatDate } from '../../format';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { EmptyState } from '../../ui/EmptyState';
import { keyStatusText } from '../keys/key-status';

const CreateKeyDialog = lazy(() => import('../keys/CreateKeyDialog').then((module) => ({ default: module.CreateKeyDialog })));
const RevealKeyDialog = lazy(() => import('../keys/RevealKeyDialog').then((module) => ({ default: module.RevealKeyDialog })));

export function TeamKeysTab({ teamId }: { teamId: string }) {
  const client = useQueryClient();
  // The same cache entry as the API keys page, so both stay in step.
  const keys = useQuery({ queryKey: ['keys'], queryFn: ({ signal }) => api<ApiResponse<'/api/keys'>>('/api/keys?limit=100', { signal }) });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const zone = browserTimeZone();
  const rows = (keys.data?.data ?? []).filter((key) => key.team_id === teamId && key.status !== 'revoked');
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-muted">Keys you made for this team: requests with them use the team's secrets, routes and budget.</p>
        <Button variant="primary" onClick={() => setCreating(true)}>
          Create key
        </Button>
      </div>
      {keys.isError ? <LoadError what="The keys" onRetry={() => void keys.refetch()} /> : null}
      {keys.isSuccess && rows.length === 0 ? <EmptyState title="No team keys yet">Create a key for programs that work for this team.</EmptyState> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Team API keys"
          minWidth="32rem"
          head={
            <>
              <th scope="col" className={cell}>Name</th>
              <th scope="col" className={cell}>Key</th>
              <th scope="col" className={cell}>Last used</th>
              <th scope="col" className={cell}>Status</th>
            </>
          }
        >
          {rows.map((key) => (
            <tr key={key.id} className="border-t border-border">
              <th scope="row" className={`${cell} font-medium`}>{key.name}</th>
              <td className={`${cell} font-mono`}>sk-sb-…{key.key_last4}</td>
              <td className={cell}>{key.last_used_at ? formatDate(key.last_used_at, zone) : 'Never'}</td>
              <td className={cell}>{keyStatusText(key, zone)}</td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
      {creating || secret !== null ? (
        <Suspense fallback={null}>
          <CreateKeyDialog open={creating} onOpenChange={setCreating} onCreated={setSecret} teamId={teamId} />
          <RevealKeyDialog
            secret={secret}
            onDone={() => {
              setSecret(null);
              void client.invalidateQueries({ queryKey: ['keys'] });
            }}
          />
        </Suspense>
      ) : null}
    </div>
  );
}
