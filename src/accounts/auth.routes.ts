import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter } from '../http/openapi.js';
import type { AccountsService } from './accounts.service.js';

const TokenPairSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().openapi({ description: 'Access token lifetime in seconds' }),
    refresh_token: z.string(),
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

const RefreshSchema = z.object({ refresh_token: z.string().min(1).max(200) });

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
  request: { body: json(RefreshSchema) },
  responses: { 200: { description: 'Tokens', content: { 'application/json': { schema: TokenPairSchema } } }, ...commonErrors },
});

const logout = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['auth'],
  summary: 'End the session a refresh token belongs to',
  request: { body: json(RefreshSchema) },
  responses: { 204: { description: 'Logged out' }, ...commonErrors },
});

const me = createRoute({
  method: 'get',
  path: '/me',
  tags: ['auth'],
  summary: 'The authenticated user',
  security: bearerSecurity,
  responses: { 200: { description: 'User', content: { 'application/json': { schema: UserSchema } } }, ...commonErrors },
});

export function authRoutes(accounts: AccountsService, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  const client = (c: { get(key: 'clientIp'): string | null; req: { header(name: string): string | undefined } }) => ({
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  });

  router.openapi(login, async (c) => {
    const { email, password } = c.req.valid('json');
    return c.json(await accounts.login(email, password, client(c)), 200, { 'cache-control': 'no-store' });
  });
  router.openapi(refresh, async (c) => {
    const { refresh_token } = c.req.valid('json');
    return c.json(await accounts.refresh(refresh_token, client(c)), 200, { 'cache-control': 'no-store' });
  });
  router.openapi(logout, async (c) => {
    await accounts.logout(c.req.valid('json').refresh_token);
    return c.body(null, 204);
  });
  router.use('/me', requireAuth);
  router.openapi(me, async (c) => c.json(await accounts.getUser(c.get('principal').userId), 200));
  return router;
}
