/**
 * The targets of issue 3, judged from one run's numbers. Ratios compare cells measured in the same
 * run on the same machine; a target whose inputs are missing (Portkey not installed, extras
 * skipped) is `n/a`, never a pass.
 */
import type { DbQueriesResult } from '../db-queries.js';
import type { IngestResult } from '../usage-ingest.js';
import { INGEST_TARGET_PER_SECOND } from '../usage-ingest.js';
import {
  AGGREGATE_PG_TARGET_P95_MS,
  AGGREGATE_TARGET_P95_MS,
  CSV_FIRST_BYTE_TARGET_MS,
  CSV_RSS_GROWTH_TARGET_MB,
  LOGS_PAGE_ROWS,
  LOGS_TARGET_P95_MS,
  type AggregateResult,
} from '../usage-aggregate.js';
import type { StreamMemoryResult } from '../stream-memory.js';
import { browserVerdicts } from '../usage-browser.js';
import { STREAM_RSS_TARGET_MB } from '../stream-memory.js';
import type { CellResult } from './measure.js';
import type { TargetName } from './targets.js';
import type { BodyKind } from './workload.js';
import { twinRoot } from './switchboard.js';

export type Status = 'PASS' | 'FAIL' | 'n/a';

export interface Verdict {
  target: string;
  status: Status;
  detail: string;
}

export interface Extras {
  dbQueries?: DbQueriesResult | undefined;
  streamMemory?: StreamMemoryResult | undefined;
  usageIngest?: IngestResult | undefined;
  usageAggregate?: AggregateResult | undefined;
}

export const TTFT_CONCURRENCY = 10;

export function findCell(cells: CellResult[], target: TargetName, kind: BodyKind, connections: number): CellResult | undefined {
  return cells.find((cell) => cell.target === target && cell.kind === kind && cell.connections === connections);
}

const times = (value: number) => `${value.toFixed(2)}×`;

/** Compare Switchboard with another target per body kind at one concurrency. */
function ratioVerdict(
  cells: CellResult[],
  options: { target: string; versus: TargetName; connections: number; ratio: (sb: CellResult, other: CellResult) => number; ok: (ratio: number) => boolean },
): Verdict {
  const parts: string[] = [];
  let status: Status = 'PASS';
  for (const kind of ['json', 'stream'] as const) {
    const sb = findCell(cells, 'switchboard', kind, options.connections);
    const other = findCell(cells, options.versus, kind, options.connections);
    if (!sb || !other) {
      status = 'n/a';
      parts.push(`${kind}: not measured`);
      continue;
    }
    const ratio = options.ratio(sb, other);
    if (!options.ok(ratio) && status !== 'n/a') status = 'FAIL';
    parts.push(`${kind} c=${options.connections}: ${times(ratio)}`);
  }
  return { target: options.target, status, detail: parts.join('; ') };
}

export function judge(cells: CellResult[], extras: Extras, concurrencies: number[]): Verdict[] {
  const high = Math.max(...concurrencies);
  const verdicts: Verdict[] = [
    ratioVerdict(cells, {
      target: `Switchboard req/s ≥ 0.85× bare (c=${high})`,
      versus: 'bare',
      connections: high,
      ratio: (sb, bare) => sb.requestsPerSecond / bare.requestsPerSecond,
      ok: (ratio) => ratio >= 0.85,
    }),
    ratioVerdict(cells, {
      target: `Switchboard CPU/request ≤ 1.5× bare (c=${high})`,
      versus: 'bare',
      connections: high,
      ratio: (sb, bare) => sb.cpuMicrosPerRequest / bare.cpuMicrosPerRequest,
      ok: (ratio) => ratio <= 1.5,
    }),
    ...concurrencies.map((connections) =>
      ratioVerdict(cells, {
        target: `Switchboard p99 ≤ 1.2× bare (c=${connections})`,
        versus: 'bare',
        connections,
        ratio: (sb, bare) => sb.latencyMs.p99 / bare.latencyMs.p99,
        ok: (ratio) => ratio <= 1.2,
      }),
    ),
    ttftVerdict(cells),
    ratioVerdict(cells, {
      target: `Switchboard req/s ≥ 4× Portkey (c=${high})`,
      versus: 'portkey',
      connections: high,
      ratio: (sb, portkey) => sb.requestsPerSecond / portkey.requestsPerSecond,
      ok: (ratio) => ratio >= 4,
    }),
    metricsCostVerdict(cells, high),
    dbQueriesVerdict(extras.dbQueries),
    streamMemoryVerdict(extras.streamMemory),
    ingestVerdict(extras.usageIngest),
    ...usageAggregateVerdicts(extras.usageAggregate),
  ];
  const failing = cells.filter((cell) => cell.errors > 0 || cell.non2xx > 0);
  verdicts.push({
    target: 'every request succeeded',
    status: cells.length === 0 ? 'n/a' : failing.length === 0 ? 'PASS' : 'FAIL',
    detail:
      failing.length === 0
        ? `${cells.reduce((sum, cell) => sum + cell.completed, 0).toLocaleString('en-US')} measured requests, all 2xx`
        : failing.map((cell) => `${cell.label} ${cell.kind} c=${cell.connections}: ${cell.non2xx} non-2xx, ${cell.errors} errors`).join('; '),
  });
  return verdicts;
}

/** OPS.md check 21: metrics on (and the tracing API, no exporter) cost ≤ 5 % CPU per request. */
function metricsCostVerdict(cells: CellResult[], connections: number): Verdict {
  const target = `CPU/request with metrics on ≤ 1.05× metrics off (c=${connections})`;
  const parts: string[] = [];
  let status: Status = 'PASS';
  for (const kind of ['json', 'stream'] as const) {
    const on = findCell(cells, 'switchboard', kind, connections);
    const off = findCell(cells, 'switchboard-nometrics', kind, connections);
    if (!on || !off) return { target, status: 'n/a', detail: 'not measured (add switchboard-nometrics to --targets)' };
    if (twinRoot()) return { target, status: 'n/a', detail: 'A/B run: the twin is another build (BENCH_TWIN_ROOT), metrics on' };
    const ratio = on.cpuMicrosPerRequest / off.cpuMicrosPerRequest;
    if (ratio > 1.05) status = 'FAIL';
    parts.push(`${kind}: ${Math.round(on.cpuMicrosPerRequest)} vs ${Math.round(off.cpuMicrosPerRequest)} µs (${times(ratio)})`);
  }
  return { target, status, detail: parts.join('; ') };
}

function ttftVerdict(cells: CellResult[]): Verdict {
  const target = `stream TTFT overhead ≤ 1 ms vs bare (c=${TTFT_CONCURRENCY}, p50)`;
  const sb = findCell(cells, 'switchboard', 'stream', TTFT_CONCURRENCY)?.ttftMs;
  const bare = findCell(cells, 'bare', 'stream', TTFT_CONCURRENCY)?.ttftMs;
  if (!sb || !bare) return { target, status: 'n/a', detail: 'not measured' };
  const overhead = sb.p50 - bare.p50;
  return {
    target,
    status: overhead <= 1 ? 'PASS' : 'FAIL',
    detail: `+${overhead.toFixed(2)} ms (Switchboard ${sb.p50.toFixed(2)} ms, bare ${bare.p50.toFixed(2)} ms; p99 ${sb.p99.toFixed(2)} vs ${bare.p99.toFixed(2)} ms)`,
  };
}

function dbQueriesVerdict(result: DbQueriesResult | undefined): Verdict {
  const target = '0 database queries per AI request (steady state)';
  if (!result) return { target, status: 'n/a', detail: 'skipped' };
  if (!result.metricPresent) return { target, status: 'FAIL', detail: 'GET /metrics has no switchboard_db_queries_total{pool="app"}' };
  return {
    target,
    status: result.pass ? 'PASS' : 'FAIL',
    detail: `${result.appQueries} app-pool queries over ${result.requests.toLocaleString('en-US')} requests (${result.appPerRequest.toFixed(4)}/request); usage pool ${result.usagePerRequest.toFixed(4)}/request`,
  };
}

function streamMemoryVerdict(result: StreamMemoryResult | undefined): Verdict {
  const target = `RSS ≤ ${STREAM_RSS_TARGET_MB} MB with ${result?.streams ?? 1000} concurrent streams`;
  if (!result) return { target, status: 'n/a', detail: 'skipped' };
  const open = result.peakOpenAtClient < result.streams ? `, but only ${result.peakOpenAtClient} were open at once (upstream: ${result.peakOpenAtUpstream})` : '';
  return {
    target,
    status: result.pass ? 'PASS' : 'FAIL',
    detail: `peak ${result.peakRssMb.toFixed(1)} MB (idle before: ${result.baselineRssMb.toFixed(1)} MB); ${result.completed}/${result.streams} completed${open}`,
  };
}

function ingestVerdict(result: IngestResult | undefined): Verdict {
  const target = `usage ingest ≥ ${INGEST_TARGET_PER_SECOND.toLocaleString('en-US')} records/s`;
  if (!result) return { target, status: 'n/a', detail: 'skipped' };
  return {
    target,
    status: result.pass ? 'PASS' : 'FAIL',
    detail: result.runs
      .map((run) => `${Math.round(run.recordsPerSecond).toLocaleString('en-US')}/s with ${run.flushers} flusher${run.flushers === 1 ? '' : 's'}`)
      .join('; '),
  };
}

/** One verdict as a line of text (the extra checks run on their own print these). */
export const formatVerdict = (verdict: Verdict) => `${verdict.status.padEnd(4)}  ${verdict.target}: ${verdict.detail}`;

/** 1000000 → 1M, 800000 → 800k (target names read as WEBAPP.md writes them). */
const short = (count: number) => (count >= 1_000_000 ? `${+(count / 1_000_000).toFixed(1)}M` : count >= 1_000 ? `${Math.round(count / 1_000)}k` : String(count));

/** WEBAPP.md §6.7's server-side targets and its browser rows, all from the one seeded run of usage-aggregate.ts. */
export function usageAggregateVerdicts(result: AggregateResult | undefined): Verdict[] {
  const rows = result ? short(result.rows) : '1M';
  const aggregate = `usage aggregate p95 ≤ ${AGGREGATE_TARGET_P95_MS} ms (group_by=day,model, ${result ? short(result.ownerRows) : '800k'} of ${rows} rows, embedded database)`;
  const external = `usage aggregate p95 ≤ ${AGGREGATE_PG_TARGET_P95_MS} ms on PostgreSQL 15 (same query and rows)`;
  const logs = `Logs first page (${LOGS_PAGE_ROWS} rows, keyset) at ${rows} rows: server p95 ≤ ${LOGS_TARGET_P95_MS} ms`;
  const csv = `CSV export of the owner's rows: first byte ≤ ${CSV_FIRST_BYTE_TARGET_MS / 1000} s; RSS growth ≤ ${CSV_RSS_GROWTH_TARGET_MB} MB; all rows present`;
  if (!result) return [...[aggregate, external, logs, csv].map((target): Verdict => ({ target, status: 'n/a', detail: 'skipped' })), ...browserVerdicts(1_000_000, undefined)];
  const timing = result.timings[0]!;
  const judgedLogs = result.logs.timings.slice(0, result.logs.judged);
  const c = result.csv;
  return [
    {
      target: aggregate,
      status: result.pass ? 'PASS' : 'FAIL',
      detail: `p95 ${timing.p95Ms.toFixed(1)} ms, p50 ${timing.p50Ms.toFixed(1)} ms; rollup ${result.ownerRollupRows.toLocaleString('en-US')} of the owner's rows`,
    },
    'skipped' in result.external
      ? { target: external, status: 'n/a', detail: result.external.skipped }
      : {
          target: external,
          status: result.external.pass ? 'PASS' : 'FAIL',
          detail: `PostgreSQL ${result.external.serverVersion}: p95 ${result.external.timing.p95Ms.toFixed(1)} ms, p50 ${result.external.timing.p50Ms.toFixed(1)} ms`,
        },
    {
      target: logs,
      status: result.logs.pass ? 'PASS' : 'FAIL',
      detail: judgedLogs.map((t) => `${t.query}: p95 ${t.p95Ms.toFixed(1)} ms, p50 ${t.p50Ms.toFixed(1)} ms`).join('; '),
    },
    {
      target: csv,
      status: c.pass ? 'PASS' : 'FAIL',
      detail:
        `first byte ${c.firstByteMs.toFixed(0)} ms (first data row ${c.firstRowMs.toFixed(0)} ms); ${c.dataRows.toLocaleString('en-US')} of ${c.expectedRows.toLocaleString('en-US')} rows in ${c.totalSeconds.toFixed(1)} s; ` +
        `RSS +${c.growthMb.toFixed(1)} MB (the server's process; the client is another${c.gcBeforeBaseline ? ', GC before the baseline' : ''})`,
    },
    ...browserVerdicts(result.rows, result.browser),
  ];
}
