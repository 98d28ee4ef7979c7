/**
 * Teams (WEBAPP.md §6.4): the table "Teams" (name, your role, member count, spend this month, all
 * from GET /api/teams in one answer) and "Create team" → dialog "Create team" with "Team name".
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { teamsQuery } from '../../api/queries';
import type { ApiResponse } from '../../api/types';
import { formatMoney, formatNumber } from '../../format';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { Dialog } from '../../ui/Dialog';
import { EmptyState } from '../../ui/EmptyState';
import { Field, inputClass } from '../../ui/Field';
import { Page } from '../../ui/Page';
import { useToast } from '../../ui/Toast';
import { ServerError } from '../auth/FormParts';
import { ROLE_LABELS, type TeamSummary } from './teamData';

export default function TeamsPage() {
  // The header's Workspace list: GET /api/teams answers the table's summary too (one request for both).
  const teams = useQuery({ ...teamsQuery, staleTime: 0 });
  const [creating, setCreating] = useState(false);
  const rows = teams.data?.data ?? [];
  return (
    <Page
      title="Teams"
      actions={
        <Button variant="primary" onClick={() => setCreating(true)}>
          Create team
        </Button>
      }
    >
      <p className="text-sm text-muted">Share provider keys, API keys, routes and a budget with the people you work with.</p>
      {teams.isError ? <LoadError what="The teams" onRetry={() => void teams.refetch()} /> : null}
      {teams.isSuccess && rows.length === 0 ? <EmptyState title="No teams yet">Create a team, then invite people by e-mail.</EmptyState> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Teams"
          minWidth="36rem"
          head={
            <>
              <th scope="col" className={cell}>Name</th>
              <th scope="col" className={cell}>Your role</th>
              <th scope="col" className={`${cell} text-right`}>Members</th>
              <th scope="col" className={`${cell} text-right`}>Spend this month</th>
            </>
          }
        >
          {rows.map((team) => (
            <tr key={team.id} className="border-t border-border">
              <th scope="row" className={`${cell} font-medium`}>
                <Link to="/teams/$teamId" params={{ teamId: team.id }} className="text-accent underline underline-offset-2">
                  {team.name}
                </Link>
                {team.disabled ? <span className="ml-2 text-xs text-muted">(disabled)</span> : null}
              </th>
              <td className={cell}>{ROLE_LABELS[team.role]}</td>
              <td className={`${cell} text-right tabular-nums`}>{formatNumber(team.member_count)}</td>
              <td className={`${cell} text-right tabular-nums`}>{formatMoney(team.month_spend_micros)}</td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
      <CreateTeamDialog open={creating} onOpenChange={setCreating} />
    </Page>
  );
}

function CreateTeamDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const notify = useToast();
  const [error, setError] = useState<string | undefined>();
  const create = useMutation({ mutationFn: (name: string) => api<ApiResponse<'/api/teams', 'post'>>('/api/teams', { body: { name } }) });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (name === '' || name.length > 100) {
      setError(name === '' ? 'Give the team a name.' : 'At most 100 characters.');
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setError(undefined);
    const team = await create.mutateAsync(name).catch(() => undefined);
    if (!team) return;
    await client.invalidateQueries({ queryKey: ['teams'] });
    onOpenChange(false);
    notify(`Team ${team.name} created.`);
    void navigate({ to: '/teams/$teamId', params: { teamId: team.id } });
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) {
          create.reset();
          setError(undefined);
        }
        onOpenChange(next);
      }}
      title="Create team"
    >
      <form noValidate className="flex flex-col gap-4" onSubmit={(event) => void submit(event)}>
        <ServerError error={create.error} />
        <Field label="Team name" error={error}>
          <input name="name" autoComplete="off" maxLength={100} className={inputClass} />
        </Field>
        <div className="flex justify-end">
          <Button variant="primary" type="submit" busy={create.isPending}>
            Create team
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
