/**
 * "Replace key": a new key for a stored integration, with its own "Test connection" (the unsaved
 * key against the same service and base URL; nothing stored) before "Replace key" (PATCH with
 * api_key). The typed key leaves with the dialog.
 */
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { CredentialCheck, Integration } from '../../api/types';
import { ServerError } from '../auth/FormParts';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { KeyField } from './fields';
import { describeCheck, integrationsBase } from './services';

export default function ReplaceKeyDialog({ integration, teamId, onClose, onSaved }: { integration: Integration | null; teamId?: string | undefined; onClose: () => void; onSaved: () => void }) {
  const [error, setError] = useState<string | undefined>();
  const statusId = useId();
  const base = integrationsBase(teamId);
  const check = useMutation({ mutationFn: (body: Record<string, unknown>) => api<CredentialCheck>(`${base}/test`, { body }) });
  const save = useMutation({ mutationFn: ({ id, apiKey }: { id: string; apiKey: string }) => api<Integration>(`${base}/${id}`, { method: 'PATCH', body: { api_key: apiKey } }) });
  const close = () => {
    check.reset();
    save.reset();
    setError(undefined);
    onClose();
  };
  const keyOf = (form: HTMLFormElement) => {
    const apiKey = String(new FormData(form).get('api_key') ?? '').trim();
    setError(apiKey === '' ? 'Paste the new API key.' : undefined);
    if (apiKey === '') requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    return apiKey;
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!integration) return;
    const apiKey = keyOf(event.currentTarget);
    if (!apiKey) return;
    const saved = await save.mutateAsync({ id: integration.id, apiKey }).catch(() => undefined);
    if (!saved) return;
    close();
    onSaved();
  };

  return (
    <Dialog
      open={integration !== null}
      onOpenChange={(open) => {
        if (!open) close();
      }}
      title="Replace key"
      description={integration ? `A new key for ${integration.name} (now …${integration.key_last4}). The old key is erased when you replace it.` : undefined}
    >
      {integration ? (
        <form noValidate autoComplete="off" className="flex flex-col gap-4" onSubmit={(event) => void submit(event)}>
          <ServerError error={save.error ?? check.error} />
          <KeyField error={error} onChange={() => check.reset()} />
          <p id={statusId} role="status" className="min-h-6 text-sm">
            {check.isPending ? 'Testing…' : check.data ? describeCheck(check.data, integration.service) : ''}
          </p>
          <div className="flex flex-wrap justify-end gap-2">
            <Button onClick={close}>Cancel</Button>
            <Button
              busy={check.isPending}
              onClick={(event) => {
                const apiKey = keyOf(event.currentTarget.form!);
                if (apiKey) check.mutate({ service: integration.service, api_key: apiKey, ...(integration.base_url ? { base_url: integration.base_url } : {}) });
              }}
            >
              Test connection
            </Button>
            <Button variant="primary" type="submit" busy={save.isPending}>
              Replace key
            </Button>
          </div>
        </form>
      ) : null}
    </Dialog>
  );
}
