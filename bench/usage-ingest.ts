/**
 * Usage ingest: records per second the usage pipeline writes into PostgreSQL, through the real
 * code (`createUsageStore(db).insertLines`, the recorder's write of its spool lines joined) on a fresh embedded PostgreSQL
 * with the real migrations. Rows look like the gateway's (see src/gateway/chat-completions.ts):
 * ULID ids, per-request ids, a few users, keys and models, token counts, costs, some errors.
 * Batches of 500 (SWITCHBOARD_USAGE_BATCH_SIZE's default) are written by one flusher (what one
 * server process does: its recorder flushes one batch at a time) and then by several concurrent
 * flushers (several server processes, or a recorder that overlaps flushes).
 *
 *   npx tsx bench/usage-ingest.ts [--rows 200000] [--flushers 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createUsageStore, type NewUsageRecord } from '../src/metering/usage.store.js';
import { createLogger } from '../src/platform/logger.js';
import { newId } from '../src/platform/ids.js';
import { connectDatabase } from '../src/store/db.js';
import { openEmbeddedDatabase } from '../src/store/embedded-postgres.js';
import { runMigrations } from '../src/store/migrate.js';
import { installCleanupHooks, onCleanup, runCleanup } from './lib/cleanup.js';
import { isMain } from './lib/is-main.js';

export const INGEST_TARGET_PER_SECOND = 20_000;

export interface IngestSpec {
  rows: number;
  batchSize: number;
  flushers: number;
}

export interface IngestRun {
  flushers: number;
  rows: number;
  inserted: number;
  seconds: number;
  recordsPerSecond: number;
}

export interface IngestResult {
  batchSize: number;
  runs: IngestRun[];
  pass: boolean;
}

const models: Array<[string, string, number, number]> = [
  ['openai', 'gpt-4o-mini', 150_000, 600_000],
  ['openai', 'gpt-4o', 2_500_000, 10_000_000],
  ['anthropic', 'claude-haiku-4-5', 1_000_000, 5_000_000],
  ['anthropic', 'claude-sonnet-4-5', 3_000_000, 15_000_000],
];

function realisticRows(count: number): NewUsageRecord[] {
  const users = Array.from({ length: 200 }, () => newId());
  const keys = Array.from({ length: 50 }, () => newId());
  const teams = Array.from({ length: 10 }, () => newId());
  const integrations = Array.from({ length: 200 }, () => newId());
  const rows: NewUsageRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const [service, model, inputPrice, outputPrice] = models[i % models.length]!;
    const failed = i % 50 === 0;
    const stream = i % 3 !== 0;
    const inputTokens = failed ? null : 50 + ((i * 7919) % 4000);
    const outputTokens = failed ? null : 20 + ((i * 104_729) % 800);
    const costMicros = inputTokens === null || outputTokens === null ? null : Math.round((inputTokens * inputPrice + outputTokens * outputPrice) / 1_000_000);
    rows.push({
      id: newId(),
      requestId: `req_${newId()}`,
      userId: users[i % users.length]!,
      teamId: i % 4 === 0 ? teams[i % teams.length]! : null,
      keyId: i % 2 === 0 ? keys[i % keys.length]! : null,
      integrationId: integrations[i % integrations.length]!,
      service,
      model,
      operation: 'chat',
      stream,
      inputTokens,
      outputTokens,
      cachedInputTokens: failed ? null : i % 5 === 0 ? 1024 : 0,
      costMicros,
      priced: true,
      estimated: false,
      status: failed ? 429 : 200,
      errorCode: failed ? 'provider_rate_limited' : null,
      errorSource: failed ? 'provider' : null,
      fallback: false,
      latencyMs: 300 + (i % 2500),
      ttftMs: stream && !failed ? 120 + (i % 400) : null,
    });
  }
  return rows;
}

async function ingest(store: ReturnType<typeof createUsageStore>, rows: NewUsageRecord[], batchSize: number, flushers: number): Promise<IngestRun> {
  // The recorder serialises each record when it is recorded (its spool line), not when it flushes.
  const lines = rows.map((row) => JSON.stringify({ ...row, createdAt: new Date() }));
  const batches: string[][] = [];
  for (let i = 0; i < lines.length; i += batchSize) batches.push(lines.slice(i, i + batchSize));
  let next = 0;
  let inserted = 0;
  const flusher = async () => {
    while (next < batches.length) {
      const batch = batches[next]!;
      next += 1;
      const written = await store.insertLines(batch);
      inserted += written;
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: flushers }, flusher));
  const seconds = (performance.now() - began) / 1000;
  return { flushers, rows: rows.length, inserted, seconds, recordsPerSecond: inserted / seconds };
}

export async function measureUsageIngest(spec: IngestSpec): Promise<IngestResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-ingest-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  const unregisterDir = onCleanup('ingest data dir', removeDir);
  const embedded = await openEmbeddedDatabase({ dataDir, role: 'server', logger: createLogger({ level: 'warn' }) });
  const unregisterDb = onCleanup('ingest database', () => embedded.stop());
  try {
    await runMigrations(embedded.url);
    const database = connectDatabase(embedded.url, { maxConnections: spec.flushers, applicationName: 'switchboard-bench-ingest' });
    try {
      const store = createUsageStore(database.db);
      const runs: IngestRun[] = [];
      for (const flushers of [...new Set([1, spec.flushers])]) {
        runs.push(await ingest(store, realisticRows(spec.rows), spec.batchSize, flushers));
      }
      const multi = runs[runs.length - 1]!;
      return { batchSize: spec.batchSize, runs, pass: runs.every((run) => run.inserted === run.rows) && multi.recordsPerSecond >= INGEST_TARGET_PER_SECOND };
    } finally {
      await database.close();
    }
  } finally {
    await embedded.stop();
    unregisterDb();
    removeDir();
    unregisterDir();
  }
}

export function describeUsageIngest(result: IngestResult): string {
  return result.runs
    .map((run, index) => {
      const verdict = index === result.runs.length - 1 ? (result.pass ? 'PASS' : 'FAIL') : 'info';
      return (
        `${verdict.padEnd(4)}  usage ingest, ${run.flushers} flusher${run.flushers === 1 ? '' : 's'}, batches of ${result.batchSize}: ` +
        `${Math.round(run.recordsPerSecond).toLocaleString('en-US')} records/s (${run.inserted.toLocaleString('en-US')} rows in ${run.seconds.toFixed(1)} s` +
        `${index === result.runs.length - 1 ? `; target ≥ ${INGEST_TARGET_PER_SECOND.toLocaleString('en-US')}` : ''})`
      );
    })
    .join('\n');
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, flushers: { type: 'string', default: '4' } } });
  installCleanupHooks();
  try {
    const result = await measureUsageIngest({ rows: Number(values.rows), batchSize: 500, flushers: Number(values.flushers) });
    process.stdout.write(`${describeUsageIngest(result)}\n`);
    process.exitCode = result.pass ? 0 : 1;
  } finally {
    await runCleanup();
  }
}
