/**
 * Usage aggregates (GET /api/usage?group_by=…, GET /api/admin/usage?group_by=…) served from the
 * usage_hourly rollup, and the raw rows of the CSV export (usage-csv.ts) read in keyset batches. Both take the same
 * scope, range and filters, so an export and the aggregate of the same query agree.
 */
import { sql, type SQL } from 'drizzle-orm';
import { AppError } from '../platform/errors.js';
import type { Database, DbExecutor } from '../store/db.js';
import { CSV_LINE_SQL } from './usage-csv.js';
import { BUCKET_SECONDS, HISTOGRAM_CELLS, histogramQuantile, unpackHistogram } from './usage-rollup.js';

export const DIMENSIONS = ['model', 'service', 'key', 'integration', 'status', 'error_source'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const STATUS_FILTERS = ['success', 'error', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export type ErrorSource = 'user' | 'provider' | 'platform';

/** Rollup column and response field of each dimension. */
const DIMENSION_FIELDS: Record<Dimension, { column: string; field: string; nullable: boolean }> = {
  model: { column: 'model', field: 'model', nullable: false },
  service: { column: 'service', field: 'service', nullable: false },
  key: { column: 'key_id', field: 'key_id', nullable: true },
  integration: { column: 'integration_id', field: 'integration_id', nullable: true },
  status: { column: 'status_class', field: 'status_class', nullable: false },
  error_source: { column: 'error_source', field: 'error_source', nullable: true },
};

export type UsageScope = { kind: 'user'; userId: string } | { kind: 'team'; teamId: string } | { kind: 'all' };

export interface UsageFilters {
  teamId?: string | undefined;
  keyId?: string | undefined;
  integrationId?: string | undefined;
  model?: string | undefined;
  service?: string | undefined;
  /** A class or success/error; a number is one exact status (raw rows only: the list and the CSV). */
  status?: StatusFilter | number | undefined;
  errorSource?: ErrorSource | undefined;
  /** Only requests a fallback served (true) or only those that did not (false). */
  fallback?: boolean | undefined;
}

export interface UsageRange {
  /** Inclusive, on a bucket boundary. */
  from: Date;
  /** Exclusive, on a bucket boundary. */
  to: Date;
}

export interface AggregateQuery extends UsageRange {
  scope: UsageScope;
  filters: UsageFilters;
  zone: string;
  granularity: 'day' | 'hour';
  dimensions: Dimension[];
}

const BUCKET_MS = BUCKET_SECONDS * 1000;
/** Ranges move outwards to whole buckets: `from` down, `to` up (nothing is recorded in the future). */
export const alignRange = (from: Date, to: Date): UsageRange => ({
  from: new Date(Math.floor(from.getTime() / BUCKET_MS) * BUCKET_MS),
  to: new Date(Math.ceil(to.getTime() / BUCKET_MS) * BUCKET_MS),
});

const STATUS_CLASSES: Record<StatusFilter, string[]> = {
  success: ['1xx', '2xx', '3xx'],
  error: ['4xx', '5xx'],
  '2xx': ['2xx'],
  '3xx': ['3xx'],
  '4xx': ['4xx'],
  '5xx': ['5xx'],
};
const STATUS_RANGES: Record<StatusFilter, [number, number]> = {
  success: [0, 400],
  error: [400, 1000],
  '2xx': [200, 300],
  '3xx': [300, 400],
  '4xx': [400, 500],
  '5xx': [500, 600],
};

function scopeCondition(scope: UsageScope): SQL | undefined {
  if (scope.kind === 'user') return sql`user_id = ${scope.userId}`;
  if (scope.kind === 'team') return sql`team_id = ${scope.teamId}`;
  return undefined;
}

const joinAnd = (conditions: (SQL | undefined)[]): SQL =>
  sql.join(
    conditions.filter((condition): condition is SQL => condition !== undefined),
    sql` and `,
  );

/** The rollup keeps status classes only: an exact status is for the list and the CSV. */
function exactStatusRefused(status: StatusFilter | number): StatusFilter {
  if (typeof status !== 'number') return status;
  throw new AppError('invalid_request', {
    param: 'status',
    message: 'Aggregates take a status class (2xx, 3xx, 4xx, 5xx), success or error; an exact status such as 429 filters the list and the CSV.',
  });
}

/** Conditions on usage_hourly (nullable dimensions are stored as ''). */
function rollupWhere(query: AggregateQuery): SQL {
  const { filters } = query;
  return joinAnd([
    scopeCondition(query.scope),
    sql`bucket_start >= ${query.from.toISOString()}::timestamptz and bucket_start < ${query.to.toISOString()}::timestamptz`,
    filters.teamId ? sql`team_id = ${filters.teamId}` : undefined,
    filters.keyId ? sql`key_id = ${filters.keyId}` : undefined,
    filters.integrationId ? sql`integration_id = ${filters.integrationId}` : undefined,
    filters.model ? sql`model = ${filters.model}` : undefined,
    filters.service ? sql`service = ${filters.service}` : undefined,
    filters.status ? sql`status_class = any(${sql.param(STATUS_CLASSES[exactStatusRefused(filters.status)])}::text[])` : undefined,
    filters.errorSource ? sql`error_source = ${filters.errorSource}` : undefined,
    filters.fallback === undefined ? undefined : sql`fallback = ${filters.fallback}`,
  ]);
}

/** The same conditions on usage_records. */
export function rawWhere(scope: UsageScope, range: UsageRange, filters: UsageFilters): SQL {
  const status = filters.status === undefined ? undefined : typeof filters.status === 'number' ? ([filters.status, filters.status + 1] as const) : STATUS_RANGES[filters.status];
  return joinAnd([
    scopeCondition(scope),
    sql`created_at >= ${range.from.toISOString()}::timestamptz and created_at < ${range.to.toISOString()}::timestamptz`,
    filters.teamId ? sql`team_id = ${filters.teamId}` : undefined,
    filters.keyId ? sql`key_id = ${filters.keyId}` : undefined,
    filters.integrationId ? sql`integration_id = ${filters.integrationId}` : undefined,
    filters.model ? sql`model = ${filters.model}` : undefined,
    filters.service ? sql`service = ${filters.service}` : undefined,
    status ? sql`status >= ${status[0]} and status < ${status[1]}` : undefined,
    filters.errorSource ? sql`error_source = ${filters.errorSource}` : undefined,
    filters.fallback === undefined ? undefined : sql`fallback = ${filters.fallback}`,
  ]);
}

interface Metrics {
  requests: number;
  errors: number;
  errorsBySource: { user: number; provider: number; platform: number };
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  unpricedRequests: number;
  estimatedRequests: number;
  fallbackRequests: number;
  latencyHistogram: number[];
  ttftHistogram: number[];
}

type AggregateRow = Record<string, string | number | null> & { bucket_start: Date; lh: string; th: string };

function emptyMetrics(): Metrics {
  return {
    requests: 0,
    errors: 0,
    errorsBySource: { user: 0, provider: 0, platform: 0 },
    inputTokens: 0,
    outputTokens: 0,
    costMicros: 0,
    unpricedRequests: 0,
    estimatedRequests: 0,
    fallbackRequests: 0,
    latencyHistogram: new Array<number>(HISTOGRAM_CELLS).fill(0),
    ttftHistogram: new Array<number>(HISTOGRAM_CELLS).fill(0),
  };
}

function addMetrics(into: Metrics, from: Metrics): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.errorsBySource.user += from.errorsBySource.user;
  into.errorsBySource.provider += from.errorsBySource.provider;
  into.errorsBySource.platform += from.errorsBySource.platform;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.costMicros += from.costMicros;
  into.unpricedRequests += from.unpricedRequests;
  into.estimatedRequests += from.estimatedRequests;
  into.fallbackRequests += from.fallbackRequests;
  from.latencyHistogram.forEach((count, cell) => (into.latencyHistogram[cell]! += count));
  from.ttftHistogram.forEach((count, cell) => (into.ttftHistogram[cell]! += count));
}

export function metricsView(metrics: Metrics) {
  return {
    requests: metrics.requests,
    errors: metrics.errors,
    errors_by_source: { ...metrics.errorsBySource },
    input_tokens: metrics.inputTokens,
    output_tokens: metrics.outputTokens,
    cost_micros: metrics.costMicros,
    unpriced_requests: metrics.unpricedRequests,
    estimated_requests: metrics.estimatedRequests,
    latency_p50_ms: histogramQuantile(metrics.latencyHistogram, 0.5),
    latency_p95_ms: histogramQuantile(metrics.latencyHistogram, 0.95),
    latency_p99_ms: histogramQuantile(metrics.latencyHistogram, 0.99),
    ttft_p50_ms: histogramQuantile(metrics.ttftHistogram, 0.5),
    fallback_requests: metrics.fallbackRequests,
  };
}

/** The aggregate statement, run after aggregateSettings(query.zone) (both exported for the bench's EXPLAIN). */
export function aggregateStatement(query: AggregateQuery): SQL {
  const dims = query.dimensions.map((dimension) => DIMENSION_FIELDS[dimension]);
  const dimColumns = dims.map((dim) => sql.raw(dim.column));
  // In the session's zone, which aggregateSettings sets to query.zone: the three-argument
  // date_trunc(…, zone) looks the zone up again for every row (10–20 % of the statement).
  const bucket = sql`date_trunc(${query.granularity}, bucket_start)`;
  const groupBy = sql.join([sql`1`, ...dimColumns], sql`, `);
  return sql`
    select ${bucket} as bucket_start${dimColumns.length > 0 ? sql`, ${sql.join(dimColumns, sql`, `)}` : sql``},
      sum(requests)::bigint as requests, sum(errors)::bigint as errors,
      coalesce(sum(errors) filter (where error_source = 'user'), 0)::bigint as errors_user,
      coalesce(sum(errors) filter (where error_source = 'provider'), 0)::bigint as errors_provider,
      coalesce(sum(errors) filter (where error_source = 'platform'), 0)::bigint as errors_platform,
      sum(input_tokens)::bigint as input_tokens, sum(output_tokens)::bigint as output_tokens,
      sum(cost_micros)::bigint as cost_micros, sum(unpriced_requests)::bigint as unpriced_requests,
      sum(estimated_requests)::bigint as estimated_requests,
      coalesce(sum(requests) filter (where fallback), 0)::bigint as fallback_requests,
      sum(latency_hist)::text as lh, sum(ttft_hist)::text as th
    from usage_hourly
    where ${rollupWhere(query)}
    group by ${groupBy}
    order by ${groupBy}`;
}

/**
 * Settings of the aggregate's transaction, measured with BENCH_EXPLAIN=1 bench/usage-aggregate.ts
 * (owner with 42k rollup rows): JIT compiling ~60 aggregates costs more than running them; with
 * the default 4 MB work_mem the groups are sorted on disk (264 ms) instead of hashed in memory
 * (132 ms); parallel workers only add overhead on a small machine. The session's TimeZone is the
 * caller's zone, in which the statement's date_trunc cuts days and hours.
 */
export const aggregateSettings = (zone: string): SQL =>
  sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('max_parallel_workers_per_gather', '0', true),
    set_config('TimeZone', ${zone}, true)`;

/** Rows per time bucket (in the zone) and dimensions, plus totals, from the rollup. */
export async function aggregateUsage(db: Database, query: AggregateQuery) {
  const dims = query.dimensions.map((dimension) => DIMENSION_FIELDS[dimension]);
  const result = await db
    .transaction(async (tx) => {
      await tx.execute(aggregateSettings(query.zone));
      return tx.execute<AggregateRow>(aggregateStatement(query));
    })
    .catch(unknownZoneAs400(query.zone));

  const totals = emptyMetrics();
  const data = result.rows.map((row) => {
    const metrics: Metrics = {
      requests: Number(row.requests),
      errors: Number(row.errors),
      errorsBySource: { user: Number(row.errors_user), provider: Number(row.errors_provider), platform: Number(row.errors_platform) },
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      costMicros: Number(row.cost_micros),
      unpricedRequests: Number(row.unpriced_requests),
      estimatedRequests: Number(row.estimated_requests),
      fallbackRequests: Number(row.fallback_requests),
      latencyHistogram: unpackHistogram(row.lh),
      ttftHistogram: unpackHistogram(row.th),
    };
    addMetrics(totals, metrics);
    const dimensions: Record<string, string | null> = {};
    for (const dim of dims) {
      const value = row[dim.column];
      dimensions[dim.field] = dim.nullable && value === '' ? null : String(value);
    }
    return { bucketStart: new Date(row.bucket_start), dimensions, metrics };
  });
  return { data, totals };
}

/**
 * A zone ICU knows but this PostgreSQL's tz database does not fails the statement with 22023
 * (invalid_parameter_value): the caller's mistake, answered as a 400 on `tz`.
 */
export function unknownZoneAs400(zone: string) {
  return (error: unknown): never => {
    const failure = error as { code?: string; cause?: { code?: string } };
    if ((failure.code ?? failure.cause?.code) === '22023') throw new AppError('invalid_request', { param: 'tz', message: `Unknown time zone "${zone}".` });
    throw error;
  };
}

/**
 * The scope's records in the range as CSV text, oldest id first: each batch is one string of up to
 * `batchSize` lines (each ending in CRLF), joined by PostgreSQL, so the export allocates a few
 * objects per batch rather than a row object and its values per record. A zone this PostgreSQL
 * does not know is a 400 on the first batch.
 */
export async function* usageCsvBatches(db: DbExecutor, scope: UsageScope, range: UsageRange, filters: UsageFilters, zone: string, batchSize = 2_000) {
  const where = rawWhere(scope, range, filters);
  let after = '';
  for (;;) {
    const { rows } = await db
      .transaction(async (tx) => {
        await tx.execute(sql`select set_config('TimeZone', ${zone}, true)`);
        return tx.execute<{ lines: string | null; last: string | null; n: number }>(sql`
          select string_agg(line, '' order by id) as lines, max(id) as last, count(*)::int as n
          from (
            select id, ${CSV_LINE_SQL} || E'\r\n' as line
            from usage_records
            where ${where} and id > ${after}
            order by id
            limit ${batchSize}
          ) batch`);
      })
      .catch(unknownZoneAs400(zone));
    const batch = rows[0];
    if (!batch || batch.n === 0 || batch.lines === null || batch.last === null) return;
    yield batch.lines;
    if (batch.n < batchSize) return;
    after = batch.last;
  }
}

export function createUsageAggregates(db: Database) {
  return {
    aggregate: (query: AggregateQuery) => aggregateUsage(db, query),
    csvBatches: (scope: UsageScope, range: UsageRange, filters: UsageFilters, zone: string, batchSize?: number) => usageCsvBatches(db, scope, range, filters, zone, batchSize),
  };
}

export type UsageAggregates = ReturnType<typeof createUsageAggregates>;
