/**
 * Settings (WEBAPP.md §6.4): the profile (email) and the table "Sessions" — every signed-in
 * device with its IP and times, "This device" marked — with "Revoke session" per row and "Sign out
 * other sessions"; then "Notification preferences" (which alerts also come by mail). A revoked session's refresh fails, so that browser lands on the login page.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { meQuery } from '../../api/queries';
import type { ApiResponse, Session } from '../../api/types';
import { browserTimeZone, formatDateTime } from '../../format';
import { Button } from '../../ui/Button';
import { AlertDialog } from '../../ui/Dialog';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { Page } from '../../ui/Page';
import { ChangePasswordForm } from './ChangePasswordForm';
import { NotificationPreferencesSection } from './NotificationPreferences';

const sessionsQuery = queryOptions({
  queryKey: ['me', 'sessions'],
  queryFn: ({ signal }) => api<ApiResponse<'/api/me/sessions'>>('/api/me/sessions', { signal }),
});


/** "Firefox on Linux"-like, from a user agent; the raw string when nothing matches. */
function device(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Chrome\//.test(userAgent) ? 'Chrome' : /Firefox\//.test(userAgent) ? 'Firefox' : /Safari\//.test(userAgent) ? 'Safari' : undefined;
  const system = /Windows/.test(userAgent) ? 'Windows' : /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : undefined;
  return browser && system ? `${browser} on ${system}` : userAgent.slice(0, 80);
}

export default function SettingsPage() {
  const client = useQueryClient();
  const me = useQuery(meQuery);
  const sessions = useQuery(sessionsQuery);
  const [confirmOthers, setConfirmOthers] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: sessionsQuery.queryKey });
  const revoke = useMutation({ mutationFn: (id: string) => api<void>(`/api/me/sessions/${id}`, { method: 'DELETE' }), onSuccess: refresh });
  const revokeOthers = useMutation({
    mutationFn: () => api<ApiResponse<'/api/me/sessions', 'delete'>>('/api/me/sessions', { method: 'DELETE' }),
    onSuccess: async () => {
      setConfirmOthers(false);
      await refresh();
    },
  });
  const zone = browserTimeZone();
  const others = (sessions.data?.data ?? []).filter((session) => !session.current).length;

  return (
    <Page title="Settings">
      <section aria-labelledby="profile-heading" className="flex min-w-0 flex-col gap-2">
        <h2 id="profile-heading" className="text-lg font-semibold">
          Profile
        </h2>
        <p className="text-sm">
          Email: <strong className="break-all">{me.data?.email ?? "…"}</strong>
        </p>
        <p className="text-sm">
          Time zone: <strong>{zone}</strong> <span className="text-muted">(your browser’s; times on these pages are shown in it unless a page says UTC)</span>
        </p>
        <p className="text-sm text-muted">Theme: use the “Theme” button in the header (system, light or dark; remembered on this device).</p>
        <ChangePasswordForm onChanged={() => void refresh()} />
      </section>

      <section aria-labelledby="sessions-heading" className="flex min-w-0 flex-col gap-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="sessions-heading" className="text-lg font-semibold">
            Sessions
          </h2>
          <Button onClick={() => setConfirmOthers(true)} disabled={others === 0}>
            Sign out other sessions
          </Button>
        </div>
        {sessions.isError ? <LoadError what="The sessions" onRetry={() => void sessions.refetch()} /> : null}
        <TableRegion
          caption="Sessions"
          minWidth="40rem"
          head={
            <>
              <th scope="col" className={cell}>Device</th>
              <th scope="col" className={cell}>IP</th>
              <th scope="col" className={cell}>Created</th>
              <th scope="col" className={cell}>Last used</th>
              <th scope="col" className={cell}>
                <span className="sr-only">Actions</span>
              </th>
            </>
          }
        >
          {(sessions.data?.data ?? []).map((session) => (
            <tr key={session.id} className="border-t border-border">
              <th scope="row" className={`${cell} font-medium`}>
                {device(session.user_agent)}
                {session.current ? <span className="ml-2 rounded-full border border-border px-2 py-0.5 text-xs">This device</span> : null}
              </th>
              <td className={cell}>{session.ip ?? '—'}</td>
              <td className={cell}>{formatDateTime(session.created_at, zone)}</td>
              <td className={cell}>{session.last_used_at ? formatDateTime(session.last_used_at, zone) : '—'}</td>
              <td className={cell}>
                {session.current ? null : (
                  <Button variant="ghost" busy={revoke.isPending && revoke.variables === session.id} onClick={() => revoke.mutate(session.id)} aria-label={`Revoke session ${device(session.user_agent)}, last used ${session.last_used_at ? formatDateTime(session.last_used_at, zone) : 'never'}`}>
                    Revoke session
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </TableRegion>
      </section>
      <NotificationPreferencesSection />
      <AlertDialog
        open={confirmOthers}
        onOpenChange={setConfirmOthers}
        title="Sign out other sessions?"
        description={`Every other browser and device signed in as you (${others}) is signed out now. This one stays signed in.`}
        confirmLabel="Sign out others"
        busy={revokeOthers.isPending}
        onConfirm={() => revokeOthers.mutate()}
      />
    </Page>
  );
}
