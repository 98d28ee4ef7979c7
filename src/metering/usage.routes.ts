import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, pageOf, PageQuerySchema } from '../http/openapi.js';
import { AppError } from '../platform/errors.js';
import { csvExport, filtersOf, UsageAggregateSchema, UsageAggregateQuerySchema, resolveAggregateQuery, aggregateView, resolveRange } from './usage-aggregate.http.js';
import type { UsageAggregates, UsageScope } from './usage-aggregates.js';
import type { UsageRecordRow, UsageStore } from './usage.store.js';
import type { LogRow, UsageLog } from './usage-log.js';
import type { PriceCatalog } from './price-catalog.js';

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
    requested_model: z.string().nullable().openapi({ description: 'The model (or route name) the client asked for; `model` is the one that served' }),
    created_at: z.string(),
  })
  .openapi('UsageRecord');

/** A row of the list: the record plus what the Logs table shows of its key and integration. */
export const UsageLogRowSchema = UsageRecordSchema.extend({
  key_name: z.string().nullable(),
  key_last4: z.string().nullable(),
  integration_name: z.string().nullable(),
  integration_last4: z.string().nullable().openapi({ description: 'Last 4 characters of the provider key (never more)' }),
}).openapi('UsageLogRow');

const AttemptSchema = z
  .object({
    service: z.string(),
    model: z.string(),
    integration_id: z.string().nullable(),
    integration_name: z.string().nullable(),
    status: z.number().int().openapi({ description: 'Status of the attempt (0: no answer, e.g. breaker open)' }),
    duration_ms: z.number().int(),
    error_code: z.string().nullable(),
    error_source: z.enum(['user', 'platform', 'provider']).nullable(),
    next: z.enum(['retry', 'fallback']).nullable().openapi({ description: 'What followed this attempt' }),
  })
  .openapi('UsageAttempt');

export const UsageDetailSchema = UsageLogRowSchema.extend({
  attempts: z.array(AttemptSchema).openapi({ description: 'Upstream attempts in order (empty when none was made or the record predates them)' }),
  price: z
    .object({
      input_micros_per_mtok: z.number().nullable(),
      output_micros_per_mtok: z.number().nullable(),
      cached_input_micros_per_mtok: z.number().nullable(),
      source: z.string(),
    })
    .nullable()
    .openapi({ description: 'The catalog price in force at the time of the request (micro-dollars per million tokens)' }),
  response_headers: z.record(z.string(), z.string()).openapi({ description: 'The x-request-id and x-switchboard-* headers Switchboard set on the response' }),
}).openapi('UsageDetail');

const UsageFacetsSchema = z
  .object({
    models: z.array(z.string()),
    services: z.array(z.string()),
    keys: z.array(z.object({ id: z.string(), name: z.string(), key_last4: z.string() })),
    integrations: z.array(z.object({ id: z.string(), name: z.string(), service: z.string(), key_last4: z.string() })),
  })
  .openapi('UsageFacets');

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
  requested_model: row.requestedModel,
  created_at: row.createdAt.toISOString(),
});

const logRowView = (row: LogRow): z.infer<typeof UsageLogRowSchema> => ({
  id: row.id,
  request_id: row.request_id,
  service: row.service,
  model: row.model,
  operation: row.operation,
  stream: row.stream,
  integration_id: row.integration_id,
  key_id: row.key_id,
  team_id: row.team_id,
  input_tokens: row.input_tokens,
  output_tokens: row.output_tokens,
  cached_input_tokens: row.cached_input_tokens,
  image_count: row.image_count,
  video_seconds: row.video_seconds,
  cost_micros: row.cost_micros === null ? null : Number(row.cost_micros),
  priced: row.priced,
  catalog_version: row.catalog_version,
  estimated: row.estimated,
  status: row.status,
  error_code: row.error_code,
  error_source: row.error_source,
  fallback: row.fallback,
  latency_ms: row.latency_ms,
  ttft_ms: row.ttft_ms,
  requested_model: row.requested_model,
  created_at: new Date(row.created_at).toISOString(),
  key_name: row.key_name,
  key_last4: row.key_last4,
  integration_name: row.integration_name,
  integration_last4: row.integration_last4,
});

/** The headers the gateway set on the response (gateway-call.ts credentialHeaders / servedBy). */
function responseHeadersOf(row: LogRow): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': row.request_id };
  if (row.service === 'local' && row.integration_id === null) headers['x-switchboard-fallback'] = 'local';
  else {
    if (row.integration_id) headers['x-switchboard-integration'] = row.integration_id;
    if (row.fallback) headers['x-switchboard-fallback'] = `${row.service}/${row.model}`;
  }
  return headers;
}

const list = createRoute({
  method: 'get',
  path: '/usage',
  tags: ['usage'],
  security: bearerSecurity,
  summary: 'Your usage records, newest first; with group_by, aggregates from the rollup',
  description:
    'Without `group_by`: a page of records, newest first (keyset: `cursor`), with every filter, `from`/`to` when given, `fallback`, ' +
    '`request_id` (a record id or x-request-id), and the key and integration names. With `group_by` ' +
    '(`day` or `hour`, optionally followed by dimensions, e.g. `day,model`): rows per bucket in `tz` and dimension, plus totals. ' +
    '`team_id` switches to a team you are a member of (404 otherwise).',
  request: { query: PageQuerySchema.extend(UsageAggregateQuerySchema.shape).extend({ request_id: z.string().max(128).optional().openapi({ description: 'A record id or x-request-id (exact)' }) }) },
  responses: {
    200: { description: 'Page, or aggregates when group_by is given', content: { 'application/json': { schema: z.union([pageOf(UsageLogRowSchema), UsageAggregateSchema]) } } },
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

const facets = createRoute({
  method: 'get',
  path: '/usage/facets',
  tags: ['usage'],
  security: bearerSecurity,
  summary: 'Filter options for your usage: your keys and integrations (names, last 4) and the models and services seen',
  request: { query: z.object({ team_id: z.string().max(64).optional().openapi({ description: 'A team you are a member of' }) }) },
  responses: { 200: { description: 'Options', content: { 'application/json': { schema: UsageFacetsSchema } } }, ...commonErrors },
});

const detail = createRoute({
  method: 'get',
  path: '/usage/{id}',
  tags: ['usage'],
  security: bearerSecurity,
  summary: 'One request: summary, upstream attempts, the price used and the response headers',
  description: '`id` is the record id or the request id (x-request-id). Another tenant\'s request answers 404.',
  request: { params: z.object({ id: z.string().max(128) }) },
  responses: { 200: { description: 'The request', content: { 'application/json': { schema: UsageDetailSchema } } }, ...commonErrors },
});

export interface UsageRoutesDeps {
  store: UsageStore;
  log: UsageLog;
  catalog: Pick<PriceCatalog, 'priceOf'>;
  aggregates: UsageAggregates;
  /** Team membership (team_id answers 404 to non-members). */
  teams: { roleOf(teamId: string, userId: string): Promise<unknown> };
}

export function usageRoutes(deps: UsageRoutesDeps, requireAuth: MiddlewareHandler<AppEnv>) {
  const { aggregates, teams, log, catalog } = deps;
  const router = createApiRouter();
  router.use('/usage', requireAuth);
  router.use('/usage/*', requireAuth);
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
    const scope = await scopeOf(c.get('principal'), query.team_id);
    const range = query.from !== undefined || query.to !== undefined ? resolveRange(query, 'day', new Date(), true) : undefined;
    const { limit, cursor } = query;
    const rows = await log.list(scope, range, { ...filtersOf(query), requestId: query.request_id }, { limit: limit + 1, before: cursor });
    const data = rows.slice(0, limit).map(logRowView);
    return c.json({ data, next_cursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null }, 200);
  });

  router.openapi(facets, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('query').team_id);
    return c.json(await log.facets(scope), 200);
  });

  router.openapi(detail, async (c) => {
    const principal = c.get('principal');
    const row = await log.get({ userId: principal.userId, teamId: principal.teamId }, c.req.valid('param').id);
    if (!row) throw new AppError('not_found');
    const names = new Map<string, string | null>(row.integration_id ? [[row.integration_id, row.integration_name]] : []);
    const attempts = row.attempts ?? [];
    const unnamed = attempts.map((attempt) => attempt.integration_id).filter((id): id is string => id !== null && !names.has(id));
    if (unnamed.length > 0) for (const [id, name] of await log.integrationNames([...new Set(unnamed)])) names.set(id, name);
    const point = row.priced ? catalog.priceOf(row.service, row.model, new Date(row.created_at)) : undefined;
    return c.json(
      {
        ...logRowView(row),
        attempts: attempts.map((attempt) => ({ ...attempt, integration_name: attempt.integration_id ? (names.get(attempt.integration_id) ?? null) : null })),
        price: point
          ? { input_micros_per_mtok: point.inputMicrosPerMtok ?? null, output_micros_per_mtok: point.outputMicrosPerMtok ?? null, cached_input_micros_per_mtok: point.cachedInputMicrosPerMtok ?? null, source: point.source }
          : null,
        response_headers: responseHeadersOf(row),
      },
      200,
    );
  });

  router.openapi(csv, async (c) => {
    const query = c.req.valid('query');
    const scope = await scopeOf(c.get('principal'), query.team_id);
    const range = resolveRange(query, 'day');
    return csvExport(c, aggregates, scope, range, query);
  });
  return router;
}
