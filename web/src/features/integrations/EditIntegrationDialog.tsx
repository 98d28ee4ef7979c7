/**
 * "Edit integration": name, base URL, rate limit and monthly quota. It never asks for the key:
 * the PATCH carries no api_key, so the stored key is kept ("Replace key" is its own dialog).
 */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { ApiBody, Integration } from '../../api/types';
import { ServerError } from '../auth/FormParts';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';
import { focusFirstInvalid, LimitFields, readSettings, type SettingsErrors } from './fields';
import { integrationsBase, needsBaseUrl } from './services';

export default function EditIntegrationDialog({ integration, teamId, onClose, onSaved }: { integration: Integration | null; teamId?: string | undefined; onClose: () => void; onSaved: () => void }) {
  const [errors, setErrors] = useState<SettingsErrors>({});
  const save = useMutation({ mutationFn: ({ id, body }: { id: string; body: ApiBody<'/api/integrations/{id}', 'patch'> }) => api<Integration>(`${integrationsBase(teamId)}/${id}`, { method: 'PATCH', body }) });
  const close = () => {
    save.reset();
    setErrors({});
    onClose();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!integration) return;
    const form = event.currentTarget;
    const { body, errors: next } = readSettings(new FormData(form), { requireBaseUrl: needsBaseUrl(integration.service), clearEmpty: true });
    setErrors(next);
    if (Object.keys(next).length > 0) return focusFirstInvalid(form);
    // Keep limits this form does not show (tpm, rps) when the rpm changes.
    if (body.rate_limit && integration.rate_limit) body.rate_limit = { ...integration.rate_limit, ...(body.rate_limit as object) };
    else if (body.rate_limit === null && integration.rate_limit && (integration.rate_limit.tpm || integration.rate_limit.rps)) {
      const { rpm: _dropped, ...rest } = integration.rate_limit;
      body.rate_limit = rest;
    }
    const saved = await save.mutateAsync({ id: integration.id, body }).catch(() => undefined);
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
      title="Edit integration"
      description="The stored key stays as it is. To change it, use Replace key."
    >
      {integration ? (
        <form noValidate autoComplete="off" className="flex flex-col gap-4" onSubmit={(event) => void submit(event)}>
          <ServerError error={save.error} />
          <Field label="Name">
            <input name="name" autoComplete="off" className={inputClass} defaultValue={integration.name} />
          </Field>
          <Field label="Base URL" hint={needsBaseUrl(integration.service) ? 'Required for this service.' : 'Empty: the provider’s official address.'} error={errors.baseUrl}>
            <input name="base_url" type="url" autoComplete="off" spellCheck={false} className={inputClass} defaultValue={integration.base_url ?? ''} />
          </Field>
          <LimitFields errors={errors} integration={integration} />
          <div className="flex flex-wrap justify-end gap-2">
            <Button onClick={close}>Cancel</Button>
            <Button variant="primary" type="submit" busy={save.isPending}>
              Save changes
            </Button>
          </div>
        </form>
      ) : null}
    </Dialog>
  );
}
