/** The team's routes, read only (name, strategy, targets), with a link to edit them on the Routes page in team scope. */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../../api/client';
import type { ApiResponse, Route } from '../../api/types';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { EmptyState } from '../../ui/EmptyState';

const STRATEGY: Record<Route['strategy'], string> = { priority: 'Priority', cost: 'Cheapest first', latency: 'Fastest first', weighted: 'Weighted' };

export function TeamRoutesTab({ teamId }: { teamId: string }) {
  const routes = useQuery({
    queryKey: ['teams', teamId, 'routes'],
    queryFn: ({ signal }) => api<ApiResponse<'/api/teams/{teamId}/routes'>>(`/api/teams/${teamId}/routes`, { signal }),
  });
  const rows = routes.data?.data ?? [];
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-muted">
        Virtual models the team's requests can name.{' '}
        <Link to="/routes" search={{ team: teamId } as never} className="text-accent underline underline-offset-2">
          Manage team routes
        </Link>
      </p>
      {routes.isError ? <LoadError what="The routes" onRetry={() => void routes.refetch()} /> : null}
      {routes.isSuccess && rows.length === 0 ? <EmptyState title="No team routes yet">Without a route, the model `auto` picks a cheap default per provider.</EmptyState> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Team routes"
          minWidth="32rem"
          head={
            <>
              <th scope="col" className={cell}>Name</th>
              <th scope="col" className={cell}>Strategy</th>
              <th scope="col" className={cell}>Targets</th>
            </>
          }
        >
          {rows.map((route) => (
            <tr key={route.name} className="border-t border-border">
              <th scope="row" className={`${cell} font-mono font-medium`}>{route.name}</th>
              <td className={cell}>{STRATEGY[route.strategy]}</td>
              <td className={`${cell} break-all`}>{route.targets.map((target) => target.model).join(' → ')}</td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
    </div>
  );
}
