/**
 * Usage rows for the dashboard journeys, planted behind the API the way bench/usage-aggregate.ts
 * does: raw rows with generate_series (a staging table, so several seeds can share one database),
 * then the rollup with the very SQL the migration's backfill runs. Spread over the last 29 days,
 * with unpriced and estimated rows, errors from each source, fallbacks and streamed rows.
 */
import pg from 'pg';
import { rollupUpsertSql } from '../../src/metering/usage-rollup.js';

export interface SeedSpec {
  userId: string;
  rows: number;
  /** Models cycled through by row number. */
  models?: string[];
  /** A tag that keeps ids and request ids unique across seeds. */
  tag: string;
}

export async function seedUsage(databaseUrl: string, spec: SeedSpec): Promise<void> {
  const models = spec.models ?? ['gpt-4o-mini', 'gpt-4o', 'claude-3-5-haiku', 'claude-sonnet-4', 'mistral-small', 'llama-3.1-8b'];
  const staging = `seed_${spec.tag.replace(/\W/g, '')}`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`create table ${staging} (like usage_records including defaults)`);
    await client.query(
      `insert into ${staging} (id, request_id, user_id, team_id, key_id, integration_id, service, model, operation, stream,
         input_tokens, output_tokens, cost_micros, priced, estimated, status, error_code, error_source, fallback, latency_ms, ttft_ms, created_at)
       select $2 || lpad(g::text, 20, '0'), 'req_' || $2 || g, $1, null, null, null,
         case when m % 2 = 0 then 'openai' else 'anthropic' end, ($3::text[])[(m + 1)::int], 'chat', g % 3 = 0,
         50 + g % 4000, 20 + g % 800,
         case when unpriced or status >= 400 then null else 100 + g % 9000 end, not unpriced, g % 53 = 0,
         status, case when status >= 400 then 'e' || status end,
         case when status >= 500 then (array['provider', 'platform'])[(1 + g % 2)::int] when status >= 400 then 'user' end,
         g % 97 = 0, 80 + (g * 7919) % 6000, case when g % 3 = 0 then 60 + g % 900 end,
         now() - interval '5 minutes' - (g % 1000) / 1000.0 * interval '29 days'
       from (select g, (g * 2654435761) % $4 as m, g % 41 = 0 as unpriced,
               case when g % 50 = 0 then 429 when g % 67 = 0 then 503 when g % 71 = 0 then 500 else 200 end as status
             from generate_series(1::bigint, $5::bigint) g) s`,
      [spec.userId, spec.tag, models, models.length, spec.rows],
    );
    await client.query(`insert into usage_records select * from ${staging}`);
    await client.query(rollupUpsertSql(staging));
    await client.query(`drop table ${staging}`);
    await client.query('analyze usage_records; analyze usage_hourly');
  } finally {
    await client.end();
  }
}
