/**
 * /api/admin/*: platform administration. To anyone who is not an active platform admin (no
 * credentials, a non-admin, or an admin token minted before a demotion) every path here answers
 * exactly what an unknown path answers, 404 route_not_found: the surface does not reveal it exists.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Authenticator } from './authenticator.js';
import { bearerCredential } from '../http/authenticate.js';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, pageOf, PageQuerySchema, UlidSchema } from '../http/openapi.js';
import { AppError } from '../platform/errors.js';
import { AuditEventSchema, toAuditView } from '../platform/audit.routes.js';
import type { AdminService } from './admin.service.js';
import { adminUsage, UsageAggregateQuerySchema, UsageAggregateSchema } from '../metering/usage-aggregate.http.js';
import type { UsageAggregates } from '../metering/usage-aggregates.js';
import type { AdminUsers } from './admin-users.js';

const AdminUserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    is_admin: z.boolean(),
    email_verified: z.boolean(),
    disabled: z.boolean(),
    created_at: z.string(),
    spend_this_month_micros: z.number().int().openapi({ description: 'Priced usage of the current UTC month, micro-dollars' }),
    teams: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })),
    last_active_at: z.string().nullable().openapi({ description: 'The latest use of any of their sessions (ISO 8601); null if never signed in' }),
  })
  .openapi('AdminUser');
const AdminTeamSchema = z
  .object({ id: z.string(), name: z.string(), member_count: z.number().int(), disabled: z.boolean(), created_at: z.string(), spend_this_month_micros: z.number().int().openapi({ description: 'Priced usage of the current UTC month, micro-dollars' }) })
  .openapi('AdminTeam');
const UsageTotalSchema = z
  .object({
    day: z.string().openapi({ description: 'UTC day, YYYY-MM-DD' }),
    service: z.string(),
    requests: z.number().int(),
    input_tokens: z.number().int().nullable().openapi({ description: 'null when no request of the group reported a count' }),
    output_tokens: z.number().int().nullable(),
    cost_micros: z.number().int().nullable().openapi({ description: 'Micro-dollars; null when no request of the group was priced' }),
  })
  .openapi('AdminUsageTotal');

const UsersQuery = PageQuerySchema.extend({
  email: z.string().min(1).max(320).optional().openapi({ description: 'Case-insensitive fragment of the email address' }),
  query: z.string().min(1).max(320).optional().openapi({ description: 'An email fragment (case-insensitive) or a user id' }),
});
const AuditQuery = PageQuerySchema.extend({
  actor: UlidSchema.optional().openapi({ description: 'The acting user id' }),
  action: z.string().min(1).max(100).optional().openapi({ description: 'An action (user.disabled), or a prefix ending in a dot (user.)' }),
  target: z.string().min(1).max(64).optional().openapi({ description: 'The target id (user, team, key, …)' }),
});
const IdParams = z.object({ id: UlidSchema });

const ok = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const tags = ['admin'];
const security = bearerSecurity;
const routes = {
  users: createRoute({
    method: 'get', path: '/admin/users', tags, security, summary: 'All users (platform admins)',
    request: { query: UsersQuery },
    responses: { 200: ok('Page', pageOf(AdminUserSchema)), ...commonErrors },
  }),
  makeAdmin: createRoute({
    method: 'post', path: '/admin/users/{id}/make-admin', tags, security, summary: 'Make a user a platform admin (audited)',
    request: { params: IdParams }, responses: { 204: { description: 'Admin' }, ...commonErrors },
  }),
  removeAdmin: createRoute({
    method: 'post', path: '/admin/users/{id}/remove-admin', tags, security, summary: 'Remove a user’s platform admin role (not your own; audited)',
    request: { params: IdParams }, responses: { 204: { description: 'No longer admin' }, ...commonErrors },
  }),
  revokeSessions: createRoute({
    method: 'post', path: '/admin/users/{id}/revoke-sessions', tags, security, summary: 'Sign a user out everywhere: every session ends on every replica (audited)',
    request: { params: IdParams }, responses: { 200: ok('Sessions ended', z.object({ revoked: z.number().int() })), ...commonErrors },
  }),
  resendVerification: createRoute({
    method: 'post', path: '/admin/users/{id}/resend-verification', tags, security, summary: 'Mail an unverified user a new verification link (audited)',
    request: { params: IdParams }, responses: { 204: { description: 'Sent' }, ...commonErrors },
  }),
  audit: createRoute({
    method: 'get', path: '/admin/audit', tags, security, summary: 'The platform audit log, newest first, by actor, action and target',
    request: { query: AuditQuery }, responses: { 200: ok('Page', pageOf(AuditEventSchema)), ...commonErrors },
  }),
  disableUser: createRoute({
    method: 'post', path: '/admin/users/{id}/disable', tags, security,
    summary: 'Disable a user: no login or refresh, sessions revoked, their keys stop serving',
    request: { params: IdParams },
    responses: { 204: { description: 'Disabled' }, ...commonErrors },
  }),
  enableUser: createRoute({
    method: 'post', path: '/admin/users/{id}/enable', tags, security, summary: 'Enable a disabled user',
    request: { params: IdParams },
    responses: { 204: { description: 'Enabled' }, ...commonErrors },
  }),
  teams: createRoute({
    method: 'get', path: '/admin/teams', tags, security, summary: 'All teams (platform admins)',
    request: { query: PageQuerySchema.extend({ query: z.string().min(1).max(200).optional().openapi({ description: 'Case-insensitive fragment of the team name' }) }) },
    responses: { 200: ok('Page', pageOf(AdminTeamSchema)), ...commonErrors },
  }),
  disableTeam: createRoute({
    method: 'post', path: '/admin/teams/{id}/disable', tags, security, summary: 'Disable a team: its keys and secrets stop serving',
    request: { params: IdParams },
    responses: { 204: { description: 'Disabled' }, ...commonErrors },
  }),
  enableTeam: createRoute({
    method: 'post', path: '/admin/teams/{id}/enable', tags, security, summary: 'Enable a disabled team',
    request: { params: IdParams },
    responses: { 204: { description: 'Enabled' }, ...commonErrors },
  }),
  usage: createRoute({
    method: 'get', path: '/admin/usage', tags, security, summary: 'Platform-wide usage totals per UTC day and service',
    description: 'Without group_by: totals per UTC day and service. With group_by: the aggregate of GET /api/usage over every tenant (team_id filters).',
    request: { query: UsageAggregateQuerySchema },
    responses: {
      200: ok('Totals', z.union([pageOf(UsageTotalSchema).extend({ from: z.string(), to: z.string() }), UsageAggregateSchema])),
      ...commonErrors,
    },
  }),
};

/** Only active platform admins pass; everyone else sees the same 404 as an unknown path. */
export function requirePlatformAdmin(authenticator: Authenticator, isActiveAdmin: (userId: string) => Promise<boolean>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = bearerCredential(c.req.header('authorization'), undefined);
    const principal = credential ? await authenticator.authenticate(credential, { allowPlatformKeys: false }) : undefined;
    if (!principal?.isAdmin || !(await isActiveAdmin(principal.userId))) throw new AppError('route_not_found');
    c.set('principal', principal);
    await next();
  };
}

export function adminRoutes(admin: AdminService, requireAdmin: MiddlewareHandler<AppEnv>, users: AdminUsers, aggregates?: UsageAggregates) {
  const router = createApiRouter();
  router.use('/admin/*', requireAdmin);
  const actorOf = (c: Context<AppEnv>) => ({
    userId: c.get('principal').userId,
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  });

  router.openapi(routes.users, async (c) => {
    const { limit, cursor, email, query } = c.req.valid('query');
    const page = await admin.listUsers({ limit, ...(cursor ? { cursor } : {}), ...(email ? { email } : {}), condition: users.searchCondition(query) });
    const extras = await users.extrasOf(page.data.map((user) => user.id));
    const data = page.data.map((user) => ({ ...user, spend_this_month_micros: extras.get(user.id)?.spend ?? 0, teams: extras.get(user.id)?.teams ?? [], last_active_at: extras.get(user.id)?.lastActive ?? null }));
    return c.json({ ...page, data }, 200);
  });
  router.openapi(routes.makeAdmin, async (c) => {
    await users.setAdmin(actorOf(c), c.req.valid('param').id, true);
    return c.body(null, 204);
  });
  router.openapi(routes.removeAdmin, async (c) => {
    await users.setAdmin(actorOf(c), c.req.valid('param').id, false);
    return c.body(null, 204);
  });
  router.openapi(routes.revokeSessions, async (c) => c.json({ revoked: await users.revokeSessions(actorOf(c), c.req.valid('param').id) }, 200));
  router.openapi(routes.resendVerification, async (c) => {
    await users.resendVerification(actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  router.openapi(routes.audit, async (c) => {
    const { limit, cursor, actor, action, target } = c.req.valid('query');
    const rows = await users.audit({ actor, action, target }, { limit: limit + 1, before: cursor });
    const data = rows.slice(0, limit).map(toAuditView);
    return c.json({ data, next_cursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null }, 200);
  });
  router.openapi(routes.disableUser, async (c) => {
    await admin.disableUser(actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  router.openapi(routes.enableUser, async (c) => {
    await admin.enableUser(actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  router.openapi(routes.teams, async (c) => {
    const { limit, cursor, query } = c.req.valid('query');
    const page = await admin.listTeams({ limit, ...(cursor ? { cursor } : {}), name: query });
    const spend = await users.teamSpendOf(page.data.map((team) => team.id));
    return c.json({ ...page, data: page.data.map((team) => ({ ...team, spend_this_month_micros: spend.get(team.id) ?? 0 })) }, 200);
  });
  router.openapi(routes.disableTeam, async (c) => {
    await admin.disableTeam(actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  router.openapi(routes.enableTeam, async (c) => {
    await admin.enableTeam(actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  router.openapi(routes.usage, async (c) => c.json(await adminUsage(admin, aggregates, c.req.valid('query')), 200));
  return router;
}
