/**
 * Bench settings from flags (`npm run bench -- --quick`) or BENCH_* environment variables; flags
 * win. `--quick` is a smoke run of about a minute: short windows, one repetition, small extras,
 * results written to results/quick.* so they never replace the committed latest.*.
 */
import { parseArgs } from 'node:util';
import type { Pacing } from '../mock-upstream.js';
import type { TargetName } from './targets.js';
import type { BodyKind } from './workload.js';

export type PortkeyMode = 'auto' | 'install' | 'off';

export interface BenchOptions {
  quick: boolean;
  warmupSeconds: number;
  durationSeconds: number;
  repetitions: number;
  ttftSeconds: number;
  concurrencies: number[];
  /** Body kinds to measure (default both). */
  kinds: BodyKind[];
  targets: TargetName[];
  portkey: PortkeyMode;
  mock: { delayMs: number; chunks: number; pacing: Pacing };
  extras: boolean;
  dbQueriesSeconds: number;
  ingest: { rows: number; batchSize: number; flushers: number };
  streams: { count: number; chunks: number; intervalMs: number };
  cpuProfile: boolean;
  keepFiles: boolean;
  /** Switchboard's Prometheus metrics (SWITCHBOARD_METRICS); off is the baseline of OPS.md check 21. */
  metrics: boolean;
  /** Base name of the result files in bench/results. */
  resultsName: string;
}

export const HELP = `npm run bench [-- options]

  --quick                 smoke run (~1 min): 1 × 2 s per cell, small extras; writes results/quick.*
  --duration=S            seconds per measured repetition (BENCH_DURATION, default 5)
  --reps=N                interleaved rounds per cell; the median is reported (BENCH_REPS, default 5)
  --warmup=S              warm-up seconds before each cell (BENCH_WARMUP, default 2)
  --ttft-seconds=S        time-to-first-token window at concurrency 10 (BENCH_TTFT_SECONDS, default 5)
  --concurrency=10,100    autocannon connections (BENCH_CONCURRENCY)
  --kinds=json,stream     which bodies to measure (BENCH_KINDS; a profiling aid: verdicts need both)
  --targets=bare,switchboard,switchboard-nometrics,portkey   which gateways to measure (BENCH_TARGETS)
  --portkey               install Portkey's gateway on demand (BENCH_PORTKEY=install)
  --no-portkey            skip Portkey even when installed (BENCH_PORTKEY=off)
  --delay-ms=MS           mock upstream delay (BENCH_DELAY_MS, default 50)
  --chunks=N              SSE content chunks per stream (BENCH_CHUNKS, default 20)
  --pacing=paced|burst    how the mock spreads SSE chunks (BENCH_PACING, default paced)
  --no-extras             skip the db-queries, stream-memory and usage-ingest checks
  --ingest-rows=N         usage rows to insert (BENCH_INGEST_ROWS, default 200000)
  --streams=N             concurrent streams for the memory check (BENCH_STREAMS, default 1000)
                          BENCH_PG_URL (else SWITCHBOARD_TEST_DATABASE_URL): a PostgreSQL 15 on which usage-aggregate
                          also runs, in a database it creates and drops (the role needs CREATEDB); n/a without
  --metrics=on|off        Switchboard's Prometheus metrics (BENCH_METRICS, default on; tracing API present, no exporter).
                          Compare CPU µs/req of two runs: on must be within +5 % of off (docs/ops.md)
  --cpu-prof              write V8 CPU profiles of Switchboard to bench/profiles/ (the bare proxy's to bench/profiles/bare/)
                          BENCH_TWIN_ROOT=DIR (a built checkout): an A/B run — switchboard-nometrics runs DIR's build with
                          metrics on, interleaved with this one (e.g. --targets=switchboard,switchboard-nometrics)
  --keep-files            keep the temp data directory and gateway logs
  --help`;

function numberList(value: string): number[] {
  return value
    .split(',')
    .map((item) => Number(item.trim()))
    .filter((item) => Number.isFinite(item) && item > 0);
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      duration: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      'ttft-seconds': { type: 'string' },
      concurrency: { type: 'string' },
      targets: { type: 'string' },
      kinds: { type: 'string' },
      portkey: { type: 'boolean' },
      'no-portkey': { type: 'boolean' },
      'delay-ms': { type: 'string' },
      chunks: { type: 'string' },
      pacing: { type: 'string' },
      'no-extras': { type: 'boolean' },
      'ingest-rows': { type: 'string' },
      streams: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'keep-files': { type: 'boolean' },
      metrics: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick === true || env.BENCH_QUICK === '1';
  const pick = (flag: string | undefined, name: string, full: number, smoke: number) => {
    const raw = flag ?? env[name];
    const parsed = raw === undefined ? Number.NaN : Number(raw);
    return Number.isFinite(parsed) && parsed > 0 ? parsed : quick ? smoke : full;
  };
  const portkey: PortkeyMode = values['no-portkey'] ? 'off' : values.portkey ? 'install' : ((env.BENCH_PORTKEY as PortkeyMode | undefined) ?? 'auto');
  const targets = (values.targets ?? env.BENCH_TARGETS ?? 'bare,switchboard,switchboard-nometrics,portkey')
    .split(',')
    .map((item) => item.trim())
    .filter((item): item is TargetName => item === 'bare' || item === 'switchboard' || item === 'switchboard-nometrics' || item === 'portkey');
  const pacing = (values.pacing ?? env.BENCH_PACING) === 'burst' ? 'burst' : 'paced';

  return {
    quick,
    warmupSeconds: pick(values.warmup, 'BENCH_WARMUP', 2, 1),
    durationSeconds: pick(values.duration, 'BENCH_DURATION', 5, 2),
    repetitions: Math.round(pick(values.reps, 'BENCH_REPS', 5, 1)),
    ttftSeconds: pick(values['ttft-seconds'], 'BENCH_TTFT_SECONDS', 5, 2),
    concurrencies: numberList(values.concurrency ?? env.BENCH_CONCURRENCY ?? '10,100'),
    kinds: (values.kinds ?? env.BENCH_KINDS ?? 'json,stream')
      .split(',')
      .map((item) => item.trim())
      .filter((item): item is BodyKind => item === 'json' || item === 'stream'),
    targets,
    portkey,
    mock: { delayMs: pick(values['delay-ms'], 'BENCH_DELAY_MS', 50, 50), chunks: Math.round(pick(values.chunks, 'BENCH_CHUNKS', 20, 20)), pacing },
    extras: values['no-extras'] !== true,
    dbQueriesSeconds: quick ? 2 : 5,
    ingest: { rows: Math.round(pick(values['ingest-rows'], 'BENCH_INGEST_ROWS', 200_000, 20_000)), batchSize: 500, flushers: 4 },
    // Slow streams: one chunk every 500 ms for ~10 s (quick: every 50 ms for ~1 s).
    streams: { count: Math.round(pick(values.streams, 'BENCH_STREAMS', 1000, 1000)), chunks: 20, intervalMs: quick ? 50 : 500 },
    cpuProfile: values['cpu-prof'] === true,
    keepFiles: values['keep-files'] === true,
    metrics: (values.metrics ?? env.BENCH_METRICS ?? 'on') !== 'off',
    resultsName: quick ? 'quick' : 'latest',
  };
}

/** The external PostgreSQL usage-aggregate also measures on, if any (never printed or saved: it may hold a password). */
export const externalPostgresUrl = (env: NodeJS.ProcessEnv = process.env): string | undefined => env.BENCH_PG_URL || env.SWITCHBOARD_TEST_DATABASE_URL || undefined;

/** Rough wall-clock estimate, printed up front and used for the hard time limit. */
export function estimateSeconds(options: BenchOptions, targetCount: number): number {
  const cell = options.warmupSeconds + options.repetitions * (options.durationSeconds + 0.5) + 1;
  const perTarget = options.kinds.length * options.concurrencies.length * cell + options.ttftSeconds + 3;
  const startup = 15;
  const streamSeconds = (options.streams.chunks * options.streams.intervalMs) / 1000;
  // Ingest runs twice (1 flusher, then several); allow ~6,000 rows/s each.
  const extras = options.extras ? 2 * options.dbQueriesSeconds + 4 + (streamSeconds * 4 + 10) + (2 * options.ingest.rows) / 6_000 + 10 + 130 + 90 + (externalPostgresUrl() ? 100 : 0) : 0; // + usage-aggregate (1M rows, CSV export, the browser rows; again on PostgreSQL 15)
  return Math.ceil(targetCount * perTarget + startup + options.ttftSeconds + extras);
}
