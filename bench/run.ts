/**
 * `npm run bench`: a side-by-side benchmark on 127.0.0.1 (issue 3).
 *
 *   mock OpenAI upstream ─┬─ bare undici proxy      (the practical lower bound)
 *                         ├─ Switchboard            (full pipeline, built dist, embedded PostgreSQL)
 *                         └─ Portkey OSS gateway    (when installed, or with --portkey)
 *
 * The gateways all run on core 1 (one under load at a time) while the mock and the load generator
 * share core 0. For each body kind and concurrency every gateway is warmed up, then measured in
 * interleaved rounds (median of several repetitions); time to first token at concurrency 10, CPU
 * per request and peak RSS. Then the
 * extra checks (db queries per request, memory with 1,000 streams, usage ingest), one markdown
 * table, and bench/results/<latest|quick>.{md,json}. Every process started here is stopped on
 * exit, error, time-out or Ctrl-C. Exit code 1 when any target of the issue fails.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeDbQueries, measureDbQueries } from './db-queries.js';
import { buildChildScripts } from './lib/build-children.js';
import { installCleanupHooks, onCleanup, runCleanup } from './lib/cleanup.js';
import { machineInfo, otherBusyCores } from './lib/machine.js';
import { measureRow, type CellResult } from './lib/measure.js';
import { estimateSeconds, externalPostgresUrl, HELP, parseOptions, type BenchOptions } from './lib/options.js';
import { benchDir, resultsDir } from './lib/paths.js';
import { installPortkey, isPortkeyInstalled, PORTKEY_VERSION, startPortkey } from './lib/portkey.js';
import { allCores, pinThisProcess } from './lib/processes.js';
import { startSwitchboard, twinRoot, type SwitchboardTarget } from './lib/switchboard.js';
import { formatReport } from './lib/table.js';
import { BENCH_PROVIDER_KEY, checkTarget, startBare, startMock, type MockProcess, type Target, type TargetName } from './lib/targets.js';
import { measureTtft, type TtftResult } from './lib/ttft.js';
import { judge, TTFT_CONCURRENCY, type Extras } from './lib/verdicts.js';
import { chatRequestBody } from './lib/workload.js';
import { formatProfileSummary, summariseProfile } from './profile-summary.js';
import { describeStreamMemory, measureStreamMemory } from './stream-memory.js';
import { describeUsageIngest, measureUsageIngest } from './usage-ingest.js';
import { describeUsageAggregate, measureUsageAggregateApart } from './usage-aggregate.js';

const say = (line = '') => process.stdout.write(`${line}\n`);

interface Context {
  options: BenchOptions;
  scripts: ReturnType<typeof buildChildScripts>;
  core: (n: number) => number | undefined;
  workDir: string;
  mock: MockProcess;
  notes: string[];
}

function portkeyWanted(options: BenchOptions): boolean {
  return options.targets.includes('portkey') && options.portkey !== 'off' && (options.portkey === 'install' || isPortkeyInstalled());
}

async function startTarget(name: TargetName, ctx: Context): Promise<Target | undefined> {
  const { options, scripts, core, mock } = ctx;
  if (name === 'bare') return startBare(scripts.bare, mock.url, core(1), options.cpuProfile ? path.join(benchDir, 'profiles', 'bare') : undefined);
  if (name === 'switchboard') return startSwitchboardIn(ctx, 'switchboard', options.cpuProfile);
  if (name === 'switchboard-nometrics') {
    const twin = twinRoot();
    return startSwitchboard({
      mockUrl: ctx.mock.url,
      core: ctx.core(1),
      workDir: path.join(ctx.workDir, 'switchboard-nometrics'),
      keepFiles: options.keepFiles,
      // An A/B run: the other checkout's build, metrics on like the first, in the same interleaved rounds.
      ...(twin ? { root: twin, label: `Switchboard, twin (${path.basename(twin)})` } : { metrics: false, label: 'Switchboard, metrics off' }),
      name: 'switchboard-nometrics',
    });
  }
  if (options.portkey === 'off') {
    ctx.notes.push('Portkey skipped (--no-portkey).');
    return undefined;
  }
  if (!isPortkeyInstalled()) {
    if (options.portkey !== 'install') {
      ctx.notes.push('Portkey not installed: `npm run bench -- --portkey` installs it into bench/.peers/portkey and includes it.');
      return undefined;
    }
    say(`installing @portkey-ai/gateway@${PORTKEY_VERSION} into bench/.peers/portkey …`);
    const installed = await installPortkey();
    if (!installed.ok) {
      const note = `Portkey skipped: installing @portkey-ai/gateway@${PORTKEY_VERSION} failed (no network?): ${installed.reason}`;
      say(`NOTE: ${note}`);
      ctx.notes.push(note);
      return undefined;
    }
  }
  try {
    return await startPortkey({ mockUrl: mock.url, core: core(1), loopbackPreload: scripts.loopbackPreload, logFile: path.join(ctx.workDir, 'portkey.log') });
  } catch (error) {
    // The peer is optional: a broken install must not cost the rest of the run.
    const note = `Portkey skipped: it did not start (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`;
    say(`NOTE: ${note}`);
    ctx.notes.push(note);
    return undefined;
  }
}

function startSwitchboardIn(ctx: Context, dirName: string, cpuProfile: boolean): Promise<SwitchboardTarget> {
  return startSwitchboard({
    mockUrl: ctx.mock.url,
    core: ctx.core(1),
    workDir: path.join(ctx.workDir, dirName),
    keepFiles: ctx.options.keepFiles,
    cpuProfileDir: cpuProfile ? path.join(benchDir, 'profiles') : undefined,
    metrics: ctx.options.metrics,
  });
}

const streamBody = (model: string) => chatRequestBody(model, 'stream');

function describeCell(cell: CellResult): string {
  const failed = cell.errors + cell.non2xx > 0 ? `  ⚠ ${cell.non2xx} non-2xx, ${cell.errors} errors` : '';
  return (
    `  ${cell.label.padEnd(22)} ${cell.kind.padEnd(6)} c=${String(cell.connections).padEnd(4)} ${Math.round(cell.requestsPerSecond).toString().padStart(6)} req/s` +
    `  p50 ${cell.latencyMs.p50.toFixed(1)}  p99 ${cell.latencyMs.p99.toFixed(1)} ms  ${Math.round(cell.cpuMicrosPerRequest)} µs/req` +
    `  ${cell.peakRssMb.toFixed(0)} MB${cell.ttftMs ? `  TTFT p50 ${cell.ttftMs.p50.toFixed(2)} ms` : ''}${failed}`
  );
}

/**
 * Every row measures all targets side by side (see measureRow): the ratios the issue judges
 * compare numbers taken minutes apart at most, in alternating order.
 */
async function measureTargets(targets: Target[], ctx: Context, extras: Extras): Promise<CellResult[]> {
  const { options } = ctx;
  const cells: CellResult[] = [];
  for (const target of targets) await checkTarget(target);
  for (const kind of options.kinds) {
    for (const connections of options.concurrencies) {
      const row = await measureRow(targets, kind, connections, options);
      if (kind === 'stream' && connections === TTFT_CONCURRENCY) {
        for (const cell of row) {
          const target = targets.find((candidate) => candidate.name === cell.target)!;
          const ttft = await measureTtft({ url: target.url, headers: target.headers, body: streamBody(target.model), concurrency: TTFT_CONCURRENCY, durationSeconds: options.ttftSeconds });
          cell.ttftMs = { ...ttft.ms, count: ttft.count, errors: ttft.errors };
          cell.errors += ttft.errors;
        }
      }
      for (const cell of row) say(describeCell(cell));
      cells.push(...row);
    }
  }
  const switchboard = targets.find((target) => target.name === 'switchboard');
  if (switchboard && options.extras) {
    extras.dbQueries = await measureDbQueries(switchboard as SwitchboardTarget, options.dbQueriesSeconds);
    say(`  ${describeDbQueries(extras.dbQueries)}`);
  }
  return cells;
}

/**
 * On a fresh Switchboard: after the load rows V8's heap has grown to its high-water mark and
 * does not hand memory back soon, which would hide what the streams themselves cost.
 */
async function measureStreamsOnFreshServer(ctx: Context, extras: Extras): Promise<void> {
  const { options } = ctx;
  const fresh = await startSwitchboardIn(ctx, 'switchboard-streams', false);
  try {
    await checkTarget(fresh);
    say(`  fresh Switchboard (pid ${fresh.pid}): opening ${options.streams.count} slow streams (one chunk every ${options.streams.intervalMs} ms) …`);
    extras.streamMemory = await measureStreamMemory({ target: fresh, mock: ctx.mock, ...options.streams, streams: options.streams.count });
    say(describeStreamMemory(extras.streamMemory).replace(/^/gm, '  '));
  } finally {
    await fresh.stop();
  }
}

/** V8 writes the profile when Switchboard exits; summarise the newest one. */
function printNewestProfile(): void {
  const dir = path.join(benchDir, 'profiles');
  const newest = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => ({ file: path.join(dir, name), mtime: statSync(path.join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)[0];
  if (!newest) return;
  const summary = summariseProfile(JSON.parse(readFileSync(newest.file, 'utf8')), { top: 15 });
  say(`  CPU profile: ${path.relative(process.cwd(), newest.file)}`);
  say(formatProfileSummary(summary).replace(/^/gm, '    '));
}

function setupLines(options: BenchOptions, pinned: boolean): string[] {
  const pacing =
    options.mock.pacing === 'paced'
      ? `SSE: role + first chunk at once, the other ${options.mock.chunks - 1} spread over the ${options.mock.delayMs} ms, then usage + [DONE]`
      : `SSE: all ${options.mock.chunks} chunks after ${options.mock.delayMs} ms`;
  return [
    '',
    `- Upstream: mock OpenAI on 127.0.0.1, JSON answered after ${options.mock.delayMs} ms; ${pacing}.`,
    `- Load: autocannon 9.0.0, ${options.warmupSeconds} s warm-up then median of ${options.repetitions} × ${options.durationSeconds} s per cell, the gateways measured in interleaved rounds; ` +
      `TTFT (request start → first \`data:\` chunk) by an undici client at c=${TTFT_CONCURRENCY} for ${options.ttftSeconds} s.`,
    pinned
      ? '- Cores: the gateways on core 1 (taskset), one under load at a time; mock upstream and load generator on core 0.'
      : '- Cores: not pinned (taskset unavailable or a single core): gateway, mock and load share the CPU.',
    '- Switchboard: built dist via `bin/switchboard.js serve`, NODE_ENV=production, embedded PostgreSQL, LOG_LEVEL=info to a file, ' +
      'platform-key auth (sk-sb-), stored encrypted OpenAI key, model `openai/gpt-4o-mini`. CPU µs/req is user+system time of the gateway process over the measured window.',
    `- Metrics: ${options.metrics ? 'on' : 'off (SWITCHBOARD_METRICS=false)'}; traces: @opentelemetry/api without an exporter.`,
  ];
}

async function main(): Promise<number> {
  installCleanupHooks();
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    say(HELP);
    return 0;
  }
  const busyAtStart = await otherBusyCores();
  const busyNote =
    busyAtStart >= 0.15
      ? `Other processes kept ${busyAtStart.toFixed(2)} cores busy when the bench started: they competed for the cores, so these numbers are understated.`
      : undefined;
  if (busyNote) say(`WARNING: ${busyNote}`);
  const targets = options.targets.filter((name) => name !== 'portkey' || portkeyWanted(options));
  const estimate = estimateSeconds(options, targets.length);
  const limit = Math.ceil(estimate * 1.5 + 180);
  say(`Switchboard bench${options.quick ? ' (quick)' : ''}: ${targets.join(', ')}; ${options.concurrencies.join(' and ')} connections; JSON and SSE.`);
  say(`Expected duration: about ${Math.ceil(estimate / 60)} min (${estimate} s); hard limit ${Math.ceil(limit / 60)} min.`);
  setTimeout(() => {
    process.stderr.write(`\nbench exceeded its ${limit} s limit: stopping everything\n`);
    void runCleanup().finally(() => process.exit(1));
  }, limit * 1000).unref();

  const scripts = buildChildScripts();
  const pinned = pinThisProcess('0');
  const core = (n: number) => (pinned ? n : undefined);
  say(pinned ? 'Cores: gateway under test on core 1; mock upstream and load generator (this process) on core 0.' : 'Cores: not pinned (taskset unavailable or fewer than 2 cores).');
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
  chmodSync(workDir, 0o711);
  onCleanup('bench work dir', () => {
    if (options.keepFiles) say(`kept logs and data in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  });

  const mock = await startMock(scripts.mock, options.mock, core(0));
  const ctx: Context = { options, scripts, core, workDir, mock, notes: [] };
  if (busyNote) ctx.notes.push(busyNote);
  const direct = {
    url: `${mock.url}/v1/chat/completions`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_PROVIDER_KEY}` },
    body: streamBody('gpt-4o-mini'),
    concurrency: TTFT_CONCURRENCY,
  };
  await measureTtft({ ...direct, durationSeconds: 1 });
  const directTtft: TtftResult = await measureTtft({ ...direct, durationSeconds: Math.min(3, options.ttftSeconds) });

  const extras: Extras = {};
  const running: Target[] = [];
  let cells: CellResult[] = [];
  try {
    for (const name of options.targets) {
      const target = await startTarget(name, ctx);
      if (!target) continue;
      say(`${target.label}: pid ${target.pid}`);
      running.push(target);
    }
    cells = await measureTargets(running, ctx, extras);
  } finally {
    for (const target of running) await target.stop();
  }
  if (options.cpuProfile && running.some((target) => target.name === 'switchboard')) printNewestProfile();
  if (options.extras && running.some((target) => target.name === 'switchboard')) await measureStreamsOnFreshServer(ctx, extras);
  await mock.stop();

  if (options.extras) {
    // PostgreSQL's throughput is the question here, not a single core's: give it every core.
    if (pinned) pinThisProcess(allCores());
    say(`usage ingest: ${options.ingest.rows.toLocaleString('en-US')} rows in batches of ${options.ingest.batchSize} …`);
    extras.usageIngest = await measureUsageIngest(options.ingest);
    say(describeUsageIngest(extras.usageIngest).replace(/^/gm, '  '));
    const postgresUrl = externalPostgresUrl();
    say(`usage aggregate: 1,000,000 rows, GET /api/usage?group_by=day,model, the Logs first page, the CSV export, the browser rows (Chromium)${postgresUrl ? '; then the aggregate on the external PostgreSQL' : ''} …`);
    extras.usageAggregate = await measureUsageAggregateApart({ rows: 1_000_000, requests: 40, postgresUrl });
    say(describeUsageAggregate(extras.usageAggregate).replace(/^/gm, '  '));
  }

  const machine = machineInfo(busyAtStart);
  const verdicts = judge(cells, extras, options.concurrencies);
  const markdown = formatReport({ header: { machine, setup: setupLines(options, pinned) }, cells, concurrencies: options.concurrencies, directTtft, verdicts, notes: ctx.notes });
  say();
  say(markdown);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, `${options.resultsName}.md`), markdown);
  const raw = { machine, pinned, options, directTtft, cells, extras, verdicts, notes: ctx.notes };
  writeFileSync(path.join(resultsDir, `${options.resultsName}.json`), `${JSON.stringify(raw, null, 2)}\n`);
  say(`Wrote bench/results/${options.resultsName}.md and .json`);
  return verdicts.some((verdict) => verdict.status === 'FAIL') ? 1 : 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
} finally {
  await runCleanup();
}
process.exit(exitCode);
