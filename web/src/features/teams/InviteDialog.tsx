/** "Invite member": "Email" and "Role" (only the roles you may grant); the invitation is mailed with a link. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';
import { Select } from '../../ui/Select';
import { useToast } from '../../ui/Toast';
import { ServerError } from '../auth/FormParts';
import { canManage, invitationsQuery, ROLE_OPTIONS, type Invitation, type TeamSummary } from './teamData';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export default function InviteDialog({ team, onClose }: { team: TeamSummary; onClose: () => void }) {
  const client = useQueryClient();
  const notify = useToast();
  const [error, setError] = useState<string | undefined>();
  const invite = useMutation({
    mutationFn: (body: { email: string; role: string }) => api<Invitation>(`/api/teams/${team.id}/invitations`, { body }),
  });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    if (!EMAIL.test(email)) {
      setError('Enter a valid email address, like name@example.com.');
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setError(undefined);
    const sent = await invite.mutateAsync({ email, role: String(data.get('role') ?? 'member') }).catch(() => undefined);
    if (!sent) return;
    await client.invalidateQueries({ queryKey: invitationsQuery(team.id).queryKey });
    notify(`Invitation sent to ${sent.email}.`);
    onClose();
  };

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())} title="Invite member" description={`They get an e-mail with a link to join ${team.name}; it is valid for 7 days.`}>
      <form noValidate className="flex flex-col gap-4" onSubmit={(event) => void submit(event)}>
        <ServerError error={invite.error} />
        <Field label="Email" error={error}>
          <input name="email" type="email" autoComplete="off" className={inputClass} />
        </Field>
        <Select label="Role" name="role" defaultValue="member" options={ROLE_OPTIONS.filter((option) => canManage(team.role, option.value))} />
        <div className="flex justify-end">
          <Button variant="primary" type="submit" busy={invite.isPending}>
            Send invitation
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
