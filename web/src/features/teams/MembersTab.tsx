/**
 * Members tab: table "Members" (email, role, joined, last active). Owners and admins change roles
 * and remove members — each behind an alertdialog — and see "Pending invitations" with "Resend" and
 * "Revoke". Everyone can "Leave team"; the server refuses the last owner (409 last_owner), which
 * the confirmation shows.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { lazy, Suspense, useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { meQuery } from '../../api/queries';
import { browserTimeZone, formatDate, formatDateTime } from '../../format';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { AlertDialog } from '../../ui/Dialog';
import { Select } from '../../ui/Select';
import { useToast } from '../../ui/Toast';
import { canManage, invitationsQuery, isManager, membersQuery, ROLE_LABELS, ROLE_OPTIONS, type Member, type Role, type TeamSummary } from './teamData';

const InviteDialog = lazy(() => import('./InviteDialog'));

type Pending = { kind: 'role'; member: Member; role: Role } | { kind: 'remove'; member: Member } | { kind: 'leave' };

export function MembersTab({ team }: { team: TeamSummary }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const notify = useToast();
  const me = useQuery(meQuery);
  const members = useQuery(membersQuery(team.id));
  const manager = isManager(team.role);
  const [inviting, setInviting] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const zone = browserTimeZone();
  const refresh = () => client.invalidateQueries({ queryKey: ['teams', team.id] });

  const change = useMutation({
    mutationFn: async (action: Pending) => {
      if (action.kind === 'role') return api<void>(`/api/teams/${team.id}/members/${action.member.user_id}`, { method: 'PATCH', body: { role: action.role } });
      const userId = action.kind === 'leave' ? me.data?.id : action.member.user_id;
      return api<void>(`/api/teams/${team.id}/members/${userId ?? ''}`, { method: 'DELETE' });
    },
    onSuccess: async (_, action) => {
      setPending(null);
      if (action.kind === 'leave') {
        client.removeQueries({ queryKey: ['teams', team.id] });
        await client.invalidateQueries({ queryKey: ['teams'] });
        notify(`You left ${team.name}.`);
        void navigate({ to: '/teams' });
        return;
      }
      notify(action.kind === 'role' ? `${action.member.email} is now ${ROLE_LABELS[action.role].toLowerCase()}.` : `${action.member.email} was removed from ${team.name}.`);
      await refresh();
    },
  });

  const text =
    pending === null
      ? null
      : pending.kind === 'role'
        ? { title: `Make ${pending.member.email} ${ROLE_LABELS[pending.role].toLowerCase()}?`, description: 'Their permissions in the team change at once.', confirm: 'Change role' }
        : pending.kind === 'remove'
          ? { title: `Remove ${pending.member.email}?`, description: `They lose access to ${team.name} at once, and API keys they made for the team stop working.`, confirm: 'Remove member' }
          : { title: `Leave ${team.name}?`, description: 'You lose access to the team at once, and your API keys for the team stop working.', confirm: 'Leave team' };
  const rows = members.data?.data ?? [];

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap gap-2">
        {manager ? (
          <Button variant="primary" onClick={() => setInviting(true)}>
            Invite member
          </Button>
        ) : null}
        <Button onClick={() => setPending({ kind: 'leave' })}>Leave team</Button>
      </div>
      {members.isError ? <LoadError what="The members" onRetry={() => void members.refetch()} /> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Members"
          minWidth="40rem"
          head={
            <>
              <th scope="col" className={cell}>Email</th>
              <th scope="col" className={cell}>Role</th>
              <th scope="col" className={cell}>Joined</th>
              <th scope="col" className={cell}>Last active</th>
              {manager ? (
                <th scope="col" className={cell}>
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </>
          }
        >
          {rows.map((member) => {
            const editable = manager && member.user_id !== me.data?.id && canManage(team.role, member.role);
            return (
              <tr key={member.user_id} className="border-t border-border">
                <th scope="row" className={`${cell} font-medium break-all`}>
                  {member.email}
                  {member.user_id === me.data?.id ? <span className="ml-2 text-xs text-muted">(you)</span> : null}
                </th>
                <td className={cell}>
                  {editable ? (
                    <Select
                      label={`Role of ${member.email}`}
                      hideLabel
                      value={member.role}
                      options={ROLE_OPTIONS.filter((option) => canManage(team.role, option.value))}
                      onChange={(event) => {
                        const role = event.target.value as Role;
                        if (role !== member.role) setPending({ kind: 'role', member, role });
                      }}
                    />
                  ) : (
                    ROLE_LABELS[member.role]
                  )}
                </td>
                <td className={cell}>{formatDate(member.joined_at, zone)}</td>
                <td className={cell}>{member.last_active_at ? formatDateTime(member.last_active_at, zone) : 'Never'}</td>
                {manager ? (
                  <td className={cell}>
                    {editable ? (
                      <Button variant="ghost" aria-label={`Remove ${member.email}`} onClick={() => setPending({ kind: 'remove', member })}>
                        Remove
                      </Button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </TableRegion>
      ) : null}
      {manager ? <PendingInvitations teamId={team.id} /> : null}
      {inviting ? (
        <Suspense fallback={null}>
          <InviteDialog team={team} onClose={() => setInviting(false)} />
        </Suspense>
      ) : null}
      <AlertDialog
        open={pending !== null}
        onOpenChange={(open) => {
          if (!open) {
            setPending(null);
            change.reset();
          }
        }}
        title={text?.title ?? ''}
        description={
          <>
            {text?.description}
            {change.error ? (
              <span role="alert" className="mt-2 block font-medium text-danger">
                {describeError(change.error)}
              </span>
            ) : null}
          </>
        }
        confirmLabel={text?.confirm ?? ''}
        busy={change.isPending}
        onConfirm={() => pending && change.mutate(pending)}
      />
    </div>
  );
}

function PendingInvitations({ teamId }: { teamId: string }) {
  const client = useQueryClient();
  const notify = useToast();
  const invitations = useQuery(invitationsQuery(teamId));
  const zone = browserTimeZone();
  const act = useMutation({
    mutationFn: ({ id, action }: { id: string; email: string; action: 'resend' | 'revoke' }) =>
      action === 'resend'
        ? api<void>(`/api/teams/${teamId}/invitations/${id}/resend`, { method: 'POST', body: {} })
        : api<void>(`/api/teams/${teamId}/invitations/${id}`, { method: 'DELETE' }),
    onSuccess: async (_, { email, action }) => {
      notify(action === 'resend' ? `Invitation sent to ${email} again.` : `Invitation to ${email} revoked.`);
      await client.invalidateQueries({ queryKey: invitationsQuery(teamId).queryKey });
    },
    onError: (error) => notify(describeError(error), 'error'),
  });
  const rows = invitations.data?.data ?? [];
  return (
    <section aria-labelledby="pending-invitations" className="flex flex-col gap-2">
      <h2 id="pending-invitations" className="text-lg font-semibold">
        Pending invitations
      </h2>
      {invitations.isError ? <LoadError what="The invitations" onRetry={() => void invitations.refetch()} /> : null}
      {invitations.isSuccess && rows.length === 0 ? <p className="text-sm text-muted">No invitations waiting for an answer.</p> : null}
      {rows.length > 0 ? (
        <ul aria-labelledby="pending-invitations" className="flex flex-col divide-y divide-border rounded-md border border-border">
          {rows.map((invitation) => (
            <li key={invitation.id} className="flex flex-wrap items-center justify-between gap-2 p-3 text-sm">
              <span className="break-all">
                <span className="font-medium">{invitation.email}</span> · {ROLE_LABELS[invitation.role]} · expires {formatDate(invitation.expires_at, zone)}
              </span>
              <span className="flex gap-1">
                <Button
                  variant="ghost"
                  aria-label={`Resend invitation to ${invitation.email}`}
                  busy={act.isPending && act.variables?.id === invitation.id && act.variables.action === 'resend'}
                  onClick={() => act.mutate({ id: invitation.id, email: invitation.email, action: 'resend' })}
                >
                  Resend
                </Button>
                <Button
                  variant="ghost"
                  aria-label={`Revoke invitation to ${invitation.email}`}
                  busy={act.isPending && act.variables?.id === invitation.id && act.variables.action === 'revoke'}
                  onClick={() => act.mutate({ id: invitation.id, email: invitation.email, action: 'revoke' })}
                >
                  Revoke
                </Button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
