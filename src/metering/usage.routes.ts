import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, pageOf, PageQuerySchema } from '../http/openapi.js';
import type { UsageRecordRow, UsageStore } from './usage.store.js';

const UsageRecordSchema = z
  .object({
    id: z.string(),
    request_id: z.string().openapi({ description: 'The x-request-id the AI response carried' }),
    service: z.string(),
    model: z.string(),
    operation: z.string(),
    stream: z.boolean(),
    integration_id: z.string().nullable(),
    key_id: z.string().nullable(),
    team_id: z.string().nullable(),
    input_tokens: z.number().int().nullable().openapi({ description: 'Null when the provider did not report it' }),
    output_tokens: z.number().int().nullable(),
    cached_input_tokens: z.number().int().nullable(),
    image_count: z.number().int().nullable().openapi({ description: 'Images generated (image requests)' }),
    video_seconds: z.number().int().nullable().openapi({ description: 'Seconds of video generated (video jobs)' }),
    cost_micros: z.number().int().nullable().openapi({ description: 'Cost in micro-dollars; null when unknown' }),
    priced: z.boolean().openapi({ description: 'False when the model has no catalog price' }),
    catalog_version: z.string().nullable().openapi({ description: 'The price catalog version the cost was computed with' }),
    estimated: z.boolean(),
    status: z.number().int().openapi({ description: 'HTTP status the client received' }),
    error_code: z.string().nullable(),
    error_source: z.enum(['user', 'platform', 'provider']).nullable(),
    fallback: z.boolean(),
    latency_ms: z.number().int(),
    ttft_ms: z.number().int().nullable(),
    created_at: z.string(),
  })
  .openapi('UsageRecord');

export const toUsageView = (row: UsageRecordRow): z.infer<typeof UsageRecordSchema> => ({
  id: row.id,
  request_id: row.requestId,
  service: row.service,
  model: row.model,
  operation: row.operation,
  stream: row.stream,
  integration_id: row.integrationId,
  key_id: row.keyId,
  team_id: row.teamId,
  input_tokens: row.inputTokens,
  output_tokens: row.outputTokens,
  cached_input_tokens: row.cachedInputTokens,
  image_count: row.imageCount,
  video_seconds: row.videoSeconds,
  cost_micros: row.costMicros,
  priced: row.priced,
  catalog_version: row.catalogVersion,
  estimated: row.estimated,
  status: row.status,
  error_code: row.errorCode,
  error_source: row.errorSource,
  fallback: row.fallback,
  latency_ms: row.latencyMs,
  ttft_ms: row.ttftMs,
  created_at: row.createdAt.toISOString(),
});

const list = createRoute({
  method: 'get',
  path: '/usage',
  tags: ['usage'],
  security: bearerSecurity,
  summary: 'Your usage records, newest first',
  request: {
    query: PageQuerySchema.extend({
      service: z.string().max(64).optional(),
      model: z.string().max(200).optional(),
      key_id: z.string().max(64).optional(),
    }),
  },
  responses: { 200: { description: 'Page', content: { 'application/json': { schema: pageOf(UsageRecordSchema) } } }, ...commonErrors },
});

export function usageRoutes(store: UsageStore, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  router.use('/usage', requireAuth);
  router.openapi(list, async (c) => {
    const { limit, cursor, service, model, key_id } = c.req.valid('query');
    const rows = await store.listForUser(c.get('principal').userId, { service, model, keyId: key_id }, { limit: limit + 1, before: cursor });
    const data = rows.slice(0, limit).map(toUsageView);
    return c.json({ data, next_cursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null }, 200);
  });
  return router;
}
