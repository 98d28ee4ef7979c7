/** The routes endpoints the page and the editor share (docs/api.md "Routes"). */
import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ApiResponse, Route } from '../../api/types';

export type { Route };

/** `/api/routes` or `/api/teams/{team}/routes`. */
export const routesBase = (team: string | undefined) => (team ? `/api/teams/${team}/routes` : '/api/routes');
export const routesQuery = (team: string | undefined) =>
  queryOptions({ queryKey: ['routes', team ?? 'personal'], queryFn: ({ signal }) => api<ApiResponse<'/api/routes'>>(routesBase(team), { signal }) });
