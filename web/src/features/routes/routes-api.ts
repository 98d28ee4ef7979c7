/** The routes endpoints the page and the editor share (docs/api.md "Routes"). */
import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';

export interface RouteTarget {
  model: string;
  integration_id?: string;
  weight?: number;
}
export interface Route {
  name: string;
  strategy: 'priority' | 'cost' | 'latency' | 'weighted';
  targets: RouteTarget[];
  constraints: unknown;
  fallback_local: boolean;
}

/** `/api/routes` or `/api/teams/{team}/routes`. */
export const routesBase = (team: string | undefined) => (team ? `/api/teams/${team}/routes` : '/api/routes');
export const routesQuery = (team: string | undefined) =>
  queryOptions({ queryKey: ['routes', team ?? 'personal'], queryFn: ({ signal }) => api<{ data: Route[] }>(routesBase(team), { signal }) });
