/**
 * The request log (issue 7, the Logs page): keyset pages of raw usage rows with every filter the
 * aggregates take plus `fallback` and a request id, the names the table shows (platform key name,
 * integration name and last 4) joined in the same statement (no per-row requests), one record's
 * details, and the filter options (facets) drawn from the caller's own keys, integrations and the
 * models seen in their rollup.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbExecutor } from '../store/db.js';
import type { UsageAttempt } from '../store/schema.js';
import { rawWhere, type UsageFilters, type UsageRange, type UsageScope } from './usage-aggregates.js';

export interface LogFilters extends UsageFilters {
  /** A record id or the request's x-request-id (exact). */
  requestId?: string | undefined;
}

/** A log row as read: the record's columns (snake_case) plus the joined names. */
export type LogRow = {
  id: string;
  request_id: string;
  service: string;
  model: string;
  requested_model: string | null;
  operation: string;
  stream: boolean;
  integration_id: string | null;
  key_id: string | null;
  team_id: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  image_count: number | null;
  video_seconds: number | null;
  cost_micros: string | number | null;
  priced: boolean;
  catalog_version: string | null;
  estimated: boolean;
  status: number;
  error_code: string | null;
  error_source: 'user' | 'platform' | 'provider' | null;
  fallback: boolean;
  latency_ms: number;
  ttft_ms: number | null;
  created_at: Date | string;
  key_name: string | null;
  key_last4: string | null;
  integration_name: string | null;
  integration_last4: string | null;
  attempts?: UsageAttempt[] | null;
};

const LOG_COLUMNS = sql.raw(`r.id, r.request_id, r.service, r.model, r.requested_model, r.operation, r.stream, r.integration_id,
  r.key_id, r.team_id, r.input_tokens, r.output_tokens, r.cached_input_tokens, r.image_count, r.video_seconds, r.cost_micros,
  r.priced, r.catalog_version, r.estimated, r.status, r.error_code, r.error_source, r.fallback, r.latency_ms, r.ttft_ms,
  r.created_at, k.name as key_name, k.key_last4, i.name as integration_name, i.key_last4 as integration_last4`);
const LOG_JOINS = sql.raw('left join platform_keys k on k.id = r.key_id left join integrations i on i.id = r.integration_id');

/** Unbounded range: the log pages through everything unless from/to narrow it. */
const ALL_TIME: UsageRange = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('9999-01-01T00:00:00Z') };

function scopeOfRow(scope: UsageScope): SQL {
  if (scope.kind === 'user') return sql`r.user_id = ${scope.userId}`;
  if (scope.kind === 'team') return sql`r.team_id = ${scope.teamId}`;
  return sql`true`;
}

export function createUsageLog(db: DbExecutor) {
  return {
    /** Newest first, keyset by id (`before` is the last id of the previous page). */
    async list(scope: UsageScope, range: UsageRange | undefined, filters: LogFilters, page: { limit: number; before?: string | undefined }): Promise<LogRow[]> {
      // rawWhere's columns are unqualified: it runs on a subquery of usage_records alone, joined after.
      const result = await db.execute<LogRow>(sql`
        select ${LOG_COLUMNS}
        from (
          select * from usage_records
          where ${rawWhere(scope, range ?? ALL_TIME, filters)}
            ${filters.requestId ? sql`and (id = ${filters.requestId} or request_id = ${filters.requestId})` : sql``}
            ${page.before ? sql`and id < ${page.before}` : sql``}
          order by id desc
          limit ${page.limit}
        ) r
        ${LOG_JOINS}
        order by r.id desc`);
      return result.rows;
    },

    /**
     * One record by id or request id, if the caller may see it: their own, or a team's they are a
     * member of (a team key sees its team's only). Undefined otherwise.
     */
    async get(caller: { userId: string; teamId?: string | undefined }, id: string): Promise<LogRow | undefined> {
      const visible = caller.teamId
        ? sql`r.team_id = ${caller.teamId}`
        : sql`(r.user_id = ${caller.userId} or r.team_id in (select team_id from memberships where user_id = ${caller.userId}))`;
      const result = await db.execute<LogRow>(sql`
        select ${LOG_COLUMNS}, r.attempts
        from usage_records r ${LOG_JOINS}
        where (r.id = ${id} or r.request_id = ${id}) and ${visible}
        limit 1`);
      return result.rows[0];
    },

    /** Names of integrations an attempt went through (one statement for all of them). */
    async integrationNames(ids: string[]): Promise<Map<string, string>> {
      const result = await db.execute<{ id: string; name: string }>(sql`select id, name from integrations where id = any(${sql.param(ids)}::text[])`);
      return new Map(result.rows.map((row) => [row.id, row.name]));
    },

    /** Filter options: the scope's keys and integrations (names, last 4) and the models and services seen. */
    async facets(scope: UsageScope) {
      const owner = scope.kind === 'team' ? sql`team_id = ${scope.teamId}` : scope.kind === 'user' ? sql`user_id = ${scope.userId}` : sql`true`;
      const integrationOwner =
        scope.kind === 'team'
          ? sql`owner_team_id = ${scope.teamId}`
          : scope.kind === 'user'
            ? sql`(owner_user_id = ${scope.userId} or owner_team_id in (select team_id from memberships where user_id = ${scope.userId}))`
            : sql`true`;
      const keyOwner = scope.kind === 'user' ? sql`user_id = ${scope.userId} and team_id is null` : owner;
      const [models, keys, integrations] = await Promise.all([
        db.execute<{ service: string; model: string }>(sql`
          select service, model from usage_hourly where ${owner} group by service, model order by model limit 500`),
        db.execute<{ id: string; name: string; key_last4: string }>(sql`
          select id, name, key_last4 from platform_keys where ${keyOwner} order by name, id limit 500`),
        db.execute<{ id: string; name: string; service: string; key_last4: string }>(sql`
          select id, name, service, key_last4 from integrations where ${integrationOwner} order by name, id limit 500`),
      ]);
      const services = new Set<string>([...models.rows.map((row) => row.service), ...integrations.rows.map((row) => row.service)]);
      return {
        models: [...new Set(models.rows.map((row) => row.model))],
        services: [...services].sort(),
        keys: keys.rows,
        integrations: integrations.rows,
      };
    },
  };
}

export type UsageLog = ReturnType<typeof createUsageLog>;
