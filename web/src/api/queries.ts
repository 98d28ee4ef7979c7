/** Query keys and fetchers shared by the shell. Logout clears the whole cache (queryClient.clear()). */
import { queryOptions } from '@tanstack/react-query';
import { api } from './client';
import type { ApiResponse, Me } from './types';

export const meQuery = queryOptions({ queryKey: ['me'], queryFn: ({ signal }) => api<Me>('/api/me', { signal }), staleTime: 60_000 });

export const teamsQuery = queryOptions({
  queryKey: ['teams'],
  queryFn: ({ signal }) => api<ApiResponse<'/api/teams'>>('/api/teams?limit=100', { signal }),
  staleTime: 60_000,
});

export const unreadNotificationsQuery = queryOptions({
  queryKey: ['notifications', 'unread'],
  queryFn: ({ signal }) => api<ApiResponse<'/api/notifications'>>('/api/notifications?unread=true', { signal }),
  staleTime: 30_000,
});
