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
import { PASSWORD_RULES, signupSchema } from './schemas';

type Values = { email: string; password: string };

export default function SignupPage() {
  const form = useForm<Values>({ resolver: zodResolver(signupSchema), defaultValues: { email: '', password: '' } });
  const { errors, isSubmitted } = form.formState;
  const signup = useMutation({
    mutationFn: (values: Values) => api<ApiResponse<'/api/auth/signup', 'post'>>('/api/auth/signup', { body: values, auth: false }),
  });

  if (signup.isSuccess) {
    return (
      <Page title="Check your email">
        <p role="status">
          We sent a verification link to <strong>{signup.variables.email}</strong>. Open it to activate your account, then log in.
        </p>
        <p className="text-sm">
          <Link to="/login" className={linkClass}>
            Go to log in
          </Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title="Create your account">
      <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit((values) => signup.mutate(values))}>
        <ErrorSummary errors={errors} submitted={isSubmitted} />
        <ServerError error={signup.error} />
        <Field label="Email" error={errors.email?.message}>
          <input type="email" autoComplete="email" className={inputClass} {...form.register('email')} />
        </Field>
        <Field label="Password" hint={PASSWORD_RULES} error={errors.password?.message}>
          <input type="password" autoComplete="new-password" className={inputClass} {...form.register('password')} />
        </Field>
        <Button type="submit" variant="primary" busy={signup.isPending}>
          Create account
        </Button>
      </form>
      <p className="text-sm">
        Already have an account?{' '}
        <Link to="/login" className={linkClass}>
          Log in
        </Link>
      </p>
    </Page>
  );
}
