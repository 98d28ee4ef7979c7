/** Shapes and queries of the Teams pages (docs/api.md "Teams"). Every query is keyed under ['teams', teamId]. */
import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ApiResponse, Schemas, Team, TeamSummary } from '../../api/types';

export type Role = Team['role'];

export type { TeamSummary };
export type Member = Schemas['TeamMember'];
export type Invitation = Schemas['TeamInvitation'];

export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
export const ROLE_OPTIONS = (['member', 'admin', 'owner'] as const).map((value) => ({ value, label: ROLE_LABELS[value] }));
const rank: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

/** What the server allows (teams.service.ts checkCanManage): owners manage everyone, admins members only. */
export const canManage = (actor: Role, role: Role): boolean => actor === 'owner' || (actor === 'admin' && role === 'member');
export const isManager = (role: Role): boolean => rank[role] >= rank.admin;

export const teamQuery = (teamId: string) =>
  queryOptions({ queryKey: ['teams', teamId], queryFn: ({ signal }) => api<TeamSummary>(`/api/teams/${teamId}`, { signal }) });

export const membersQuery = (teamId: string) =>
  queryOptions({ queryKey: ['teams', teamId, 'members'], queryFn: ({ signal }) => api<ApiResponse<'/api/teams/{teamId}/members'>>(`/api/teams/${teamId}/members?limit=100`, { signal }) });

export const invitationsQuery = (teamId: string) =>
  queryOptions({
    queryKey: ['teams', teamId, 'invitations'],
    queryFn: ({ signal }) => api<ApiResponse<'/api/teams/{teamId}/invitations'>>(`/api/teams/${teamId}/invitations?limit=100`, { signal }),
  });
