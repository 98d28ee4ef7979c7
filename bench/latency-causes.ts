/**
 * Where Switchboard's extra latency under load comes from, beyond its own CPU: garbage collection
 * pauses and event-loop lag (prom-client's default metrics on GET /metrics, read before and after
 * the load, so they cover its window) and the CPU its embedded PostgreSQL spends inserting usage —
 * a child of the gateway, so on the gateway's core under `taskset`. A diagnostic, not a verdict.
 *
 *   npx tsx bench/latency-causes.ts [--kind json|stream] [--connections 100] [--seconds 15]
 *   BENCH_SWITCHBOARD_NODE_ARGS="--max-semi-space-size=64" npx tsx bench/latency-causes.ts   (V8 flags)
 *
 * Needs `npm run build`; mock and load on core 0, Switchboard on core 1, as in the full bench.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { readCounter } from './db-queries.js';
import { runLoad } from './lib/load.js';
import { readCpuMicros } from './lib/proc-stats.js';
import { withStandaloneSwitchboard } from './lib/standalone.js';
import { checkTarget } from './lib/targets.js';
import { chatRequestBody } from './lib/workload.js';

/** Every process below `pid` (the embedded PostgreSQL's postmaster and backends). */
function descendantsOf(pid: number): number[] {
  const pairs = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of pairs) {
      if (child !== undefined && parent !== undefined && found.has(parent) && !found.has(child)) {
        found.add(child);
        grew = true;
      }
    }
  }
  found.delete(pid);
  return [...found];
}

const cpuOf = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    try {
      return sum + readCpuMicros(pid);
    } catch {
      return sum; // a backend that exited meanwhile
    }
  }, 0);

const scrape = async (origin: string) => (await fetch(`${origin}/metrics`)).text();

const { values } = parseArgs({ options: { kind: { type: 'string', default: 'json' }, connections: { type: 'string', default: '100' }, seconds: { type: 'string', default: '15' } } });
const kind = values.kind === 'stream' ? 'stream' : 'json';
const connections = Number(values.connections);
const seconds = Number(values.seconds);

await withStandaloneSwitchboard(async ({ switchboard }) => {
  await checkTarget(switchboard);
  const body = chatRequestBody(switchboard.model, kind);
  // Warm-up: caches, JIT, the usage pool's connections.
  await runLoad({ url: switchboard.url, headers: switchboard.headers, body, connections, durationSeconds: 3 });
  const children = descendantsOf(switchboard.pid);
  const before = await scrape(switchboard.origin);
  const [ownBefore, childrenBefore, started] = [readCpuMicros(switchboard.pid), cpuOf(children), performance.now()];
  const run = await runLoad({ url: switchboard.url, headers: switchboard.headers, body, connections, durationSeconds: seconds });
  const [ownAfter, childrenAfter, wall] = [readCpuMicros(switchboard.pid), cpuOf(children), (performance.now() - started) / 1000];
  const after = await scrape(switchboard.origin);

  const delta = (name: string, labels: Record<string, string> = {}) => (readCounter(after, name, labels) ?? 0) - (readCounter(before, name, labels) ?? 0);
  const gc = (gcKind: string) => {
    const count = delta('nodejs_gc_duration_seconds_count', { kind: gcKind });
    const total = delta('nodejs_gc_duration_seconds_sum', { kind: gcKind });
    return `${count} (${(total * 1000).toFixed(0)} ms in all, ${count > 0 ? ((total * 1000) / count).toFixed(1) : '0'} ms each, ${((total / wall) * 100).toFixed(1)} % of the time)`;
  };
  // The lag histogram is reset at every scrape: this one covers the load.
  const lag = (name: string) => `${((readCounter(after, name, {}) ?? Number.NaN) * 1000).toFixed(1)} ms`;
  const lines = [
    `${kind}, ${connections} connections, ${wall.toFixed(1)} s: ${run.completed} requests, ${(run.completed / wall).toFixed(0)} req/s`,
    `Switchboard: ${(((ownAfter - ownBefore) / 1e6 / wall) * 100).toFixed(1)} % of a core, ${((ownAfter - ownBefore) / run.completed).toFixed(0)} µs per request`,
    `its ${children.length} child processes (embedded PostgreSQL, on the same core): ${(((childrenAfter - childrenBefore) / 1e6 / wall) * 100).toFixed(1)} % of a core`,
    `scavenges (minor GC): ${gc('minor')}`,
    `mark-compact (major GC): ${gc('major')}; incremental marking steps: ${gc('incremental')}`,
    `event-loop lag (10 ms resolution): p50 ${lag('nodejs_eventloop_lag_p50_seconds')}, p99 ${lag('nodejs_eventloop_lag_p99_seconds')}, max ${lag('nodejs_eventloop_lag_max_seconds')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
});
