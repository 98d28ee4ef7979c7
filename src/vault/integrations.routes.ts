import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, pageOf, PageQuerySchema } from '../http/openapi.js';
import { serviceIds } from '../gateway/providers/provider.js';
import { AppError } from '../platform/errors.js';
import { CheckErrorSchema, storedCheckAnswer } from './check-answer.js';
import type { IntegrationHealth } from './integration-health.js';
import type { IntegrationStats } from './integration-stats.js';
import { DEFAULT_DISABLED_REASON, type IntegrationsService } from './integrations.service.js';

const RateLimitSchema = z
  .object({
    rps: z.number().int().positive().optional().openapi({ description: 'Requests per second' }),
    rpm: z.number().int().positive().optional().openapi({ description: 'Requests per minute' }),
    tpm: z.number().int().positive().optional().openapi({ description: 'Tokens per minute' }),
  })
  .strict()
  .openapi('RateLimit');

const MonthlyQuotaSchema = z
  .object({ limit_micros: z.number().int().nonnegative().openapi({ description: 'Monthly spend limit in micro-dollars' }) })
  .strict()
  .openapi('MonthlyQuota');

export const CreateIntegrationSchema = z
  .object({
    service: z.enum(serviceIds),
    api_key: z.string().min(1).max(8192).openapi({ description: 'The provider key. Write-only: never returned.' }),
    name: z.string().max(100).optional(),
    base_url: z.string().max(2048).nullable().optional().openapi({
      description: 'Provider base URL override, in the form its official SDK takes (OpenAI: https://api.openai.com/v1)',
    }),
    rate_limit: RateLimitSchema.nullable().optional(),
    monthly_quota: MonthlyQuotaSchema.nullable().optional(),
  })
  .strict()
  .openapi('CreateIntegration');

export const UpdateIntegrationSchema = CreateIntegrationSchema.partial().strict().openapi('UpdateIntegration');

export const IntegrationSchema = z
  .object({
    id: z.string(),
    service: z.string(),
    name: z.string(),
    key_last4: z.string().openapi({ description: 'The last 4 characters of the stored key' }),
    base_url: z.string().nullable(),
    status: z.enum(['active', 'invalid', 'quota_exceeded', 'unreachable']),
    last_error: z.string().nullable(),
    last_checked_at: z.string().nullable(),
    rate_limit: RateLimitSchema.nullable(),
    monthly_quota: MonthlyQuotaSchema.nullable(),
    models: z.array(z.string()).nullable().openapi({ description: 'The provider’s own model ids, as of the last successful key check (null: never listed)' }),
    team_id: z.string().nullable(),
    disabled_at: z.string().nullable().openapi({ description: 'Set while disabled: requests skip it (POST …/disable; POST …/enable undoes it)' }),
    disabled_reason: z.string().nullable().openapi({ description: 'Why it is disabled, in words (null while enabled)' }),
    disabled_by: z.enum(['user', 'system']).nullable().openapi({ description: 'Who disabled it: a person (`user`, never re-enabled automatically) or the auto-disable policy after repeated key rejections (`system`); null while enabled' }),
    retry_at: z.string().nullable().openapi({ description: 'When the auto-disable policy checks the stored key again and re-enables it if the provider accepts it (only while disabled by `system`)' }),
    created_at: z.string(),
    updated_at: z.string(),
    // What the breakers and the last 24 hours of usage say (never key material).
    health: z.enum(['healthy', 'degraded', 'failing', 'disabled', 'unchecked']).openapi({ description: 'As the live integration.status event says it (status and breaker together)' }),
    breaker: z.enum(['closed', 'open', 'half_open']).openapi({ description: 'The worse of its endpoint’s and its own circuit breaker' }),
    latency_p50_ms: z.number().int().nullable().openapi({ description: 'Median latency of its successful requests in the last 24 hours' }),
    requests_24h: z.number().int().openapi({ description: 'Requests that used it in the last 24 hours' }),
    last_used_at: z.string().nullable().openapi({ description: 'Its latest request within the last 24 hours (null: none in that window)' }),
    quota_spent_micros: z.number().int().nullable().openapi({ description: 'Spend through it this calendar month (UTC), against monthly_quota (null: no quota)' }),
  })
  .openapi('Integration');

export const IntegrationCheckSchema = IntegrationSchema.extend({
  checked: z.boolean().openapi({ description: 'False when the service has no key check (midjourney, local): nothing was changed' }),
  latency_ms: z.number().int().nullable().openapi({ description: 'Duration of the provider call' }),
  models: z.array(z.string()).nullable().openapi({ description: 'The provider’s own model list, as of the last successful check' }),
  ok: z.boolean().openapi({ description: 'True when the stored status is active' }),
  error: CheckErrorSchema.optional().openapi({ description: 'Why not ok: who must act, the error code a request would get, and our text' }),
}).openapi('IntegrationCheck');

export const DisableIntegrationSchema = z
  .object({ reason: z.string().max(500).optional().openapi({ description: `Shown to the owner beside the "disabled" status (default "${DEFAULT_DISABLED_REASON}")` }) })
  .strict()
  .openapi('DisableIntegration');

const IdParams = z.object({ id: z.string().min(1).max(64) });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
const integrationResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: IntegrationSchema } },
});

const tags = ['integrations'];
const list = createRoute({
  method: 'get', path: '/integrations', tags, security: bearerSecurity, summary: 'List your integrations',
  request: { query: PageQuerySchema },
  responses: { 200: { description: 'Page', content: { 'application/json': { schema: pageOf(IntegrationSchema) } } }, ...commonErrors },
});
const create = createRoute({
  method: 'post', path: '/integrations', tags, security: bearerSecurity, summary: 'Store a provider key',
  request: { body: json(CreateIntegrationSchema) },
  responses: { 201: integrationResponse('Stored'), ...commonErrors },
});
const get = createRoute({
  method: 'get', path: '/integrations/{id}', tags, security: bearerSecurity, summary: 'One integration (masked)',
  request: { params: IdParams },
  responses: { 200: integrationResponse('Integration'), ...commonErrors },
});
const update = createRoute({
  method: 'patch', path: '/integrations/{id}', tags, security: bearerSecurity,
  summary: 'Update an integration; api_key replaces the stored key',
  request: { params: IdParams, body: json(UpdateIntegrationSchema) },
  responses: { 200: integrationResponse('Updated'), ...commonErrors },
});
const test = createRoute({
  method: 'post', path: '/integrations/{id}/test', tags, security: bearerSecurity,
  summary: 'Check the stored key with a cheap provider call; stores status, last_error, last_checked_at and the model list',
  request: { params: IdParams },
  responses: { 200: { description: 'Checked', content: { 'application/json': { schema: IntegrationCheckSchema } } }, ...commonErrors },
});
const disable = createRoute({
  method: 'post', path: '/integrations/{id}/disable', tags, security: bearerSecurity,
  summary: 'Take an integration out of service: requests skip it (routes fall over to their next target) until it is enabled; the key is kept',
  request: { params: IdParams, body: { content: { 'application/json': { schema: DisableIntegrationSchema } }, required: false } },
  responses: { 200: integrationResponse('Disabled (already disabled: unchanged)'), ...commonErrors },
});
const enable = createRoute({
  method: 'post', path: '/integrations/{id}/enable', tags, security: bearerSecurity, summary: 'Put a disabled integration back into service',
  request: { params: IdParams },
  responses: { 200: integrationResponse('Enabled (already enabled: unchanged)'), ...commonErrors },
});
const remove = createRoute({
  method: 'delete', path: '/integrations/{id}', tags, security: bearerSecurity, summary: 'Delete an integration and its key',
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...commonErrors },
});

export function integrationsRoutes(integrations: IntegrationsService, requireAuth: MiddlewareHandler<AppEnv>, health: IntegrationHealth | undefined, stats: IntegrationStats) {
  const router = createApiRouter();
  router.use('/integrations', requireAuth);
  router.use('/integrations/*', requireAuth);
  const actorOf = (c: { get(k: 'principal'): { userId: string }; get(k: 'clientIp'): string | null; req: { header(n: string): string | undefined } }) => ({
    userId: c.get('principal').userId,
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  });
  const personal = (userId: string) => ({ kind: 'user', id: userId }) as const;

  router.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const owner = personal(c.get('principal').userId);
    const page = await integrations.listIntegrations(owner, { limit, ...(cursor ? { cursor } : {}) });
    return c.json({ ...page, data: await stats.enrich(owner, page.data) }, 200);
  });
  router.openapi(create, async (c) => {
    const owner = personal(c.get('principal').userId);
    const view = await integrations.storeIntegration(actorOf(c), owner, c.req.valid('json'));
    return c.json(await stats.one(owner, health ? await health.checkAfterSave(owner, view) : view), 201);
  });
  router.openapi(get, async (c) => {
    const owner = personal(c.get('principal').userId);
    return c.json(await stats.one(owner, await integrations.getIntegration(owner, c.req.valid('param').id)), 200);
  });
  router.openapi(update, async (c) => {
    const owner = personal(c.get('principal').userId);
    const patch = c.req.valid('json');
    const view = await integrations.updateIntegration(actorOf(c), owner, c.req.valid('param').id, patch);
    return c.json(await stats.one(owner, health ? await health.checkAfterSave(owner, view, patch) : view), 200);
  });
  router.openapi(test, async (c) => {
    if (!health) throw new AppError('route_not_found');
    const owner = personal(c.get('principal').userId);
    const result = await health.check(owner, c.req.valid('param').id);
    return c.json(storedCheckAnswer({ ...result, integration: await stats.one(owner, result.integration) }), 200);
  });
  router.openapi(disable, async (c) => {
    const owner = personal(c.get('principal').userId);
    const body = (c.req.valid('json') as { reason?: string } | undefined) ?? {};
    return c.json(await stats.one(owner, await integrations.disableIntegration(actorOf(c), owner, c.req.valid('param').id, body.reason)), 200);
  });
  router.openapi(enable, async (c) => {
    const owner = personal(c.get('principal').userId);
    return c.json(await stats.one(owner, await integrations.enableIntegration(actorOf(c), owner, c.req.valid('param').id)), 200);
  });
  router.openapi(remove, async (c) => {
    await integrations.deleteIntegration(actorOf(c), personal(c.get('principal').userId), c.req.valid('param').id);
    return c.body(null, 204);
  });
  return router;
}
