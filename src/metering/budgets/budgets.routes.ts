import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, UlidSchema } from '../../http/openapi.js';
import type { BudgetsService } from './budgets.service.js';

const ScopeSchema = z.enum(['user', 'team', 'key', 'integration']);

const PutBudgetSchema = z
  .object({
    scope: ScopeSchema,
    scope_id: UlidSchema.optional().openapi({ description: 'The user, team, platform key or integration id; defaults to yourself for scope "user"' }),
    limit_micros: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).openapi({ description: 'Monthly limit (calendar month UTC) in micro-dollars' }),
    alert_thresholds: z.array(z.number().int().min(1).max(1000)).max(10).optional().openapi({ description: 'Percentages of the limit that alert once per month; default [50, 80, 100]' }),
    hard_limit: z.boolean().optional().openapi({ description: 'true (default): refuse requests that would exceed it (402 budget_exceeded); false: alert only' }),
    webhook_url: z.string().max(2048).nullable().optional().openapi({ description: 'Also POST alerts here, signed (needs SWITCHBOARD_WEBHOOK_SECRET)' }),
  })
  .strict()
  .openapi('PutBudget');

const BudgetSchema = z
  .object({
    id: z.string(),
    scope: ScopeSchema,
    scope_id: z.string(),
    limit_micros: z.number(),
    alert_thresholds: z.array(z.number()),
    hard_limit: z.boolean(),
    webhook_url: z.string().nullable(),
    period: z.string().openapi({ description: 'The current period, YYYY-MM (UTC)' }),
    spent_micros: z.number().openapi({ description: 'Settled spend of the period' }),
    reserved_micros: z.number().openapi({ description: 'Worst-case cost held by requests in flight' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Budget');

const NotificationSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    data: z.unknown(),
    read_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('Notification');

const IdParams = z.object({ id: UlidSchema });
const tags = ['budgets'];

const list = createRoute({
  method: 'get', path: '/budgets', tags, security: bearerSecurity, summary: 'Budgets you can see, with this month’s spend',
  responses: { 200: { description: 'Budgets', content: { 'application/json': { schema: z.object({ data: z.array(BudgetSchema) }) } } }, ...commonErrors },
});
const put = createRoute({
  method: 'put', path: '/budgets', tags, security: bearerSecurity, summary: 'Create or replace the budget of a user, team, platform key or integration',
  request: { body: { content: { 'application/json': { schema: PutBudgetSchema } }, required: true } },
  responses: {
    200: { description: 'Replaced', content: { 'application/json': { schema: BudgetSchema } } },
    201: { description: 'Created', content: { 'application/json': { schema: BudgetSchema } } },
    ...commonErrors,
  },
});
const get = createRoute({
  method: 'get', path: '/budgets/{id}', tags, security: bearerSecurity, summary: 'One budget',
  request: { params: IdParams },
  responses: { 200: { description: 'Budget', content: { 'application/json': { schema: BudgetSchema } } }, ...commonErrors },
});
const remove = createRoute({
  method: 'delete', path: '/budgets/{id}', tags, security: bearerSecurity, summary: 'Delete a budget',
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...commonErrors },
});
const listNotifications = createRoute({
  method: 'get', path: '/notifications', tags: ['notifications'], security: bearerSecurity, summary: 'Your in-app notifications, newest first (100)',
  request: { query: z.object({ unread: z.enum(['true', 'false']).optional() }) },
  responses: { 200: { description: 'Notifications', content: { 'application/json': { schema: z.object({ data: z.array(NotificationSchema) }) } } }, ...commonErrors },
});
const markRead = createRoute({
  method: 'post', path: '/notifications/{id}/read', tags: ['notifications'], security: bearerSecurity, summary: 'Mark a notification read',
  request: { params: IdParams },
  responses: { 204: { description: 'Read' }, ...commonErrors },
});

const actorOf = (c: Context<AppEnv>) => ({
  userId: c.get('principal').userId,
  ip: c.get('clientIp'),
  userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
});

export function budgetsRoutes(service: BudgetsService, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  for (const path of ['/budgets', '/budgets/*', '/notifications', '/notifications/*']) router.use(path, requireAuth);
  router.openapi(list, async (c) => c.json({ data: await service.list(c.get('principal').userId) }, 200));
  router.openapi(put, async (c) => {
    const { budget, created } = await service.put(actorOf(c), c.req.valid('json'));
    return created ? c.json(budget, 201) : c.json(budget, 200);
  });
  router.openapi(get, async (c) => c.json(await service.get(c.get('principal').userId, c.req.valid('param').id), 200));
  router.openapi(remove, async (c) => {
    await service.remove(actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  router.openapi(listNotifications, async (c) =>
    c.json({ data: await service.notifications(c.get('principal').userId, { unreadOnly: c.req.valid('query').unread === 'true' }) }, 200),
  );
  router.openapi(markRead, async (c) => {
    await service.markRead(c.get('principal').userId, c.req.valid('param').id);
    return c.body(null, 204);
  });
  return router;
}
