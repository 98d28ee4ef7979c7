import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, PageQuerySchema, pageOf } from '../http/openapi.js';
import type { AccountsService } from './accounts.service.js';
import { AppError } from '../platform/errors.js';

const SessionSchema = z
  .object({
    id: z.string(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    created_at: z.string(),
    last_used_at: z.string(),
    expires_at: z.string(),
    current: z.boolean().openapi({ description: 'The session of the access token making this call' }),
  })
  .openapi('Session');

const listSessions = createRoute({
  method: 'get',
  path: '/me/sessions',
  tags: ['auth'],
  summary: 'Your live login sessions (devices), newest first',
  security: bearerSecurity,
  request: { query: PageQuerySchema },
  responses: { 200: { description: 'Sessions', content: { 'application/json': { schema: pageOf(SessionSchema) } } }, ...commonErrors },
});

const revokeSession = createRoute({
  method: 'delete',
  path: '/me/sessions/{id}',
  tags: ['auth'],
  summary: 'Sign out one of your sessions (its refresh token stops working at once)',
  security: bearerSecurity,
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked' }, ...commonErrors },
});

const revokeSessions = createRoute({
  method: 'delete',
  path: '/me/sessions',
  tags: ['auth'],
  summary: 'Sign out all your other sessions (or all of them with include_current=true)',
  security: bearerSecurity,
  request: {
    query: z.object({
      include_current: z
        .enum(['true', 'false'])
        .default('false')
        .openapi({ description: 'Also end the session making this call' }),
    }),
  },
  responses: {
    200: { description: 'How many sessions ended', content: { 'application/json': { schema: z.object({ revoked: z.number().int() }) } } },
    ...commonErrors,
  },
});

const changePassword = createRoute({
  method: 'post',
  path: '/me/password',
  tags: ['auth'],
  summary: 'Change your password (the current one is required); every other session ends',
  security: bearerSecurity,
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ current_password: z.string().min(1).max(1024), new_password: z.string().max(1024) }).strict() } },
    },
  },
  responses: {
    200: { description: 'Changed; how many other sessions ended', content: { 'application/json': { schema: z.object({ sessions_revoked: z.number().int() }) } } },
    ...commonErrors,
  },
});

export function sessionsRoutes(accounts: AccountsService, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  const client = (c: { get(key: 'clientIp'): string | null; req: { header(name: string): string | undefined } }) => ({
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  });
  router.use('/me/sessions', requireAuth);
  router.use('/me/sessions/*', requireAuth);
  router.use('/me/password', requireAuth);
  router.openapi(changePassword, async (c) => {
    const principal = c.get('principal');
    if (!principal.sessionId) throw new AppError('forbidden', { message: 'Change your password from a signed-in session, not with a platform key.' });
    const { current_password, new_password } = c.req.valid('json');
    const revoked = await accounts.changePassword(principal.userId, principal.sessionId, current_password, new_password, client(c));
    return c.json({ sessions_revoked: revoked }, 200);
  });
  router.openapi(listSessions, async (c) => {
    const principal = c.get('principal');
    const { limit, cursor } = c.req.valid('query');
    return c.json(await accounts.listSessions(principal.userId, principal.sessionId, { limit, ...(cursor ? { cursor } : {}) }), 200);
  });
  router.openapi(revokeSession, async (c) => {
    await accounts.revokeSession(c.get('principal').userId, c.req.valid('param').id, client(c));
    return c.body(null, 204);
  });
  router.openapi(revokeSessions, async (c) => {
    const principal = c.get('principal');
    const includeCurrent = c.req.valid('query').include_current === 'true';
    // A caller without a session (a platform key) has no "current" one to keep.
    const keep = includeCurrent ? undefined : principal.sessionId;
    return c.json({ revoked: await accounts.revokeSessions(principal.userId, keep, client(c)) }, 200);
  });
  return router;
}
