import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../platform/errors.js';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter } from '../http/openapi.js';
import type { AccountsService, TokenPair } from './accounts.service.js';
import { checkCsrf, clearSessionCookies, readRefreshCookie, setSessionCookies, wantsCookieMode } from './session-cookie.js';

const TokenPairSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().openapi({ description: 'Access token lifetime in seconds' }),
    refresh_token: z.string().optional().openapi({ description: 'Absent in cookie mode (x-switchboard-client: web): the token is in the __Host-switchboard_refresh cookie' }),
  })
  .openapi('TokenPair');

const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    is_admin: z.boolean(),
    email_verified: z.boolean(),
    created_at: z.string(),
  })
  .openapi('User');

const LoginSchema = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
});

const RefreshSchema = z.object({
  refresh_token: z.string().min(1).max(200).optional().openapi({ description: 'Omit to use the refresh cookie (then x-csrf-token is required)' }),
});

const SignupSchema = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024).openapi({ description: 'At least 8 characters; long passphrases welcome (up to 1024), never truncated' }),
});
const EmailSchema = z.object({ email: z.string().min(1).max(320) });
const TokenSchema = z.object({ token: z.string().min(1).max(200) });
const ResetSchema = z.object({ token: z.string().min(1).max(200), password: z.string().min(1).max(1024) });
const StatusSchema = (description: string) => z.object({ status: z.string().openapi({ description }) });

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

const login = createRoute({
  method: 'post',
  path: '/auth/login',
  tags: ['auth'],
  summary: 'Log in with email and password',
  request: { body: json(LoginSchema) },
  responses: { 200: { description: 'Tokens', content: { 'application/json': { schema: TokenPairSchema } } }, ...commonErrors },
});

const refresh = createRoute({
  method: 'post',
  path: '/auth/refresh',
  tags: ['auth'],
  summary: 'Exchange a refresh token for new tokens (the old refresh token is spent)',
  request: { body: { content: { 'application/json': { schema: RefreshSchema } }, required: false } },
  responses: { 200: { description: 'Tokens', content: { 'application/json': { schema: TokenPairSchema } } }, ...commonErrors },
});

const logout = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['auth'],
  summary: 'End the session a refresh token (body or cookie) belongs to',
  request: { body: { content: { 'application/json': { schema: RefreshSchema } }, required: false } },
  responses: { 204: { description: 'Logged out' }, ...commonErrors },
});

const accepted = (description: string, status: string) => ({
  description,
  content: { 'application/json': { schema: StatusSchema(`Always "${status}"`) } },
});

const signup = createRoute({
  method: 'post',
  path: '/auth/signup',
  tags: ['auth'],
  summary: 'Create an account; a verification link is mailed (the answer is the same for an existing email)',
  request: { body: json(SignupSchema) },
  responses: { 201: accepted('Verification mail on its way', 'verification_sent'), ...commonErrors },
});

const verifyEmail = createRoute({
  method: 'post',
  path: '/auth/verify-email',
  tags: ['auth'],
  summary: 'Verify an email address with the token from the mailed link (single use, 24 h)',
  request: { body: json(TokenSchema) },
  responses: { 200: accepted('Verified', 'verified'), ...commonErrors },
});

const resendVerification = createRoute({
  method: 'post',
  path: '/auth/resend-verification',
  tags: ['auth'],
  summary: 'Mail a new verification link to an unverified account (same answer for any email)',
  request: { body: json(EmailSchema) },
  responses: { 202: accepted('Accepted', 'accepted'), ...commonErrors },
});

const forgotPassword = createRoute({
  method: 'post',
  path: '/auth/forgot-password',
  tags: ['auth'],
  summary: 'Mail a password-reset link (same answer for any email)',
  request: { body: json(EmailSchema) },
  responses: { 202: accepted('Accepted', 'accepted'), ...commonErrors },
});

const resetPassword = createRoute({
  method: 'post',
  path: '/auth/reset-password',
  tags: ['auth'],
  summary: 'Set a new password with the token from the mailed link (single use, 1 h); ends every session',
  request: { body: json(ResetSchema) },
  responses: { 200: accepted('Password changed', 'password_reset'), ...commonErrors },
});

const me = createRoute({
  method: 'get',
  path: '/me',
  tags: ['auth'],
  summary: 'The authenticated user',
  security: bearerSecurity,
  responses: { 200: { description: 'User', content: { 'application/json': { schema: UserSchema } } }, ...commonErrors },
});

export interface AuthRoutesOptions {
  /** The web app's origin: cookie-mode requests carrying another Origin fail the CSRF check. */
  publicUrl: string;
  refreshTokenTtlSeconds: number;
}

export function authRoutes(accounts: AccountsService, requireAuth: MiddlewareHandler<AppEnv>, options: AuthRoutesOptions) {
  const router = createApiRouter();
  const noStore = { 'cache-control': 'no-store' };
  /** Cookie mode: the refresh token goes into the HttpOnly cookie and out of the JSON. */
  const answerTokens = (c: Context<AppEnv>, pair: TokenPair, cookieMode: boolean) => {
    if (!cookieMode) return c.json(pair, 200, noStore);
    setSessionCookies(c, pair.refresh_token!, options.refreshTokenTtlSeconds);
    const { refresh_token: _omitted, ...rest } = pair;
    return c.json(rest, 200, noStore);
  };
  /** The refresh token from the body, or else from the cookie, which needs a CSRF proof. */
  const presentedRefreshToken = (c: Context<AppEnv>, body: { refresh_token?: string | undefined } | undefined) => {
    if (body?.refresh_token) return { token: body.refresh_token, cookieMode: false };
    const cookie = readRefreshCookie(c);
    if (!cookie) throw new AppError('invalid_refresh_token', { message: 'Send refresh_token in the body, or the refresh cookie with x-csrf-token.' });
    checkCsrf(c, options.publicUrl);
    return { token: cookie, cookieMode: true };
  };
  const client = (c: { get(key: 'clientIp'): string | null; req: { header(name: string): string | undefined } }) => ({
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  });

  router.openapi(signup, async (c) => {
    await accounts.signup(c.req.valid('json'), client(c));
    return c.json({ status: 'verification_sent' }, 201, noStore);
  });
  router.openapi(verifyEmail, async (c) => {
    await accounts.verifyEmail(c.req.valid('json').token, client(c));
    return c.json({ status: 'verified' }, 200, noStore);
  });
  router.openapi(resendVerification, async (c) => {
    await accounts.resendVerification(c.req.valid('json').email);
    return c.json({ status: 'accepted' }, 202, noStore);
  });
  router.openapi(forgotPassword, async (c) => {
    await accounts.requestPasswordReset(c.req.valid('json').email, client(c));
    return c.json({ status: 'accepted' }, 202, noStore);
  });
  router.openapi(resetPassword, async (c) => {
    const { token, password } = c.req.valid('json');
    await accounts.resetPassword(token, password, client(c));
    return c.json({ status: 'password_reset' }, 200, noStore);
  });
  router.openapi(login, async (c) => {
    const { email, password } = c.req.valid('json');
    return answerTokens(c, await accounts.login(email, password, client(c)), wantsCookieMode(c));
  });
  router.openapi(refresh, async (c) => {
    const presented = presentedRefreshToken(c, c.req.valid('json'));
    return answerTokens(c, await accounts.refresh(presented.token, client(c)), presented.cookieMode || wantsCookieMode(c));
  });
  router.openapi(logout, async (c) => {
    const presented = presentedRefreshToken(c, c.req.valid('json'));
    await accounts.logout(presented.token, client(c));
    if (presented.cookieMode) clearSessionCookies(c);
    return c.body(null, 204);
  });
  router.use('/me', requireAuth);
  router.openapi(me, async (c) => c.json(await accounts.getUser(c.get('principal').userId), 200));
  return router;
}
