/**
 * Settings → "Notification preferences": which notices also come by mail. The in-app notification
 * (GET /api/alerts) is always kept; only the mail is optional.
 * - GET /api/me/notification-preferences
 * - PATCH /api/me/notification-preferences with any of the fields; the answer has all of them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter } from '../http/openapi.js';
import type { NotificationPreferences, NotificationPreferencesStore } from './notification-preferences.store.js';

const PreferencesSchema = z
  .object({
    email_budget_alerts: z.boolean().openapi({ description: 'Mail me when a budget I own (or my team’s, as owner or admin) crosses an alert threshold, and its test alerts' }),
    email_integration_alerts: z.boolean().openapi({ description: 'Mail me when a provider rejects a stored key of mine (or my team’s, as owner or admin)' }),
  })
  .openapi('NotificationPreferences');

const PreferencesChangeSchema = PreferencesSchema.partial()
  .strict()
  .refine((change) => Object.keys(change).length > 0, { message: 'send at least one of email_budget_alerts, email_integration_alerts' })
  .openapi('NotificationPreferencesChange');

const PATH = '/me/notification-preferences';

const getPreferences = createRoute({
  method: 'get',
  path: PATH,
  tags: ['auth'],
  summary: 'Which notices you also get by mail (every mail on until changed)',
  security: bearerSecurity,
  responses: { 200: { description: 'Your preferences', content: { 'application/json': { schema: PreferencesSchema } } }, ...commonErrors },
});

const updatePreferences = createRoute({
  method: 'patch',
  path: PATH,
  tags: ['auth'],
  summary: 'Turn notice mails on or off (in-app alerts always stay); audited',
  security: bearerSecurity,
  request: { body: { required: true, content: { 'application/json': { schema: PreferencesChangeSchema } } } },
  responses: { 200: { description: 'All your preferences after the change', content: { 'application/json': { schema: PreferencesSchema } } }, ...commonErrors },
});

const view = (preferences: NotificationPreferences) => ({
  email_budget_alerts: preferences.emailBudgetAlerts,
  email_integration_alerts: preferences.emailIntegrationAlerts,
});

export function notificationPreferencesRoutes(store: NotificationPreferencesStore, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  router.use(PATH, requireAuth);
  router.openapi(getPreferences, async (c) => c.json(view(await store.getPreferences(c.get('principal').userId)), 200));
  router.openapi(updatePreferences, async (c) => {
    const body = c.req.valid('json');
    const change: Partial<NotificationPreferences> = {};
    if (body.email_budget_alerts !== undefined) change.emailBudgetAlerts = body.email_budget_alerts;
    if (body.email_integration_alerts !== undefined) change.emailIntegrationAlerts = body.email_integration_alerts;
    const client = { ip: c.get('clientIp'), userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null };
    return c.json(view(await store.updatePreferences(c.get('principal').userId, change, client)), 200);
  });
  return router;
}
