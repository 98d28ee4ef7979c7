import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, pageOf, PageQuerySchema } from '../http/openapi.js';
import { AppError } from '../platform/errors.js';
import { csvExport, UsageAggregateSchema, UsageAggregateQuerySchema, resolveAggregateQuery, aggregateView, resolveRange } from './usage-aggregate.http.js';
import type { UsageAggregates, UsageScope } from './usage-aggregates.js';
import type { UsageRecordRow, UsageStore } from './usage.store.js';

export const UsageRecordSchema = z
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
  summary: 'Your usage records, newest first; with group_by, aggregates from the rollup',
  description:
    'Without `group_by`: a page of your records (only `limit`, `cursor`, `service`, `model`, `key_id` apply). With `group_by` ' +
    '(`day` or `hour`, optionally followed by dimensions, e.g. `day,model`): rows per bucket in `tz` and dimension, plus totals. ' +
    '`team_id` switches to a team you are a member of (404 otherwise).',
  request: { query: PageQuerySchema.extend(UsageAggregateQuerySchema.shape) },
  responses: {
    200: { description: 'Page, or aggregates when group_by is given', content: { 'application/json': { schema: z.union([pageOf(UsageRecordSchema), UsageAggregateSchema]) } } },
    ...commonErrors,
  },
});

const csv = createRoute({
  method: 'get',
  path: '/usage.csv',
  tags: ['usage'],
  security: bearerSecurity,
  summary: 'Your usage records in a range as CSV (streamed, no row cap)',
  description: 'The same scope, range and filters as GET /api/usage; timestamps are ISO 8601 with the offset of `tz`.',
  request: { query: UsageAggregateQuerySchema.omit({ group_by: true }) },
  responses: { 200: { description: 'CSV, header row first', content: { 'text/csv': { schema: z.string() } } }, ...commonErrors },
});

export interface UsageRoutesDeps {
  store: UsageStore;
  aggregates: UsageAggregates;
  /** Team membership (team_id answers 404 to non-members). */
  teams: { roleOf(teamId: string, userId: string): Promise<unknown> };
}

export function usageRoutes(deps: UsageRoutesDeps, requireAuth: MiddlewareHandler<AppEnv>) {
  const { store, aggregates, teams } = deps;
  const router = createApiRouter();
  router.use('/usage', requireAuth);
  router.use('/usage.csv', requireAuth);

  /** Your own usage, or a team's you are a member of (its id, or the team a team key acts for). */
  async function scopeOf(principal: AppEnv['Variables']['principal'], teamId: string | undefined): Promise<UsageScope> {
    if (principal.teamId && teamId && teamId !== principal.teamId) throw new AppError('not_found');
    const team = teamId ?? principal.teamId;
    if (!team) return { kind: 'user', userId: principal.userId };
    if ((await teams.roleOf(team, principal.userId)) === undefined) throw new AppError('not_found');
    return { kind: 'team', teamId: team };
  }

  router.openapi(list, async (c) => {
    const query = c.req.valid('query');
    if (query.group_by !== undefined) {
      const scope = await scopeOf(c.get('principal'), query.team_id);
      const resolved = resolveAggregateQuery(query, scope);
      return c.json(aggregateView(resolved, await aggregates.aggregate(resolved)), 200);
    }
    const { limit, cursor, service, model, key_id } = query;
    const rows = await store.listForUser(c.get('principal').userId, { service, model, keyId: key_id }, { limit: limit + 1, before: cursor });
    const data = rows.slice(0, limit).map(toUsageView);
    return c.json({ data, next_cursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null }, 200);
  });

  router.openapi(csv, async (c) => {
    const query = c.req.valid('query');
    const scope = await scopeOf(c.get('principal'), query.team_id);
    const range = resolveRange(query, 'day');
    return csvExport(c, aggregates, scope, range, query);
  });
  return router;
}
