import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { api } from '../../api/client';
import type { ApiResponse } from '../../api/types';
import { Button } from '../../ui/Button';
import { Field, inputClass } from '../../ui/Field';
import { Page } from '../../ui/Page';
import { ErrorSummary, linkClass, ServerError } from './FormParts';
import { PASSWORD_RULES, resetSchema } from './schemas';

/** Opened from the mailed link `/reset-password?token=…`. */
export default function ResetPasswordPage() {
  const { token } = useSearch({ strict: false }) as { token?: string };
  const form = useForm<{ password: string }>({ resolver: zodResolver(resetSchema), defaultValues: { password: '' } });
  const { errors, isSubmitted } = form.formState;
  const reset = useMutation({
    mutationFn: (values: { password: string }) => api<ApiResponse<'/api/auth/reset-password', 'post'>>('/api/auth/reset-password', { body: { token, password: values.password }, auth: false }),
  });
  return (
    <Page title="Choose a new password">
      {!token ? (
        <p role="alert">This link has no token. Ask for a new reset link.</p>
      ) : reset.isSuccess ? (
        <p role="status">Your password is changed and every session was signed out. Log in with the new password.</p>
      ) : (
        <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit((values) => reset.mutate(values))}>
          <ErrorSummary errors={errors} submitted={isSubmitted} />
          <ServerError error={reset.error} />
          <Field label="New password" hint={PASSWORD_RULES} error={errors.password?.message}>
            <input type="password" autoComplete="new-password" className={inputClass} {...form.register('password')} />
          </Field>
          <Button type="submit" variant="primary" busy={reset.isPending}>
            Set new password
          </Button>
        </form>
      )}
      <p className="flex flex-col gap-1 text-sm">
        <Link to="/login" className={linkClass}>
          Go to log in
        </Link>
        <Link to="/forgot-password" className={linkClass}>
          Get a new reset link
        </Link>
      </p>
    </Page>
  );
}
