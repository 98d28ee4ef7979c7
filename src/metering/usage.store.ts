import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { DbExecutor } from '../store/db.js';
import { usageRecords } from '../store/schema.js';
import { rollupUpsertSql } from './usage-rollup.js';

const ROLLUP_FROM_INSERTED = rollupUpsertSql('inserted');

export type UsageRecordRow = typeof usageRecords.$inferSelect;
export type NewUsageRecord = typeof usageRecords.$inferInsert;

export interface UsageFilter {
  service?: string | undefined;
  model?: string | undefined;
  keyId?: string | undefined;
}

/**
 * The escapes JSON.stringify writes that PostgreSQL cannot turn into text: `\u0000` and a lone
 * surrogate half (a pair is written as the character itself). Each becomes U+FFFD. A client's
 * `model` reaches its usage record as its JSON said, and one such record must not fail its whole
 * batch, again at every replay from the spool. An escape is one only after an even run of
 * backslashes (`\\u0000` is a backslash, then text).
 */
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/** One record's JSON with the escapes PostgreSQL cannot store replaced (see UNSTORABLE_ESCAPE). */
export function storableJson(json: string): string {
  return json.includes('\\u') ? json.replace(UNSTORABLE_ESCAPE, '$1\\ufffd') : json;
}

/**
 * One statement, one parameter: the records' JSON objects joined with commas (the brackets that
 * make them an array are added in SQL, so the joined text is sent as it is), expanded by
 * `json_to_recordset` with columns named as NewUsageRecord's keys. Against one array parameter
 * per column (`unnest`, whose arrays node-postgres escapes element by element in JavaScript):
 * decision 0039. The rollup (usage-rollup.ts) is built from the rows this statement actually
 * inserted, in the same statement: a replayed record is neither stored nor counted twice.
 */
const insertSql = (joined: string) => sql`
    with inserted as (
    insert into usage_records (id, request_id, user_id, team_id, key_id, integration_id, service, model, operation,
      stream, input_tokens, output_tokens, cached_input_tokens, cost_micros, priced, estimated, status, error_code,
      error_source, fallback, latency_ms, ttft_ms, image_count, video_seconds, catalog_version, requested_model, attempts, created_at)
    select r."id", r."requestId", r."userId", r."teamId", r."keyId", r."integrationId", r."service", r."model", r."operation",
      coalesce(r."stream", false), r."inputTokens", r."outputTokens", r."cachedInputTokens", r."costMicros", r."priced",
      coalesce(r."estimated", false), r."status", r."errorCode", r."errorSource", coalesce(r."fallback", false), r."latencyMs",
      r."ttftMs", r."imageCount", r."videoSeconds", r."catalogVersion", r."requestedModel", r."attempts", coalesce(r."createdAt", now())
    from json_to_recordset(('[' || ${joined}::text || ']')::json) as r("id" text, "requestId" text, "userId" text, "teamId" text, "keyId" text,
      "integrationId" text, "service" text, "model" text, "operation" text, "stream" boolean, "inputTokens" integer,
      "outputTokens" integer, "cachedInputTokens" integer, "costMicros" bigint, "priced" boolean, "estimated" boolean,
      "status" integer, "errorCode" text, "errorSource" text, "fallback" boolean, "latencyMs" integer, "ttftMs" integer,
      "imageCount" integer, "videoSeconds" integer, "catalogVersion" text, "requestedModel" text, "attempts" jsonb,
      "createdAt" timestamptz)
    on conflict (request_id) do nothing
    returning *
    ), rolled as (${sql.raw(ROLLUP_FROM_INSERTED)})
    select count(*)::int as inserted from inserted`;

/**
 * The same statement as text (`$1` the joined lines), prepared once per connection under this
 * name: planning it anew was ~2 ms of a 500-row batch's ~23 (decision 0039).
 */
const PREPARED_INSERT = { name: 'switchboard_usage_insert', text: new PgDialect().sqlToQuery(insertSql('')).sql };

async function insertJsonLines(tx: DbExecutor, lines: readonly string[]): Promise<number> {
  const joined = lines.map(storableJson).join(',');
  // A Drizzle handle on a pool sends the prepared statement; a transaction, the statement as is.
  const pool = (tx as { $client?: unknown }).$client;
  const result =
    pool instanceof pg.Pool
      ? await pool.query<{ inserted: number }>({ ...PREPARED_INSERT, values: [joined] })
      : await tx.execute<{ inserted: number }>(insertSql(joined));
  return result.rows[0]?.inserted ?? 0;
}

export function createUsageStore(db: DbExecutor) {
  const insertLines = (lines: readonly string[], tx: DbExecutor = db): Promise<number> => (lines.length === 0 ? Promise.resolve(0) : insertJsonLines(tx, lines));
  return {
    /**
     * Idempotent by request id: a replayed batch inserts nothing twice. Returns rows inserted.
     * The same statement adds them to the usage_hourly rollup.
     */
    insertBatch(rows: NewUsageRecord[], tx: DbExecutor = db): Promise<number> {
      return insertLines(rows.map((row) => JSON.stringify(row)), tx);
    },

    /**
     * `insertBatch` for records already serialised, one JSON object per line (a Date as its ISO
     * string): the recorder's spool lines, sent without being parsed or encoded again.
     */
    insertLines,

    /** A user's own records (personal context), newest first, keyset-paginated by id. */
    async listForUser(
      userId: string,
      filter: UsageFilter,
      page: { limit: number; before?: string | undefined },
      tx: DbExecutor = db,
    ): Promise<UsageRecordRow[]> {
      return tx
        .select()
        .from(usageRecords)
        .where(
          and(
            eq(usageRecords.userId, userId),
            filter.service ? eq(usageRecords.service, filter.service) : undefined,
            filter.model ? eq(usageRecords.model, filter.model) : undefined,
            filter.keyId ? eq(usageRecords.keyId, filter.keyId) : undefined,
            page.before ? lt(usageRecords.id, page.before) : undefined,
          ),
        )
        .orderBy(desc(usageRecords.id))
        .limit(page.limit);
    },
  };
}

export type UsageStore = ReturnType<typeof createUsageStore>;
