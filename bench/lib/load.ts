/**
 * autocannon, driven programmatically. Latency percentiles come from autocannon's own per-response
 * timings (float ms, 2xx only) rather than its histogram, which rounds to whole milliseconds.
 * Around each measured run the gateway's CPU time is read from /proc, so CPU per request covers
 * exactly the window in which the counted requests completed.
 */
import autocannon from 'autocannon';
import { readCpuMicros } from './proc-stats.js';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationSeconds: number;
  /** Gateway pid whose CPU time is charged to the requests; none for warm-ups. */
  pid?: number | undefined;
}

export interface LoadRun {
  /** Responses received (any status). */
  completed: number;
  non2xx: number;
  /** Connection errors, including timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  elapsedSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number };
  cpuMicrosPerRequest: number | undefined;
}

export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
}

export function runLoad(spec: LoadSpec): Promise<LoadRun> {
  const latencies: number[] = [];
  let completed = 0;
  const cpuBefore = spec.pid === undefined ? undefined : readCpuMicros(spec.pid);
  const started = performance.now();

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: 'POST',
        headers: spec.headers,
        body: spec.body,
        connections: spec.connections,
        duration: spec.durationSeconds,
        timeout: 30,
      },
      (error, result) => {
        if (error) return reject(error);
        const elapsedSeconds = (performance.now() - started) / 1000;
        const cpuAfter = spec.pid === undefined ? undefined : readCpuMicros(spec.pid);
        latencies.sort((a, b) => a - b);
        const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count]));
        resolve({
          completed,
          non2xx: result.non2xx,
          errors: result.errors,
          statusCodes,
          elapsedSeconds,
          requestsPerSecond: (completed - result.non2xx) / elapsedSeconds,
          latencyMs: { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), p99: percentile(latencies, 0.99) },
          cpuMicrosPerRequest: cpuBefore === undefined || cpuAfter === undefined || completed === 0 ? undefined : (cpuAfter - cpuBefore) / completed,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      completed += 1;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
    });
  });
}
