/**
 * "Add integration" (WEBAPP.md §6.4): service, API key (write-only, hidden by default), name,
 * base URL (required for openai_compatible, optional otherwise), "Test connection" against the
 * unsaved credentials (POST /api/integrations/test, nothing stored) and "Save integration". The key
 * leaves the form state when the dialog closes; it never comes back from the server.
 */
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { CredentialCheck, Integration } from '../../api/types';
import { ServerError } from '../auth/FormParts';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';

export const SERVICES: Array<{ id: string; label: string; help: string }> = [
  { id: 'openai', label: 'OpenAI', help: 'A secret key from platform.openai.com → API keys (starts with sk-).' },
  { id: 'anthropic', label: 'Anthropic', help: 'A key from console.anthropic.com → API keys (starts with sk-ant-).' },
  { id: 'gemini', label: 'Google Gemini', help: 'An API key from aistudio.google.com.' },
  { id: 'cohere', label: 'Cohere', help: 'A production or trial key from dashboard.cohere.com.' },
  { id: 'stability', label: 'Stability AI', help: 'A key from platform.stability.ai (starts with sk-).' },
  { id: 'runway', label: 'Runway', help: 'A key from dev.runwayml.com.' },
  { id: 'midjourney', label: 'Midjourney-style task API', help: 'The key of your Midjourney-style proxy; set its base URL.' },
  { id: 'openai_compatible', label: 'OpenAI-compatible server', help: 'Any server speaking OpenAI’s API (Ollama, vLLM, Groq, Mistral…): its base URL ending in /v1, and its key.' },
];
export const serviceLabel = (id: string) => SERVICES.find((service) => service.id === id)?.label ?? id;

/** What a credential check says, in words, with who must act (WEBAPP.md §4.5). */
export function describeCheck(check: CredentialCheck, service: string): string {
  if (check.ok) {
    const models = check.models ? `${check.models.length} models` : 'key accepted';
    return `Connected: ${models}${check.latency_ms !== null ? `, ${check.latency_ms} ms` : ''}`;
  }
  const who = check.error?.source === 'user' ? 'your key' : check.error?.source === 'provider' ? `${serviceLabel(service)} or the network` : 'Switchboard';
  const verb = check.status === 'invalid' ? `Rejected by ${serviceLabel(service)}` : check.status === 'quota_exceeded' ? `${serviceLabel(service)} reports no quota left` : `${serviceLabel(service)} could not be reached`;
  return `${verb}: ${check.error?.message ?? check.status} (source: ${who})`;
}

export function AddIntegrationDialog({ open, onOpenChange, onSaved }: { open: boolean; onOpenChange: (open: boolean) => void; onSaved: () => void }) {
  const [service, setService] = useState('openai');
  const [showKey, setShowKey] = useState(false);
  const [errors, setErrors] = useState<{ key?: string; name?: string; baseUrl?: string }>({});
  const statusId = useId();
  const check = useMutation({ mutationFn: (body: Record<string, unknown>) => api<CredentialCheck>('/api/integrations/test', { body }) });
  const save = useMutation({ mutationFn: (body: Record<string, unknown>) => api<Integration>('/api/integrations', { body }) });
  const needsBaseUrl = service === 'openai_compatible' || service === 'midjourney';

  const readForm = (form: HTMLFormElement) => {
    const data = new FormData(form);
    const apiKey = String(data.get('api_key') ?? '').trim();
    const name = String(data.get('name') ?? '').trim();
    const baseUrl = String(data.get('base_url') ?? '').trim();
    const next: typeof errors = {};
    if (apiKey === '') next.key = 'Paste the API key.';
    if (needsBaseUrl && baseUrl === '') next.baseUrl = 'This service needs its base URL, e.g. http://my-server:11434/v1.';
    else if (baseUrl !== '' && !/^https?:\/\/[^/\s]+/.test(baseUrl)) next.baseUrl = 'An http(s) URL with a host, e.g. https://api.example.com/v1.';
    setErrors(next);
    if (Object.keys(next).length > 0) {
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return undefined;
    }
    return { service, api_key: apiKey, ...(name ? { name } : {}), ...(baseUrl ? { base_url: baseUrl } : {}) };
  };

  const reset = () => {
    check.reset();
    save.reset();
    setErrors({});
    setShowKey(false);
    setService('openai');
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const body = readForm(event.currentTarget);
    if (!body) return;
    const saved = await save.mutateAsync(body).catch(() => undefined);
    if (!saved) return;
    reset();
    onOpenChange(false);
    onSaved();
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) reset();
        onOpenChange(next);
      }}
      title="Add integration"
    >
      <form noValidate autoComplete="off" className="flex flex-col gap-4" onSubmit={(event) => void onSubmit(event)}>
        <ServerError error={save.error ?? check.error} />
        <Field label="Service" hint={SERVICES.find((entry) => entry.id === service)?.help}>
          <select name="service" className={inputClass} value={service} onChange={(event) => {
            setService(event.currentTarget.value);
            check.reset();
          }}>
            {SERVICES.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="API key" error={errors.key}>
          <input name="api_key" type={showKey ? 'text' : 'password'} autoComplete="off" spellCheck={false} className={`${inputClass} font-mono`} onChange={() => check.reset()} />
        </Field>
        <div className="flex items-center gap-2">
          <input id={`${statusId}-show`} type="checkbox" className="h-5 w-5" checked={showKey} onChange={(event) => setShowKey(event.currentTarget.checked)} />
          <label htmlFor={`${statusId}-show`} className="text-sm">
            Show API key
          </label>
        </div>
        <Field label="Name" hint="Optional; defaults to the service's name.">
          <input name="name" autoComplete="off" className={inputClass} />
        </Field>
        <Field label="Base URL" hint={needsBaseUrl ? 'Required for this service.' : 'Optional: only to reach the provider through another address.'} error={errors.baseUrl}>
          <input name="base_url" type="url" autoComplete="off" spellCheck={false} className={inputClass} onChange={() => check.reset()} />
        </Field>
        <p id={statusId} role="status" className="min-h-6 text-sm">
          {check.isPending ? 'Testing…' : check.data ? describeCheck(check.data, service) : ''}
        </p>
        <div className="flex flex-wrap justify-end gap-2">
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
    </Dialog>
  );
}
