/**
 * The "Add integration" form (WEBAPP.md §6.4): service with per-service help and a console link,
 * the write-only API key, name, base URL (required for openai_compatible and midjourney, under
 * "Advanced" otherwise), rate limit and monthly quota; "Test connection" checks the unsaved
 * credentials (…/integrations/test, nothing stored) and "Save integration" stores them. The same
 * component serves the dialog on the Integrations page and the quick start's first step. The key
 * leaves the form when it is saved or the form unmounts; it never comes back from the server.
 */
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../../api/client';
import type { ApiBody, CredentialCheck, Integration } from '../../api/types';
import { ServerError } from '../auth/FormParts';
import { Button } from '../../ui/Button';
import { Field, inputClass } from '../../ui/Field';
import { focusFirstInvalid, KeyField, LimitFields, readSettings, type SettingsErrors } from './fields';
import { SERVICES, serviceInfo, type ServiceId } from './service-help';
import { describeCheck, integrationsBase, needsBaseUrl } from './services';

function ServiceHelp({ service }: { service: string }) {
  const info = serviceInfo(service);
  if (!info) return null;
  return (
    <>
      {info.help}{' '}
      {info.console ? (
        <a href={info.console} target="_blank" rel="noreferrer noopener" className="text-accent underline underline-offset-2">
          Open the {info.label} console
        </a>
      ) : null}
    </>
  );
}

export function IntegrationForm({ teamId, onSaved, actions }: { teamId?: string | undefined; onSaved: (integration: Integration) => void; actions?: ReactNode }) {
  const [service, setService] = useState<ServiceId>('openai');
  const [errors, setErrors] = useState<SettingsErrors>({});
  const statusId = useId();
  const base = integrationsBase(teamId);
  const check = useMutation({ mutationFn: (body: ApiBody<'/api/integrations/test', 'post'>) => api<CredentialCheck>(`${base}/test`, { body }) });
  const save = useMutation({ mutationFn: (body: ApiBody<'/api/integrations', 'post'>) => api<Integration>(base, { body }) });
  const baseUrlRequired = needsBaseUrl(service);

  const readForm = (form: HTMLFormElement) => {
    const data = new FormData(form);
    const apiKey = String(data.get('api_key') ?? '').trim();
    const { body, errors: next } = readSettings(data, { requireBaseUrl: baseUrlRequired, clearEmpty: false });
    if (apiKey === '') next.key = 'Paste the API key.';
    setErrors(next);
    if (Object.keys(next).length > 0) {
      focusFirstInvalid(form);
      return undefined;
    }
    return { service, api_key: apiKey, ...body };
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const body = readForm(form);
    if (!body) return;
    const saved = await save.mutateAsync(body).catch(() => undefined);
    if (!saved) return;
    // The key leaves the page: the form is emptied and the mutations forget their variables.
    form.reset();
    check.reset();
    save.reset();
    setService('openai');
    onSaved(saved);
  };

  const baseUrlField = (
    <Field
      label="Base URL"
      hint={baseUrlRequired ? 'Required for this service.' : 'Optional: only to reach the provider through another address.'}
      error={errors.baseUrl}
    >
      <input name="base_url" type="url" autoComplete="off" spellCheck={false} className={inputClass} onChange={() => check.reset()} />
    </Field>
  );

  return (
    <form noValidate autoComplete="off" className="flex flex-col gap-4" onSubmit={(event) => void onSubmit(event)}>
      <ServerError error={save.error ?? check.error} />
      <Field label="Service" hint={<ServiceHelp service={service} />}>
        <select
          name="service"
          className={inputClass}
          value={service}
          onChange={(event) => {
            setService(event.currentTarget.value as ServiceId);
            check.reset();
          }}
        >
          {SERVICES.map((entry) => (
            <option key={entry.id} value={entry.id}>
              {entry.label}
            </option>
          ))}
        </select>
      </Field>
      <KeyField error={errors.key} onChange={() => check.reset()} />
      <Field label="Name" hint="Optional; defaults to the service's name.">
        <input name="name" autoComplete="off" className={inputClass} />
      </Field>
      {baseUrlRequired ? baseUrlField : null}
      <details className="rounded-md border border-border p-3" open={Boolean(errors.baseUrl || errors.rpm || errors.quota) || undefined}>
        <summary className="min-h-11 cursor-pointer py-2 text-sm font-medium">Advanced</summary>
        <div className="mt-2 flex flex-col gap-4">
          {baseUrlRequired ? null : baseUrlField}
          <LimitFields errors={errors} />
        </div>
      </details>
      <p id={statusId} role="status" className="min-h-6 text-sm">
        {check.isPending ? 'Testing…' : check.data ? describeCheck(check.data, service) : ''}
      </p>
      <div className="flex flex-wrap justify-end gap-2">
        {actions}
        <Button
          busy={check.isPending}
          onClick={(event) => {
            const body = readForm(event.currentTarget.form!);
            if (body) check.mutate(body);
          }}
        >
          Test connection
        </Button>
        <Button variant="primary" type="submit" busy={save.isPending}>
          Save integration
        </Button>
      </div>
    </form>
  );
}
