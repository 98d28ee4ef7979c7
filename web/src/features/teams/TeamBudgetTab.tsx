/**
 * The team's monthly budget: spent against the limit (`progressbar` "Monthly budget") and, for
 * owners and admins, "Edit budget" → "Monthly limit (USD)" (PUT /api/budgets scope team; the
 * thresholds and hard/soft setting in force are kept). Members see the month's spend only: budgets
 * are the managers' (docs/api.md "Budgets"). Alerts and channels live on /budgets?team=.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { ApiResponse, Budget } from '../../api/types';
import { formatMoney, parseDollarsToMicros } from '../../format';
import { Button } from '../../ui/Button';
import { LoadError } from '../../ui/DataRegion';
import { Dialog } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';
import { Progress } from '../../ui/Progress';
import { useToast } from '../../ui/Toast';
import { ServerError } from '../auth/FormParts';
import { isManager, type TeamSummary } from './teamData';

export function TeamBudgetTab({ team }: { team: TeamSummary }) {
  const manager = isManager(team.role);
  const budgets = useQuery({
    queryKey: ['budgets'],
    queryFn: ({ signal }) => api<ApiResponse<'/api/budgets'>>('/api/budgets', { signal }),
    enabled: manager,
  });
  const [editing, setEditing] = useState(false);
  const budget = budgets.data?.data.find((row) => row.scope === 'team' && row.scope_id === team.id);

  if (!manager) {
    return (
      <p className="text-sm">
        {formatMoney(team.month_spend_micros)} spent this month. Only the team's owners and admins see and set its budget.
      </p>
    );
  }
  return (
    <div className="flex max-w-xl flex-col gap-4">
      {budgets.isError ? <LoadError what="The budget" onRetry={() => void budgets.refetch()} /> : null}
      {budgets.isSuccess && budget ? (
        <Progress
          label="Monthly budget"
          value={budget.spent_micros}
          max={budget.limit_micros}
          text={`${formatMoney(budget.spent_micros)} of ${formatMoney(budget.limit_micros)} (${budget.hard_limit ? 'hard limit' : 'alerts only'})`}
        />
      ) : null}
      {budgets.isSuccess && !budget ? <p className="text-sm">No budget: {formatMoney(team.month_spend_micros)} spent this month, without a limit.</p> : null}
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="primary" disabled={!budgets.isSuccess} onClick={() => setEditing(true)}>
          Edit budget
        </Button>
        <Link to="/budgets" search={{ team: team.id } as never} className="text-sm text-accent underline underline-offset-2">
          Alerts and channels
        </Link>
      </div>
      <EditBudgetDialog open={editing} onOpenChange={setEditing} teamId={team.id} budget={budget} />
    </div>
  );
}

function EditBudgetDialog({ open, onOpenChange, teamId, budget }: { open: boolean; onOpenChange: (open: boolean) => void; teamId: string; budget: Budget | undefined }) {
  const client = useQueryClient();
  const notify = useToast();
  const [error, setError] = useState<string | undefined>();
  const save = useMutation({
    mutationFn: (limit: number) =>
      api<Budget>('/api/budgets', {
        method: 'PUT',
        body: { scope: 'team', scope_id: teamId, limit_micros: limit, ...(budget ? { alert_thresholds: budget.alert_thresholds, hard_limit: budget.hard_limit } : {}) },
      }),
  });
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const limit = parseDollarsToMicros(String(new FormData(form).get('limit') ?? ''));
    if (limit === null) {
      setError('An amount in US dollars, 0 or more, with at most 6 decimals (e.g. 250 or 12.50).');
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setError(undefined);
    if (!(await save.mutateAsync(limit).catch(() => undefined))) return;
    await client.invalidateQueries({ queryKey: ['budgets'] });
    notify(`Team budget set to ${formatMoney(limit)} a month.`);
    onOpenChange(false);
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) {
          save.reset();
          setError(undefined);
        }
        onOpenChange(next);
      }}
      title="Edit budget"
    >
      <form noValidate className="flex flex-col gap-4" onSubmit={(event) => void submit(event)}>
        <ServerError error={save.error} />
        <Field label="Monthly limit (USD)" error={error} hint="Per calendar month (UTC). Requests are refused once it is reached.">
          <input name="limit" inputMode="decimal" autoComplete="off" defaultValue={budget ? String(budget.limit_micros / 1_000_000) : ''} className={inputClass} />
        </Field>
        <div className="flex justify-end">
          <Button variant="primary" type="submit" busy={save.isPending}>
            Save budget
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
