import { useMutation } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { api } from '../../api/client';
import type { ApiResponse } from '../../api/types';
import { markFirstLoginPending } from '../../api/session';
import { Page } from '../../ui/Page';
import { linkClass, ServerError } from './FormParts';

/** Opened from the mailed link `/verify-email?token=…`: posts the (single-use) token once. */
export default function VerifyEmailPage() {
  const { token } = useSearch({ strict: false }) as { token?: string };
  const verify = useMutation({
    mutationFn: (value: string) => api<ApiResponse<'/api/auth/verify-email', 'post'>>('/api/auth/verify-email', { body: { token: value }, auth: false }),
    onSuccess: () => markFirstLoginPending(),
  });
  const sent = useRef(false);
  useEffect(() => {
    // Once only, also under StrictMode's double effects: the token is spent by the first call.
    if (!token || sent.current) return;
    sent.current = true;
    verify.mutate(token);
  }, [token, verify]);

  return (
    <Page title="Verify your email">
      {!token ? (
        <p role="alert">This link has no token. Open the link from your verification email again, or sign up to get a new one.</p>
      ) : verify.isSuccess ? (
        <p role="status">Your email is verified. You can log in now.</p>
      ) : verify.isError ? (
        <ServerError error={verify.error} />
      ) : (
        <p role="status">Verifying your email…</p>
      )}
      <p className="text-sm">
        <Link to="/login" className={linkClass}>
          Go to log in
        </Link>
      </p>
    </Page>
  );
}
