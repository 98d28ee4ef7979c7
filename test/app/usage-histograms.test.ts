/**
 * The rollup's packed histograms (src/metering/usage-rollup.ts, decision 0035) on real PostgreSQL:
 * migration 0008 converts the int[] histograms of an existing rollup in place, the usage writer's
 * upsert adds packed histograms cell by cell, and the aggregate's percentiles come out of them.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { histogramCell, HISTOGRAM_CELLS, packHistogram, unpackHistogram } from '../../src/metering/usage-rollup.js';
import { migrationsUpTo } from '../../src/ops/restore.js';
import { runMigrations } from '../../src/store/migrate.js';
import { createEmptyDatabase, queryRows, type TestDatabase } from '../helpers/test-database.js';
import { startTestServer } from '../helpers/test-server.js';
import { usageRecord } from '../helpers/usage-record.js';

const databases: TestDatabase[] = [];

afterAll(async () => {
  for (const database of databases) await database.drop();
});

describe('packed histograms', () => {
  it('pack and unpack are inverses, up to counts near 10^15 and in the open last cell', () => {
    const counts = Array.from({ length: HISTOGRAM_CELLS }, (_, cell) => (cell % 3 === 0 ? 0 : cell * 1_000_003));
    counts[1] = 999_999_999_999_999;
    counts[HISTOGRAM_CELLS - 1] = 123_456_789_012_345;
    expect(unpackHistogram(packHistogram(counts))).toEqual(counts);
    expect(unpackHistogram('0')).toEqual(new Array(HISTOGRAM_CELLS).fill(0));
    expect(unpackHistogram('7.000')).toEqual([7, ...new Array(HISTOGRAM_CELLS - 1).fill(0)]);
  });

  it('migration 0008 converts existing int[] histograms to the packed numeric', async () => {
    const database = await createEmptyDatabase();
    databases.push(database);
    const before = migrationsUpTo(8);
    try {
      expect((await runMigrations(database.url, before)).total).toBe(8);
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
    const latency = Array.from({ length: HISTOGRAM_CELLS }, (_, cell) => (cell * 7) % 5);
    const ttft = Array.from({ length: HISTOGRAM_CELLS }, (_, cell) => (cell === 4 ? 2_000_000_000 : 0));
    await queryRows(
      database.url,
      `insert into usage_hourly (user_id, bucket_start, service, model, status_class, fallback, requests, errors, input_tokens,
         output_tokens, cost_micros, unpriced_requests, estimated_requests, latency_sum_ms, latency_hist, ttft_hist)
       values ('u1', '2026-11-01T00:00:00Z', 'openai', 'gpt-4o-mini', '2xx', false, 1, 0, 0, 0, 0, 0, 0, 0, $1, $2),
              ('u2', '2026-11-01T00:00:00Z', 'openai', 'gpt-4o-mini', '2xx', false, 1, 0, 0, 0, 0, 0, 0, 0, '{}', '{}')`,
      [latency, ttft],
    );
    expect((await runMigrations(database.url)).applied).toBeGreaterThanOrEqual(1);
    const rows = await queryRows<{ user_id: string; latency_hist: string; ttft_hist: string }>(
      database.url,
      'select user_id, latency_hist, ttft_hist from usage_hourly order by user_id',
    );
    expect(rows.map((row) => [unpackHistogram(row.latency_hist), unpackHistogram(row.ttft_hist)])).toEqual([
      [latency, ttft],
      [new Array(HISTOGRAM_CELLS).fill(0), new Array(HISTOGRAM_CELLS).fill(0)],
    ]);
  });

  it('the usage writer adds histograms cell by cell, and the aggregate reads percentiles from them', async () => {
    const server = await startTestServer();
    try {
      const user = await server.signIn();
      const at = new Date('2026-11-03T10:05:00Z');
      const latencies = [5, 12, 12, 120, 130, 900, 4_500, 700_000];
      const { recorder } = server.running.services;
      // Two batches into the same rollup row: the second adds to what the first wrote.
      for (const [index, latencyMs] of latencies.entries()) {
        recorder.record(usageRecord(user.userId, { createdAt: at, latencyMs, ttftMs: index % 2 === 0 ? 40 : null }));
        if (index === 3) expect(await recorder.flush()).toBe(true);
      }
      expect(await recorder.flush()).toBe(true);

      const [row] = await queryRows<{ latency_hist: string; ttft_hist: string; requests: number }>(
        server.database.url,
        'select latency_hist, ttft_hist, requests from usage_hourly where user_id = $1',
        [user.userId],
      );
      const expected = new Array<number>(HISTOGRAM_CELLS).fill(0);
      for (const latency of latencies) expected[histogramCell(latency)]! += 1;
      expect(row!.requests).toBe(latencies.length);
      expect(unpackHistogram(row!.latency_hist)).toEqual(expected);
      expect(unpackHistogram(row!.ttft_hist)[histogramCell(40)]).toBe(4);

      const response = await server.api('/api/usage?group_by=day&from=2026-11-03&to=2026-11-04&tz=UTC', { token: user.token });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { totals: { requests: number; latency_p50_ms: number; latency_p99_ms: number; ttft_p50_ms: number } };
      expect(body.totals.requests).toBe(latencies.length);
      // Ranks 4 of 8 (p50) fall in the 100–160 ms cell; p99 in the open last cell (630 s and more).
      expect(body.totals.latency_p50_ms).toBeGreaterThanOrEqual(100);
      expect(body.totals.latency_p50_ms).toBeLessThanOrEqual(160);
      expect(body.totals.latency_p99_ms).toBe(630_000);
      expect(body.totals.ttft_p50_ms).toBeGreaterThanOrEqual(40);
      expect(body.totals.ttft_p50_ms).toBeLessThanOrEqual(63);
    } finally {
      await server.close();
    }
  });
});
