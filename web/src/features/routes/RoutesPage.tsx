/**
 * Routes (WEBAPP.md §6.4): the table "Routes" (name, strategy, targets) of the workspace in the
 * URL (`?team=`, absent = Personal), "Create route" and "Edit" opening the lazy route editor.
 */
import { useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { lazy, Suspense, useState } from 'react';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';

import { routesQuery, type Route } from './routes-api';

const RouteEditor = lazy(() => import('./RouteEditor'));

export default function RoutesPage() {
  const { team } = useSearch({ strict: false }) as { team?: string };
  const routes = useQuery(routesQuery(team));
  const [editing, setEditing] = useState<Route | 'new' | null>(null);
  const all = routes.data?.data ?? [];
  return (
    <Page
      title="Routes"
      actions={
        <Button variant="primary" onClick={() => setEditing('new')}>
          Create route
        </Button>
      }
    >
      <p className="text-sm text-muted">A route is a virtual model: put its name in <code>model</code> and the gateway tries its targets in order, falling over when one fails.</p>
      {routes.isError ? <LoadError what="The routes" onRetry={() => void routes.refetch()} /> : null}
      {routes.isSuccess && all.length === 0 ? <EmptyState title="No routes yet">Create one to fall over between providers, or to pick the cheapest or fastest model.</EmptyState> : null}
      {all.length > 0 ? (
        <TableRegion
          caption="Routes"
          minWidth="40rem"
          head={
            <>
              <th scope="col" className={cell}>Name</th>
              <th scope="col" className={cell}>Strategy</th>
              <th scope="col" className={cell}>Targets</th>
              <th scope="col" className={cell}>
                <span className="sr-only">Actions</span>
              </th>
            </>
          }
        >
          {all.map((route) => (
            <tr key={route.name} className="border-t border-border">
              <th scope="row" className={`${cell} font-mono font-medium`}>{route.name}</th>
              <td className={cell}>{route.strategy}{route.fallback_local ? ', then local' : ''}</td>
              <td className={cell}>
                <ol className="list-decimal pl-5">
                  {route.targets.map((target, index) => (
                    <li key={index} className="font-mono">
                      {target.model}
                      {target.weight !== undefined ? ` (weight ${target.weight})` : ''}
                    </li>
                  ))}
                </ol>
              </td>
              <td className={cell}>
                <Button variant="ghost" onClick={() => setEditing(route)} aria-label={`Edit route ${route.name}`}>
                  Edit
                </Button>
              </td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
      {editing ? (
        <Suspense fallback={null}>
          <RouteEditor team={team} route={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
        </Suspense>
      ) : null}
    </Page>
  );
}
