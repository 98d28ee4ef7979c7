/**
 * Usage aggregation (WEBAPP.md §5.4, issue 7): p95 of `GET /api/usage?group_by=day,model` over 30
 * days for an owner with 800k of 1M usage rows, through the HTTP API of the real server on a fresh
 * embedded PostgreSQL. Seeding is set-up cost, not the ingest path: raw rows with generate_series,
 * then the rollup with the very SQL the migration's backfill runs (usage-rollup.ts).
 *
 *   npx tsx bench/usage-aggregate.ts [--rows 1000000] [--requests 40]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { PgDialect } from 'drizzle-orm/pg-core';
import { AGGREGATE_SETTINGS, aggregateStatement } from '../src/metering/usage-aggregates.js';
import { rollupUpsertSql } from '../src/metering/usage-rollup.js';
import { createLogger } from '../src/platform/logger.js';
import { openEmbeddedDatabase } from '../src/store/embedded-postgres.js';
import { startServer } from '../src/server.js';
import { installCleanupHooks, onCleanup, runCleanup } from './lib/cleanup.js';
import { isMain } from './lib/is-main.js';

export const AGGREGATE_TARGET_P95_MS = 300;

export interface AggregateSpec {
  rows: number;
  requests: number;
}

export interface AggregateTiming {
  query: string;
  p50Ms: number;
  p95Ms: number;
}

export interface AggregateResult {
  rows: number;
  ownerRows: number;
  rollupRows: number;
  ownerRollupRows: number;
  seedSeconds: number;
  rollupSeconds: number;
  timings: AggregateTiming[];
  pass: boolean;
}

const PASSWORD = 'bench horse battery staple';

/** Four of five rows are the owner's; the rest spread over 200 other users. Dimensions as a busy tenant has them. */
const seedSql = (rows: number) => `
  insert into usage_records (id, request_id, user_id, team_id, key_id, integration_id, service, model, operation, stream,
    input_tokens, output_tokens, cost_micros, priced, estimated, status, error_code, error_source, fallback, latency_ms, ttft_ms, created_at)
  select 'bench' || lpad(g::text, 21, '0'), 'req_bench_' || g,
    case when g % 5 <> 0 then $1 else 'bench-user-' || (g % 200) end,
    null, 'key-' || (g % 4), 'int-' || (m % 2), case when m % 2 = 0 then 'openai' else 'anthropic' end, 'model-' || m, 'chat',
    g % 3 = 0, 50 + g % 4000, 20 + g % 800, case when failed then null else 100 + g % 9000 end, true, false,
    case when failed then 429 else 200 end, case when failed then 'provider_rate_limited' end, case when failed then 'provider' end,
    g % 97 = 0, 80 + (g * 7919) % 6000, case when g % 3 = 0 then 60 + g % 900 end,
    now() - random() * interval '30 days'
  from (select g, (g * 2654435761) % 6 as m, g % 50 = 0 as failed from generate_series(1::bigint, ${rows}) g) s`;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

export async function measureUsageAggregate(spec: AggregateSpec): Promise<AggregateResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-aggregate-'));
  const pgDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-aggregate-pg-'));
  const removeDir = () => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
  };
  const unregisterDir = onCleanup('aggregate data dir', removeDir);
  const logger = createLogger({ level: 'warn' });
  const embedded = await openEmbeddedDatabase({ dataDir: pgDir, role: 'server', logger });
  const unregisterDb = onCleanup('aggregate database', () => embedded.stop());
  try {
    const config = loadConfig({
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: embedded.url,
      SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
      SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0',
      LOG_LEVEL: 'warn',
    });
    const running = await startServer(config, logger);
    const unregisterServer = onCleanup('aggregate server', () => running.shutdown('bench cleanup'));
    const client = new pg.Client({ connectionString: embedded.url });
    await client.connect();
    try {
      const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
      const owner = await running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
      let began = performance.now();
      await client.query(seedSql(spec.rows), [owner.id]);
      const seedSeconds = (performance.now() - began) / 1000;
      began = performance.now();
      await client.query(rollupUpsertSql('usage_records'));
      await client.query('analyze usage_records; analyze usage_hourly');
      const rollupSeconds = (performance.now() - began) / 1000;
      const count = async (text: string) => Number((await client.query<{ n: string }>(text, [owner.id])).rows[0]!.n);
      const ownerRows = await count('select count(*) n from usage_records where user_id = $1');
      const rollupRows = await count('select count(*) n from usage_hourly where $1::text is not null');
      const ownerRollupRows = await count('select count(*) n from usage_hourly where user_id = $1');

      const login = await fetch(`${running.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      const token = ((await login.json()) as { access_token: string }).access_token;
      const timeQuery = async (query: string): Promise<AggregateTiming> => {
        const times: number[] = [];
        for (let i = 0; i < spec.requests + 3; i++) {
          const start = performance.now();
          const response = await fetch(`${running.url}/api/usage?${query}`, { headers: { authorization: `Bearer ${token}` } });
          const body = (await response.json()) as { totals?: { requests: number } };
          if (response.status !== 200 || body.totals?.requests !== ownerRows) {
            throw new Error(`unexpected answer to ${query}: ${response.status}, ${body.totals?.requests} of ${ownerRows} requests`);
          }
          if (i >= 3) times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        return { query, p50Ms: quantile(times, 0.5), p95Ms: quantile(times, 0.95) };
      };
      const to = new Date(Math.ceil(Date.now() / 900_000) * 900_000 + 900_000).toISOString();
      const from = new Date(Date.parse(to) - 31 * 24 * 3600 * 1000).toISOString();
      const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
      if (process.env.BENCH_EXPLAIN) {
        const statement = new PgDialect().sqlToQuery(
          aggregateStatement({ scope: { kind: 'user', userId: owner.id }, filters: {}, zone: 'UTC', granularity: 'day', dimensions: ['model'], from: new Date(from), to: new Date(to) }),
        );
        for (const extra of ['', 'set local jit = on', "set local work_mem = '4MB'"]) {
          await client.query('begin');
          for (const setting of [...AGGREGATE_SETTINGS, extra].filter(Boolean)) await client.query(setting);
          const plan = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${statement.sql}`, statement.params);
          await client.query('rollback');
          process.stdout.write(`-- ${extra || 'as served'}\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}\n`);
        }
      }
      const timings = [
        await timeQuery(`group_by=day,model&${range}`),
        await timeQuery(`group_by=day,service&${range}&tz=Asia/Kolkata`),
        await timeQuery(`group_by=day,key&${range}`),
      ];
      return {
        rows: spec.rows,
        ownerRows,
        rollupRows,
        ownerRollupRows,
        seedSeconds,
        rollupSeconds,
        timings,
        pass: timings[0]!.p95Ms <= AGGREGATE_TARGET_P95_MS,
      };
    } finally {
      await client.end();
      await running.shutdown('bench finished');
      unregisterServer();
    }
  } finally {
    await embedded.stop();
    unregisterDb();
    removeDir();
    unregisterDir();
  }
}

export function describeUsageAggregate(result: AggregateResult): string {
  const lines = result.timings.map(
    (timing, index) =>
      `${index === 0 ? (result.pass ? 'PASS' : 'FAIL') : 'info'}  GET /api/usage?${timing.query.replace(/&from=.*?&to=[^&]*/, '')} (30 days): ` +
      `p50 ${timing.p50Ms.toFixed(1)} ms, p95 ${timing.p95Ms.toFixed(1)} ms${index === 0 ? `; target p95 ≤ ${AGGREGATE_TARGET_P95_MS} ms` : ''}`,
  );
  lines.push(
    `info  ${result.rows.toLocaleString('en-US')} usage rows (${result.ownerRows.toLocaleString('en-US')} the owner's) seeded in ${result.seedSeconds.toFixed(1)} s; ` +
      `rollup ${result.rollupRows.toLocaleString('en-US')} rows (${result.ownerRollupRows.toLocaleString('en-US')} the owner's) built in ${result.rollupSeconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '40' } } });
  installCleanupHooks();
  try {
    const result = await measureUsageAggregate({ rows: Number(values.rows), requests: Number(values.requests) });
    process.stdout.write(`${describeUsageAggregate(result)}\n`);
    process.exitCode = result.pass ? 0 : 1;
  } finally {
    await runCleanup();
  }
}
