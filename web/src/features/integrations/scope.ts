/**
 * Where an integration lives: personal (/api/integrations) or a team's secrets
 * (/api/teams/:teamId/integrations), and what the caller may do there. Members see and test team
 * secrets; owners and admins add, edit, replace, disable and delete them (the server enforces it; the page
 * disables the controls and says why).
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { IntegrationPage, Integration, Team } from '../../api/types';

import { integrationsBase } from './services';

export { integrationsBase };

export const integrationsQuery = (teamId?: string) =>
  queryOptions({
    queryKey: ['integrations', teamId ?? 'personal'],
    queryFn: ({ signal }) => api<IntegrationPage>(`${integrationsBase(teamId)}?limit=100`, { signal }),
  });

export const integrationQuery = (id: string, teamId?: string) =>
  queryOptions({
    queryKey: ['integrations', teamId ?? 'personal', id],
    queryFn: ({ signal }) => api<Integration>(`${integrationsBase(teamId)}/${id}`, { signal }),
    retry: false,
  });

export const MANAGE_REASON = 'Only team owners and admins can add, edit, replace, disable or delete team secrets; members can see and test them';

/** Whether the caller may add/change/delete here; `reason` explains when not (null while unknown). */
export function useCanManage(teamId?: string): { canManage: boolean; reason: string | undefined } {
  const team = useQuery({
    queryKey: ['teams', teamId],
    queryFn: ({ signal }) => api<Team>(`/api/teams/${teamId}`, { signal }),
    enabled: teamId !== undefined,
    staleTime: 60_000,
  });
  if (!teamId) return { canManage: true, reason: undefined };
  const role = team.data?.role;
  const canManage = role === 'owner' || role === 'admin';
  return { canManage, reason: canManage ? undefined : MANAGE_REASON };
}
