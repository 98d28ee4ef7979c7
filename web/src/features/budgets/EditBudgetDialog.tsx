/**
 * "Edit budget": scope, "Monthly limit (USD)" (decimal, stored as micro-dollars; negatives and more
 * than 6 decimals refused), "Alert thresholds (%)" (default 50, 80, 100), the switch "Hard limit",
 * and "Alert channels": "Email" (always: the owner, a team's owners and admins) and "Webhook URL",
 * with "Send test alert" for a saved budget. PUT /api/budgets creates or replaces.
 */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { parseDollarsToMicros } from '../../format';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';
import { Select } from '../../ui/Select';
import { Switch } from '../../ui/Switch';
import { ServerError } from '../auth/FormParts';
import type { ApiBody, ApiResponse } from '../../api/types';
import type { Budget, ScopeOption } from './budget-model';

interface Props {
  options: ScopeOption[];
  budgets: Budget[];
  initialScope: string;
  onClose: () => void;
}

/** "50 %, 80 %, 100 %" → [50, 80, 100]; undefined when a value is not a whole 1–1000. */
export function parseThresholds(text: string): number[] | undefined {
  const parts = text.split(/[\s,;%]+/).filter(Boolean);
  if (parts.length === 0 || parts.length > 10) return undefined;
  const values = parts.map(Number);
  if (values.some((value) => !Number.isInteger(value) || value < 1 || value > 1000)) return undefined;
  return [...new Set(values)].sort((a, b) => a - b);
}

const existingOf = (budgets: Budget[], value: string) => {
  const [scope, id] = value.split(':') as [Budget['scope'], string];
  return budgets.find((budget) => budget.scope === scope && (scope === 'user' || budget.scope_id === id));
};

export default function EditBudgetDialog({ options, budgets, initialScope, onClose }: Props) {
  const [scope, setScope] = useState(initialScope);
  const existing = existingOf(budgets, scope);
  const [hard, setHard] = useState(existing?.hard_limit ?? true);
  const [errors, setErrors] = useState<{ limit?: string; thresholds?: string }>({});
  const [testResult, setTestResult] = useState<string | null>(null);
  const save = useMutation({ mutationFn: (body: ApiBody<'/api/budgets', 'put'>) => api<Budget>('/api/budgets', { method: 'PUT', body }) });
  const test = useMutation({
    mutationFn: (id: string) => api<ApiResponse<'/api/budgets/{id}/test-alert', 'post'>>(`/api/budgets/${id}/test-alert`, { method: 'POST' }),
    onSuccess: (result) => setTestResult(`Test alert sent to ${result.recipients} recipient${result.recipients === 1 ? '' : 's'}; webhook: ${result.webhook.replace('_', ' ')}.`),
  });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const limitText = String(form.get('limit') ?? '').trim();
    const limit = parseDollarsToMicros(limitText);
    const thresholds = parseThresholds(String(form.get('thresholds') ?? ''));
    const webhook = String(form.get('webhook') ?? '').trim();
    const next: typeof errors = {};
    if (limit === null) next.limit = 'An amount in US dollars, not negative, with at most 6 decimals (e.g. 25 or 0.000001).';
    if (!thresholds) next.thresholds = 'Whole percentages between 1 and 1000, separated by commas (e.g. 50, 80, 100).';
    setErrors(next);
    if (limit === null || !thresholds) {
      requestAnimationFrame(() => formElement.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    const [kind, id] = scope.split(':') as [Budget['scope'], string];
    const saved = await save
      .mutateAsync({ scope: kind, ...(id ? { scope_id: id } : {}), limit_micros: limit, alert_thresholds: thresholds, hard_limit: hard, webhook_url: webhook === '' ? null : webhook })
      .catch(() => undefined);
    if (saved) onClose();
  };

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())} title="Edit budget">
      <form key={scope} noValidate className="flex flex-col gap-4" onSubmit={(event) => void submit(event)}>
        <ServerError error={save.error} />
        <Select label="Scope" options={options} value={scope} onChange={(event) => {
          setScope(event.target.value);
          setHard(existingOf(budgets, event.target.value)?.hard_limit ?? true);
          setTestResult(null);
        }} />
        <Field label="Monthly limit (USD)" error={errors.limit} hint="Per calendar month (UTC).">
          <input name="limit" inputMode="decimal" autoComplete="off" className={inputClass} defaultValue={existing ? String(existing.limit_micros / 1_000_000) : ''} />
        </Field>
        <Field label="Alert thresholds (%)" error={errors.thresholds} hint="Percent of the limit; each alerts once a month.">
          <input name="thresholds" autoComplete="off" className={inputClass} defaultValue={(existing?.alert_thresholds ?? [50, 80, 100]).join(', ')} />
        </Field>
        <Switch label="Hard limit" checked={hard} onCheckedChange={setHard} hint="Block requests when reached." />
        <fieldset className="flex flex-col gap-3 rounded-md border border-border p-3">
          <legend className="px-1 text-sm font-medium">Alert channels</legend>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked readOnly disabled aria-describedby="budget-email-hint" className="h-5 w-5" />
            Email
          </label>
          <p id="budget-email-hint" className="text-sm text-muted">Always sent to the owner (a team’s owners and admins), with an in-app notification.</p>
          <Field label="Webhook URL" hint="Optional; alerts are POSTed here, signed.">
            <input name="webhook" type="url" autoComplete="off" className={inputClass} defaultValue={existing?.webhook_url ?? ''} />
          </Field>
          <div className="flex flex-wrap items-center gap-2">
            <Button disabled={!existing} busy={test.isPending} onClick={() => existing && test.mutate(existing.id)}>
              Send test alert
            </Button>
            {!existing ? <span className="text-sm text-muted">Save the budget first.</span> : null}
          </div>
          <ServerError error={test.error} />
          {testResult ? <p role="status" className="text-sm">{testResult}</p> : null}
        </fieldset>
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" busy={save.isPending}>
            Save budget
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
