/**
 * "Create API key": name, workspace (personal or a team), allowed models, rate limit, monthly
 * budget and expiry. On success the created key goes to the reveal dialog only — never into the
 * query cache (the list is refetched, and answers key_last4 alone).
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { teamsQuery } from '../../api/queries';
import type { ApiBody, CreatedPlatformKey } from '../../api/types';
import { ServerError } from '../auth/FormParts';
import { parseDollarsToMicros } from '../../format';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';

const EXPIRY_DAYS: Record<string, number | null> = { never: null, '30': 30, '90': 90 };

interface Errors {
  name?: string;
  rpm?: string;
  budget?: string;
}

/** `teamId` presets the workspace (the team page's "API keys" tab). */
export function CreateKeyDialog({ open, onOpenChange, onCreated, teamId }: { open: boolean; onOpenChange: (open: boolean) => void; onCreated: (secret: string) => void; teamId?: string }) {
  const teams = useQuery(teamsQuery);
  const [errors, setErrors] = useState<Errors>({});
  const create = useMutation({
    mutationFn: (body: ApiBody<'/api/keys', 'post'>) => api<CreatedPlatformKey>('/api/keys', { body }),
  });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const name = String(form.get('name') ?? '').trim();
    const rpmText = String(form.get('rpm') ?? '').trim();
    const budgetText = String(form.get('budget') ?? '').trim();
    const next: Errors = {};
    if (name === '') next.name = 'Give the key a name.';
    const rpm = rpmText === '' ? null : Number(rpmText);
    if (rpm !== null && (!Number.isInteger(rpm) || rpm < 1)) next.rpm = 'A whole number of requests per minute, 1 or more.';
    const budget = budgetText === '' ? null : parseDollarsToMicros(budgetText);
    if (budgetText !== '' && budget === null) next.budget = 'An amount in US dollars, e.g. 25 or 12.50.';
    setErrors(next);
    if (Object.keys(next).length > 0) {
      // After the re-render marks them: focus the first invalid field.
      requestAnimationFrame(() => formElement.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    const models = String(form.get('models') ?? '')
      .split(/[\s,]+/)
      .filter(Boolean);
    const team = String(form.get('workspace') ?? '');
    const days = EXPIRY_DAYS[String(form.get('expires') ?? 'never')] ?? null;
    const created = await create.mutateAsync({
      name,
      ...(team ? { team_id: team } : {}),
      ...(models.length > 0 ? { models } : {}),
      ...(rpm !== null ? { rate_limit: { rpm } } : {}),
      ...(budget !== null ? { monthly_budget_micros: budget } : {}),
      ...(days !== null ? { expires_at: new Date(Date.now() + days * 86_400_000).toISOString() } : {}),
    }).catch(() => undefined);
    if (!created) return;
    const secret = created.key;
    create.reset();
    onOpenChange(false);
    onCreated(secret);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) {
          create.reset();
          setErrors({});
        }
        onOpenChange(next);
      }}
      title="Create API key"
    >
      <form noValidate className="flex flex-col gap-4" onSubmit={(event) => void submit(event)}>
        <ServerError error={create.error} />
        <Field label="Key name" error={errors.name}>
          <input name="name" autoComplete="off" className={inputClass} />
        </Field>
        <Field label="Workspace">
          <select name="workspace" className={inputClass} defaultValue={teamId ?? ''}>
            <option value="">Personal</option>
            {(teams.data?.data ?? []).map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Allowed models" hint="service/model names or service/* patterns, separated by commas; empty allows all.">
          <input name="models" autoComplete="off" spellCheck={false} className={inputClass} placeholder="openai/gpt-4o-mini, anthropic/*" />
        </Field>
        <Field label="Rate limit (requests/min)" error={errors.rpm}>
          <input name="rpm" inputMode="numeric" autoComplete="off" className={inputClass} />
        </Field>
        <Field label="Monthly budget (USD)" error={errors.budget}>
          <input name="budget" inputMode="decimal" autoComplete="off" className={inputClass} />
        </Field>
        <Field label="Expires">
          <select name="expires" className={inputClass} defaultValue="never">
            <option value="never">Never</option>
            <option value="30">In 30 days</option>
            <option value="90">In 90 days</option>
          </select>
        </Field>
        <div className="flex justify-end gap-2">
          <Button variant="primary" type="submit" busy={create.isPending}>
            Create key
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
