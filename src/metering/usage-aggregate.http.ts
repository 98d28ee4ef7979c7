/**
 * HTTP side of usage aggregates and the CSV export: the query schema shared by GET /api/usage,
 * GET /api/usage.csv and GET /api/admin/usage, range and zone resolution, the response view, and
 * the streamed CSV body.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AdminService } from '../accounts/admin.service.js';
import type { AppEnv } from '../http/context.js';
import { AppError } from '../platform/errors.js';
import {
  alignRange,
  DIMENSIONS,
  metricsView,
  STATUS_FILTERS,
  type AggregateQuery,
  type aggregateUsage,
  type Dimension,
  type UsageAggregates,
  type UsageFilters,
  type UsageRange,
  type UsageScope,
} from './usage-aggregates.js';
import { CSV_HEADER } from './usage-csv.js';
import { isoInZone, isTimeZone, localMidnight } from './usage-zone.js';

const DAY_MS = 24 * 3600 * 1000;
/** Longest range per granularity (hour rows of 93 days are already 2,232 buckets). */
export const MAX_RANGE_DAYS = { day: 366, hour: 93 } as const;
const DEFAULT_RANGE_DAYS = 30;

const GroupBySchema = z
  .string()
  .max(100)
  .transform((value, ctx) => {
    const [granularity, ...dimensions] = value.split(',').map((part) => part.trim());
    if (granularity !== 'day' && granularity !== 'hour') {
      ctx.addIssue({ code: 'custom', message: 'must start with day or hour, e.g. day,model' });
      return z.NEVER;
    }
    const unknown = dimensions.find((dimension) => !(DIMENSIONS as readonly string[]).includes(dimension));
    if (unknown !== undefined) {
      ctx.addIssue({ code: 'custom', message: `unknown dimension "${unknown.slice(0, 40)}"; one of ${DIMENSIONS.join(', ')}` });
      return z.NEVER;
    }
    if (new Set(dimensions).size !== dimensions.length || dimensions.length > 3) {
      ctx.addIssue({ code: 'custom', message: 'at most three distinct dimensions' });
      return z.NEVER;
    }
    return { granularity, dimensions: dimensions as Dimension[] } as const;
  })
  .openapi({ type: 'string', description: `day or hour, optionally followed by dimensions (${DIMENSIONS.join(', ')}), e.g. day,model`, example: 'day,model' });

const instantText = z
  .string()
  .max(40)
  .openapi({ description: 'YYYY-MM-DD (local midnight in tz) or an ISO 8601 date-time with Z or an offset' });

export const UsageAggregateQuerySchema = z.object({
  group_by: GroupBySchema.optional(),
  from: instantText.optional().openapi({ description: 'Start (inclusive); default 30 days before `to`. Moved down to a quarter hour.' }),
  to: instantText.optional().openapi({ description: 'End (exclusive); default now. Moved up to a quarter hour.' }),
  tz: z
    .string()
    .max(64)
    .refine(isTimeZone, { message: 'must be an IANA time zone, e.g. Europe/Berlin' })
    .default('UTC')
    .openapi({ description: 'IANA time zone of days, hours and timestamps; default UTC' }),
  team_id: z.string().max(64).optional().openapi({ description: 'A team you are a member of' }),
  key_id: z.string().max(64).optional(),
  integration_id: z.string().max(64).optional(),
  model: z.string().max(200).optional(),
  service: z.string().max(64).optional(),
  status: z
    .union([z.enum(STATUS_FILTERS), z.string().regex(/^[1-5]\d\d$/).transform(Number)])
    .optional()
    .openapi({ type: 'string', description: 'success (<400), error (>=400), a status class, or (list and CSV only) an exact status such as 429' }),
  error_source: z.enum(['user', 'provider', 'platform']).optional(),
  fallback: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .openapi({ type: 'string', enum: ['true', 'false'], description: 'Only requests a fallback served (true), or only the others (false)' }),
});
type UsageQueryInput = z.infer<typeof UsageAggregateQuerySchema>;

const MetricsSchema = z.object({
  requests: z.number().int(),
  errors: z.number().int().openapi({ description: 'Requests answered with status >= 400' }),
  errors_by_source: z.object({ user: z.number().int(), provider: z.number().int(), platform: z.number().int() }),
  input_tokens: z.number().int().openapi({ description: 'Sum of reported counts' }),
  output_tokens: z.number().int(),
  cost_micros: z.number().int().openapi({ description: 'Sum over priced requests' }),
  unpriced_requests: z.number().int(),
  estimated_requests: z.number().int(),
  latency_p50_ms: z.number().int().nullable().openapi({ description: 'From a log histogram: accurate to one cell (×1.58)' }),
  latency_p95_ms: z.number().int().nullable(),
  latency_p99_ms: z.number().int().nullable(),
  ttft_p50_ms: z.number().int().nullable(),
  fallback_requests: z.number().int(),
}).openapi('UsageMetrics');

export const UsageAggregateSchema = z
  .object({
    group_by: z.array(z.string()),
    tz: z.string(),
    from: z.string().openapi({ description: 'Effective start, ISO 8601 in tz' }),
    to: z.string(),
    data: z.array(
      MetricsSchema.extend({
        bucket: z.string().openapi({ description: 'Start of the day or hour in tz, ISO 8601 with offset' }),
        model: z.string().optional(),
        service: z.string().optional(),
        key_id: z.string().nullable().optional(),
        integration_id: z.string().nullable().optional(),
        status_class: z.string().optional().openapi({ description: '2xx, 4xx, 5xx, …' }),
        error_source: z.string().nullable().optional(),
      }).openapi('UsageAggregateRow'),
    ),
    totals: MetricsSchema,
  })
  .openapi('UsageAggregate');

function parseInstant(value: string | undefined, zone: string, param: 'from' | 'to'): Date | undefined {
  if (value === undefined) return undefined;
  const invalid = () => new AppError('invalid_request', { param, message: `${param} must be YYYY-MM-DD or an ISO 8601 date-time with Z or an offset.` });
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    if (Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) throw invalid();
    return localMidnight(value, zone);
  }
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) throw invalid();
  return new Date(value);
}

/** from/to in the zone, defaulted, checked and moved out to whole quarter hours (unless `exact`: the log list). */
export function resolveRange(query: Pick<UsageQueryInput, 'from' | 'to' | 'tz'>, granularity: 'day' | 'hour', now = new Date(), exact = false): UsageRange {
  const to = parseInstant(query.to, query.tz, 'to') ?? now;
  const from = parseInstant(query.from, query.tz, 'from') ?? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  if (from >= to) throw new AppError('invalid_request', { param: 'from', message: 'from must be before to.' });
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS[granularity] * DAY_MS) {
    throw new AppError('invalid_request', { param: 'from', message: `With ${granularity} buckets the range may span at most ${MAX_RANGE_DAYS[granularity]} days.` });
  }
  return exact ? { from, to } : alignRange(from, to);
}

export function filtersOf(query: UsageQueryInput): UsageFilters {
  return {
    teamId: query.team_id,
    keyId: query.key_id,
    integrationId: query.integration_id,
    model: query.model,
    service: query.service,
    status: query.status,
    errorSource: query.error_source,
    fallback: query.fallback,
  };
}

export function resolveAggregateQuery(query: UsageQueryInput, scope: UsageScope): AggregateQuery {
  const groupBy = query.group_by ?? { granularity: 'day' as const, dimensions: [] };
  return {
    scope,
    zone: query.tz,
    granularity: groupBy.granularity,
    dimensions: [...groupBy.dimensions],
    filters: filtersOf(query),
    ...resolveRange(query, groupBy.granularity),
  };
}

export function aggregateView(query: AggregateQuery, result: Awaited<ReturnType<typeof aggregateUsage>>) {
  const iso = isoInZone(query.zone);
  return {
    group_by: [query.granularity, ...query.dimensions],
    tz: query.zone,
    from: iso(query.from),
    to: iso(query.to),
    data: result.data.map((row) => ({ bucket: iso(row.bucketStart), ...row.dimensions, ...metricsView(row.metrics) })),
    totals: metricsView(result.totals),
  };
}

function scopeLabel(scope: UsageScope): string {
  if (scope.kind === 'user') return 'me';
  if (scope.kind === 'team') return `team-${scope.teamId.replace(/[^A-Za-z0-9]/g, '')}`;
  return 'all';
}

/**
 * A streamed CSV response: batches of lines (usage-csv.ts) are read as the client consumes them.
 * The first batch is read before answering, so a zone PostgreSQL does not know is a 400.
 */
export async function csvExport(c: Context<AppEnv>, aggregates: UsageAggregates, scope: UsageScope, range: UsageRange, query: UsageQueryInput) {
  const iso = isoInZone(query.tz);
  const stamp = (date: Date) => iso(date).slice(0, 16).replace(':', '');
  const filename = `switchboard-usage_${scopeLabel(scope)}_${stamp(range.from)}_${stamp(range.to)}.csv`;
  const batches = aggregates.csvBatches(scope, range, filtersOf(query), query.tz);
  const first = await batches.next();
  const encoder = new TextEncoder();
  const logger = c.get('logger');
  let pending: IteratorResult<string> | undefined = first;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(CSV_HEADER));
    },
    async pull(controller) {
      try {
        const next = pending ?? (await batches.next());
        pending = undefined;
        if (next.done) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        logger.warn({ err: error }, 'usage CSV export failed mid-stream');
        controller.error(error);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  return c.body(body, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
  });
}

/** GET /api/admin/usage: the legacy per-day-and-service totals, or with group_by the global aggregate. */
export async function adminUsage(
  admin: Pick<AdminService, 'usage'>,
  aggregates: UsageAggregates | undefined,
  query: UsageQueryInput,
) {
  if (query.group_by === undefined || aggregates === undefined) {
    return admin.usage({ from: parseInstant(query.from, query.tz, 'from'), to: parseInstant(query.to, query.tz, 'to') });
  }
  const resolved = resolveAggregateQuery(query, { kind: 'all' });
  return aggregateView(resolved, await aggregates.aggregate(resolved));
}
