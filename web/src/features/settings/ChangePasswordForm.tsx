/**
 * "Change password": the current password, the new one (8–1024 characters) and its confirmation.
 * POST /api/me/password; every other session ends, this one stays signed in.
 */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { ApiBody, ApiResponse } from '../../api/types';
import { Button } from '../../ui/Button';
import { Field, inputClass } from '../../ui/Field';
import { ServerError } from '../auth/FormParts';

export function ChangePasswordForm({ onChanged }: { onChanged: () => void }) {
  const [errors, setErrors] = useState<{ next?: string; confirm?: string }>({});
  const [done, setDone] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: (body: ApiBody<'/api/me/password', 'post'>) => api<ApiResponse<'/api/me/password', 'post'>>('/api/me/password', { body }),
  });
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const current = String(form.get('current') ?? '');
    const next = String(form.get('next') ?? '');
    const found: typeof errors = {};
    if (next.length < 8 || next.length > 1024) found.next = 'Use 8 to 1024 characters; a long passphrase is best.';
    else if (String(form.get('confirm') ?? '') !== next) found.confirm = 'The two new passwords differ.';
    setErrors(found);
    setDone(null);
    if (Object.keys(found).length > 0) {
      requestAnimationFrame(() => formElement.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    const result = await change.mutateAsync({ current_password: current, new_password: next }).catch(() => undefined);
    if (!result) return;
    formElement.reset();
    setDone(`Password changed. ${result.sessions_revoked} other session${result.sessions_revoked === 1 ? ' was' : 's were'} signed out.`);
    onChanged();
  };
  return (
    <form noValidate aria-labelledby="password-heading" className="flex max-w-md flex-col gap-3" onSubmit={(event) => void submit(event)}>
      <h3 id="password-heading" className="font-semibold">
        Change password
      </h3>
      <ServerError error={change.error} />
      <Field label="Current password">
        <input name="current" type="password" autoComplete="current-password" className={inputClass} />
      </Field>
      <Field label="New password" error={errors.next}>
        <input name="next" type="password" autoComplete="new-password" className={inputClass} />
      </Field>
      <Field label="Confirm new password" error={errors.confirm}>
        <input name="confirm" type="password" autoComplete="new-password" className={inputClass} />
      </Field>
      <div>
        <Button type="submit" busy={change.isPending}>
          Change password
        </Button>
      </div>
      {done ? <p role="status" className="text-sm">{done}</p> : null}
    </form>
  );
}
