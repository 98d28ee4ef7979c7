/**
 * One cell of the table: a target × body kind × concurrency. Warm up, then several measured
 * repetitions; each metric is the median over repetitions, peak RSS the largest sample seen
 * during the warm-up and the repetitions, and errors the sum (a cell with any error is flagged).
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

export async function measureCell(target: Target, kind: BodyKind, connections: number, settings: CellSettings): Promise<CellResult> {
  const spec = { url: target.url, headers: target.headers, body: chatRequestBody(target.model, kind), connections };
  const rss = sampleRss(target.pid);
  let peakRssMb = 0;
  const runs: LoadRun[] = [];
  let warmup: LoadRun;
  try {
    warmup = await runLoad({ ...spec, durationSeconds: settings.warmupSeconds });
    for (let i = 0; i < settings.repetitions; i += 1) {
      runs.push(await runLoad({ ...spec, durationSeconds: settings.durationSeconds, pid: target.pid }));
    }
  } finally {
    peakRssMb = rss.stop().peakBytes / 1024 / 1024;
  }

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
