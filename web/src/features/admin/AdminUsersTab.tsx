/**
 * "Users": searchbox "Search users" (email fragment or id), the table "Users" (email, verified,
 * admin, created, last active, spend this month, teams) and the actions "Disable user", "Enable
 * user", "Make admin", "Remove admin", "Sign out everywhere", "Resend verification" — each behind
 * an alertdialog, each audited by the server.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { api } from '../../api/client';
import type { ApiResponse } from '../../api/types';
import { browserTimeZone, formatDate, formatDateTime, formatMoney } from '../../format';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { AlertDialog } from '../../ui/Dialog';
import { useToast } from '../../ui/Toast';
import { inputClass } from '../../ui/Field';
import { ServerError } from '../auth/FormParts';
import type { AdminUser } from './admin-api';

interface Action {
  label: string;
  path: string;
  describe: (user: AdminUser) => string;
}

const actions: Record<string, Action> = {
  disable: { label: 'Disable user', path: 'disable', describe: (u) => `${u.email} is signed out everywhere, cannot log in, and their platform keys stop working until enabled again.` },
  enable: { label: 'Enable user', path: 'enable', describe: (u) => `${u.email} can log in again (old sessions stay ended).` },
  makeAdmin: { label: 'Make admin', path: 'make-admin', describe: (u) => `${u.email} can run the platform: every user, team, price and the audit log.` },
  removeAdmin: { label: 'Remove admin', path: 'remove-admin', describe: (u) => `${u.email} loses admin access at once.` },
  signOut: { label: 'Sign out everywhere', path: 'revoke-sessions', describe: (u) => `Every session of ${u.email} ends now, on every device.` },
  resend: { label: 'Resend verification', path: 'resend-verification', describe: (u) => `A new verification link is mailed to ${u.email}.` },
};

export default function AdminUsersTab() {
  const client = useQueryClient();
  const toast = useToast();
  const [search, setSearch] = useState('');
  const query = useDeferredValue(search.trim());
  const users = useQuery({
    queryKey: ['admin', 'users', query],
    queryFn: ({ signal }) => api<ApiResponse<'/api/admin/users'>>(`/api/admin/users?limit=100${query ? `&query=${encodeURIComponent(query)}` : ''}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const [pending, setPending] = useState<{ user: AdminUser; action: Action } | null>(null);
  const run = useMutation({
    mutationFn: ({ user, action }: { user: AdminUser; action: Action }) => api<unknown>(`/api/admin/users/${user.id}/${action.path}`, { method: 'POST' }),
    onSuccess: async (_result, { user, action }) => {
      setPending(null);
      toast(`${action.label}: done for ${user.email}.`);
      await client.invalidateQueries({ queryKey: ['admin'] });
    },
  });
  const zone = browserTimeZone();
  const rows = users.data?.data ?? [];

  return (
    <div className="flex flex-col gap-3">
      <label className="flex max-w-md flex-col gap-1 text-sm font-medium">
        Search users
        <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="Email or user id" className={inputClass} />
      </label>
      {users.isError ? <LoadError what="The users" onRetry={() => void users.refetch()} /> : null}
      {users.isSuccess && rows.length === 0 ? <p className="text-sm">No user matches.</p> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Users"
          minWidth="72rem"
          head={
            <>
              <th scope="col" className={cell}>Email</th>
              <th scope="col" className={cell}>Verified</th>
              <th scope="col" className={cell}>Admin</th>
              <th scope="col" className={cell}>Created</th>
              <th scope="col" className={cell}>Last active</th>
              <th scope="col" className={cell}>Spend this month</th>
              <th scope="col" className={cell}>Teams</th>
              <th scope="col" className={cell}>Actions</th>
            </>
          }
        >
          {rows.map((user) => (
            <tr key={user.id} className="border-t border-border">
              <th scope="row" className={`${cell} break-all font-medium`}>
                {user.email}
                {user.disabled ? <span className="ml-2 rounded-full border border-border px-2 py-0.5 text-xs">Disabled</span> : null}
              </th>
              <td className={cell}>{user.email_verified ? 'Yes' : 'No'}</td>
              <td className={cell}>{user.is_admin ? 'Yes' : 'No'}</td>
              <td className={cell}>{formatDate(user.created_at, zone)}</td>
              <td className={cell}>{user.last_active_at ? formatDateTime(user.last_active_at, zone) : 'Never'}</td>
              <td className={`${cell} tabular-nums`}>{formatMoney(user.spend_this_month_micros)}</td>
              <td className={cell}>{user.teams.map((team) => `${team.name} (${team.role})`).join(', ') || '—'}</td>
              <td className={cell}>
                <div className="flex flex-wrap gap-1">
                  {[
                    user.disabled ? actions.enable! : actions.disable!,
                    user.is_admin ? actions.removeAdmin! : actions.makeAdmin!,
                    actions.signOut!,
                    ...(user.email_verified || user.disabled ? [] : [actions.resend!]),
                  ].map((action) => (
                    <Button key={action.path} variant="ghost" onClick={() => setPending({ user, action })} aria-label={`${action.label} ${user.email}`}>
                      {action.label}
                    </Button>
                  ))}
                </div>
              </td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
      <AlertDialog
        open={pending !== null}
        onOpenChange={(open) => {
          if (!open) {
            setPending(null);
            run.reset();
          }
        }}
        title={pending ? `${pending.action.label}: ${pending.user.email}?` : ''}
        description={
          <>
            {pending?.action.describe(pending.user)} This is recorded in the audit log.
            <ServerError error={run.error} />
          </>
        }
        confirmLabel={pending?.action.label ?? 'Confirm'}
        busy={run.isPending}
        onConfirm={() => pending && run.mutate(pending)}
      />
    </div>
  );
}
