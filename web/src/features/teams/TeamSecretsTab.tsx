/**
 * Team secrets, read-only for now: the team's provider keys (name, service, …last4, status in
 * words) and a link to manage them in the Integrations page's team scope. The lead swaps in the
 * shared, scope-aware Integrations component at merge (see docs/decisions, teams note).
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../../api/client';
import type { Page, Integration } from '../../api/types';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { EmptyState } from '../../ui/EmptyState';
import { StatusPill } from '../../ui/StatusPill';

export function TeamSecretsTab({ teamId }: { teamId: string }) {
  const secrets = useQuery({
    queryKey: ['teams', teamId, 'integrations'],
    queryFn: ({ signal }) => api<Page<Integration>>(`/api/teams/${teamId}/integrations?limit=100`, { signal }),
  });
  const rows = secrets.data?.data ?? [];
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-muted">
        Provider keys the team shares. Every member can use them; only owners and admins add, replace or delete them.{' '}
        <Link to="/integrations" search={{ team: teamId } as never} className="text-accent underline underline-offset-2">
          Manage team secrets
        </Link>
      </p>
      {secrets.isError ? <LoadError what="The team secrets" onRetry={() => void secrets.refetch()} /> : null}
      {secrets.isSuccess && rows.length === 0 ? <EmptyState title="No team secrets yet">An owner or admin can add the team's provider keys.</EmptyState> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Team secrets"
          minWidth="32rem"
          head={
            <>
              <th scope="col" className={cell}>Name</th>
              <th scope="col" className={cell}>Service</th>
              <th scope="col" className={cell}>Key</th>
              <th scope="col" className={cell}>Status</th>
            </>
          }
        >
          {rows.map((integration) => (
            <tr key={integration.id} className="border-t border-border">
              <th scope="row" className={`${cell} font-medium`}>{integration.name}</th>
              <td className={cell}>{integration.service}</td>
              <td className={`${cell} font-mono`}>…{integration.key_last4}</td>
              <td className={cell}>
                <StatusPill status={integration.health} />
              </td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
    </div>
  );
}
