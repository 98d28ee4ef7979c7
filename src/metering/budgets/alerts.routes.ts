/**
 * Alerts for the web app's bell and Alerts page (WEBAPP.md §6.3 item 7). An alert is a row of
 * the caller's in-app notifications (the same rows and ids as GET /api/notifications, which
 * stays as it was): budget thresholds, provider keys rejected, test alerts.
 *
 * - GET /api/alerts: unread first, then newest first, keyset-paginated (`cursor` is opaque), with
 *   `unread_count` for the badge.
 * - POST /api/alerts/{id}/read, POST /api/alerts/read-all.
 * - POST /api/budgets/{id}/test-alert: the budget's channels (in-app + mail to its owner, a team's
 *   owners and admins; its webhook when set) get a marked test now. Audited; limited per user
 *   like credential checks, since it sends mail and calls a URL.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppEnv } from '../../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, ErrorSchema, UlidSchema } from '../../http/openapi.js';
import type { AuditLog } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { createRateLimiter, msBeforeNextOf } from '../../platform/rate-limiter.js';
import type { RedisConnections } from '../../platform/redis.js';
import { ALERT_CURSOR, type AlertsStore } from './alerts.store.js';
import type { TestAlertResult } from './budget-alerts.js';
import type { BudgetRow } from './budget-enforcer.js';

const AlertSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ description: 'budget.threshold, budget.test, integration.invalid, …' }),
    title: z.string(),
    body: z.string(),
    data: z.unknown(),
    read_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('Alert');

const defs = {
  list: createRoute({
    method: 'get', path: '/alerts', tags: ['alerts'], security: bearerSecurity, summary: 'Your alerts: unread first, then newest first',
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().regex(ALERT_CURSOR, 'must be next_cursor of the previous page').optional(),
        unread: z.enum(['true', 'false']).optional().openapi({ description: 'true: unread alerts only' }),
      }),
    },
    responses: {
      200: {
        description: 'Page',
        content: { 'application/json': { schema: z.object({ data: z.array(AlertSchema), next_cursor: z.string().nullable(), unread_count: z.number().int() }) } },
      },
      ...commonErrors,
    },
  }),
  read: createRoute({
    method: 'post', path: '/alerts/{id}/read', tags: ['alerts'], security: bearerSecurity, summary: 'Mark an alert read',
    request: { params: z.object({ id: UlidSchema }) },
    responses: { 204: { description: 'Read' }, ...commonErrors },
  }),
  readAll: createRoute({
    method: 'post', path: '/alerts/read-all', tags: ['alerts'], security: bearerSecurity, summary: 'Mark every alert read',
    responses: { 200: { description: 'How many were unread', content: { 'application/json': { schema: z.object({ marked: z.number().int() }) } } }, ...commonErrors },
  }),
  testAlert: createRoute({
    method: 'post', path: '/budgets/{id}/test-alert', tags: ['budgets'], security: bearerSecurity,
    summary: 'Send a test alert to the budget’s channels (in-app, mail, webhook)',
    request: { params: z.object({ id: UlidSchema }) },
    responses: {
      200: {
        description: 'Sent',
        content: {
          'application/json': {
            schema: z.object({
              recipients: z.number().int().openapi({ description: 'People notified in-app and by mail' }),
              webhook: z.enum(['delivered', 'failed', 'not_configured', 'none']).openapi({ description: 'none: the budget has no webhook_url; not_configured: no SWITCHBOARD_WEBHOOK_SECRET' }),
            }),
          },
        },
      },
      429: { description: 'Too many test alerts', content: { 'application/json': { schema: ErrorSchema } } },
      ...commonErrors,
    },
  }),
};

export interface AlertsDeps {
  store: AlertsStore;
  budgets: { visibleRow(userId: string, id: string): Promise<BudgetRow>; markRead(userId: string, id: string): Promise<void> };
  alerts: { sendTest(budget: BudgetRow): Promise<TestAlertResult> };
  audit: Pick<AuditLog, 'record'>;
  redis: RedisConnections | undefined;
  perMinute: number;
}

export function alertsRoutes(deps: AlertsDeps, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  for (const path of ['/alerts', '/alerts/*', '/budgets/:id/test-alert']) router.use(path, requireAuth);
  const limiter: RateLimiterAbstract | undefined =
    deps.perMinute > 0 ? createRateLimiter(deps.redis, { keyPrefix: 'alert-test', points: deps.perMinute, durationSeconds: 60 }) : undefined;
  const me = (c: Context<AppEnv>) => c.get('principal').userId;

  router.openapi(defs.list, async (c) => {
    const { limit, cursor, unread } = c.req.valid('query');
    return c.json(await deps.store.page(me(c), { limit, cursor, unreadOnly: unread === 'true' }), 200);
  });

  router.openapi(defs.read, async (c) => {
    await deps.budgets.markRead(me(c), c.req.valid('param').id);
    return c.body(null, 204);
  });

  router.openapi(defs.readAll, async (c) => c.json({ marked: await deps.store.markAllRead(me(c)) }, 200));

  router.openapi(defs.testAlert, async (c) => {
    const userId = me(c);
    const budget = await deps.budgets.visibleRow(userId, c.req.valid('param').id);
    if (limiter) {
      try {
        await limiter.consume(userId);
      } catch (rejection) {
        const ms = msBeforeNextOf(rejection);
        if (ms !== undefined) throw new AppError('rate_limited', { retryAfterSeconds: ms / 1000, message: `At most ${deps.perMinute} test alerts per minute; retry after the time in the Retry-After header.` });
      }
    }
    const result = await deps.alerts.sendTest(budget);
    await deps.audit.record({
      action: 'budget.test_alert',
      actorUserId: userId,
      teamId: budget.ownerTeamId,
      targetKind: 'budget',
      targetId: budget.id,
      ip: c.get('clientIp'),
      userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
      metadata: { recipients: result.recipients, webhook: result.webhook },
    });
    return c.json(result, 200);
  });
  return router;
}
