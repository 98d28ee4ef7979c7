import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { api, login } from '../../api/client';
import type { ApiResponse } from '../../api/types';
import { isApiError } from '../../api/errors';
import { takeFirstLoginPending } from '../../api/session';
import { Button } from '../../ui/Button';
import { Field, inputClass } from '../../ui/Field';
import { Page } from '../../ui/Page';
import { ErrorSummary, linkClass, ServerError } from './FormParts';
import { loginSchema, safeNext } from './schemas';

type Values = { email: string; password: string };

export default function LoginPage() {
  const search = useSearch({ strict: false }) as { next?: string };
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm<Values>({ resolver: zodResolver(loginSchema), defaultValues: { email: '', password: '' } });
  const { errors, isSubmitted } = form.formState;

  const signIn = useMutation({
    mutationFn: (values: Values) => login(values.email, values.password),
    onSuccess: async () => {
      queryClient.clear();
      const next = safeNext(search.next);
      const target = takeFirstLoginPending() ? '/quickstart' : (next ?? '/');
      await navigate({ href: target });
    },
  });
  const resend = useMutation({
    mutationFn: (email: string) => api<ApiResponse<'/api/auth/resend-verification', 'post'>>('/api/auth/resend-verification', { body: { email }, auth: false }),
  });
  const notVerified = isApiError(signIn.error) && signIn.error.code === 'email_not_verified';

  return (
    <Page title="Log in">
      <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit((values) => signIn.mutate(values))}>
        <ErrorSummary errors={errors} submitted={isSubmitted} />
        <ServerError error={signIn.error} />
        {notVerified ? (
          <div className="flex flex-col gap-2 text-sm">
            <p>Open the link in the verification email we sent you, then log in.</p>
            <div>
              <Button busy={resend.isPending} onClick={() => resend.mutate(form.getValues('email'))}>
                Resend verification email
              </Button>
            </div>
            {resend.isSuccess ? <p role="status">If the address has an unverified account, a new link is on its way.</p> : null}
          </div>
        ) : null}
        <Field label="Email" error={errors.email?.message}>
          <input type="email" autoComplete="username" className={inputClass} {...form.register('email')} />
        </Field>
        <Field label="Password" error={errors.password?.message}>
          <input type="password" autoComplete="current-password" className={inputClass} {...form.register('password')} />
        </Field>
        <Button type="submit" variant="primary" busy={signIn.isPending}>
          Log in
        </Button>
      </form>
      <p className="flex flex-col gap-1 text-sm">
        <Link to="/forgot-password" className={linkClass}>
          Forgot your password?
        </Link>
        <span>
          New here?{' '}
          <Link to="/signup" className={linkClass}>
            Create an account
          </Link>
        </span>
      </p>
    </Page>
  );
}
