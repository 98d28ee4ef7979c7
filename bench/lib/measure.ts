/**
 * One row of the table: a body kind × concurrency, measured for every target in turn. Each target
 * is warmed up, then the measured repetitions are interleaved — round i runs every target once, in
 * an order rotated by i — so slow drift of the machine (another tenant on the VM, thermal, GC of
 * the load generator) falls on all targets alike instead of on whichever ran last. Each metric is
 * the median over a target's repetitions, peak RSS the largest sample seen during its warm-up and
 * repetitions, and errors the sum (a cell with any error is flagged).
 */
import { median, runLoad, type LoadRun } from './load.js';
import { sampleRss } from './proc-stats.js';
import type { Target } from './targets.js';
import { chatRequestBody, type BodyKind } from './workload.js';

export interface CellSettings {
  warmupSeconds: number;
  durationSeconds: number;
  repetitions: number;
}

export interface CellResult {
  target: Target['name'];
  label: string;
  kind: BodyKind;
  connections: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number };
  cpuMicrosPerRequest: number;
  peakRssMb: number;
  completed: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** Time to first token (stream rows at the TTFT concurrency only). */
  ttftMs?: { p50: number; p90: number; p99: number; count: number; errors: number };
  runs: LoadRun[];
}

interface Lane {
  target: Target;
  spec: { url: string; headers: Record<string, string>; body: string; connections: number };
  rss: ReturnType<typeof sampleRss>;
  warmup?: LoadRun;
  runs: LoadRun[];
}

export async function measureRow(targets: Target[], kind: BodyKind, connections: number, settings: CellSettings): Promise<CellResult[]> {
  const lanes: Lane[] = targets.map((target) => ({
    target,
    spec: { url: target.url, headers: target.headers, body: chatRequestBody(target.model, kind), connections },
    rss: sampleRss(target.pid),
    runs: [],
  }));
  const peakRssMb = new Map<Lane, number>();
  try {
    for (const lane of lanes) lane.warmup = await runLoad({ ...lane.spec, durationSeconds: settings.warmupSeconds });
    for (let round = 0; round < settings.repetitions; round += 1) {
      for (let i = 0; i < lanes.length; i += 1) {
        const lane = lanes[(i + round) % lanes.length]!;
        lane.runs.push(await runLoad({ ...lane.spec, durationSeconds: settings.durationSeconds, pid: lane.target.pid }));
      }
    }
  } finally {
    for (const lane of lanes) peakRssMb.set(lane, lane.rss.stop().peakBytes / 1024 / 1024);
  }
  return lanes.map((lane) => summarise(lane, kind, connections, peakRssMb.get(lane) ?? Number.NaN));
}

function summarise(lane: Lane, kind: BodyKind, connections: number, peakRssMb: number): CellResult {
  const { runs, target } = lane;
  const warmup = lane.warmup!;
  const sum = (pick: (run: LoadRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const statusCodes: Record<string, number> = {};
  for (const run of [warmup, ...runs]) {
    for (const [code, count] of Object.entries(run.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  }
  return {
    target: target.name,
    label: target.label,
    kind,
    connections,
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    latencyMs: {
      p50: median(runs.map((run) => run.latencyMs.p50)),
      p90: median(runs.map((run) => run.latencyMs.p90)),
      p99: median(runs.map((run) => run.latencyMs.p99)),
    },
    cpuMicrosPerRequest: median(runs.map((run) => run.cpuMicrosPerRequest ?? Number.NaN)),
    peakRssMb,
    completed: sum((run) => run.completed),
    // Warm-up failures count too: a target that only works after a while is not fine.
    non2xx: sum((run) => run.non2xx) + warmup.non2xx,
    errors: sum((run) => run.errors) + warmup.errors,
    statusCodes,
    runs,
  };
}
