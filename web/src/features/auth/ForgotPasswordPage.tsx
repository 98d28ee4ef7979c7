import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { api } from '../../api/client';
import type { ApiResponse } from '../../api/types';
import { Button } from '../../ui/Button';
import { Field, inputClass } from '../../ui/Field';
import { Page } from '../../ui/Page';
import { ErrorSummary, linkClass, ServerError } from './FormParts';
import { emailSchema } from './schemas';

export default function ForgotPasswordPage() {
  const form = useForm<{ email: string }>({ resolver: zodResolver(emailSchema), defaultValues: { email: '' } });
  const { errors, isSubmitted } = form.formState;
  const request = useMutation({
    mutationFn: (values: { email: string }) => api<ApiResponse<'/api/auth/forgot-password', 'post'>>('/api/auth/forgot-password', { body: values, auth: false }),
  });
  return (
    <Page title="Reset your password">
      {request.isSuccess ? (
        <p role="status">If an account exists for {request.variables.email}, we sent it a link to choose a new password. The link is valid for 1 hour.</p>
      ) : (
        <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit((values) => request.mutate(values))}>
          <ErrorSummary errors={errors} submitted={isSubmitted} />
          <ServerError error={request.error} />
          <Field label="Email" error={errors.email?.message}>
            <input type="email" autoComplete="email" className={inputClass} {...form.register('email')} />
          </Field>
          <Button type="submit" variant="primary" busy={request.isPending}>
            Send reset link
          </Button>
        </form>
      )}
      <p className="text-sm">
        <Link to="/login" className={linkClass}>
          Back to log in
        </Link>
      </p>
    </Page>
  );
}
