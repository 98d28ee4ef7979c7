/**
 * Database queries per AI request in steady state, from Switchboard's own counter
 * `switchboard_db_queries_total{pool="app"}` on GET /metrics (Prometheus text). Auth, credential
 * and route lookups must come from caches and usage goes to the separate `usage` pool in batches,
 * so the `app` pool must see 0 queries per request once the caches are warm.
 *
 *   npx tsx bench/db-queries.ts        (starts its own mock and Switchboard; needs `npm run build`)
 */
import { runLoad } from './lib/load.js';
import { withStandaloneSwitchboard } from './lib/standalone.js';
import type { SwitchboardTarget } from './lib/switchboard.js';
import { checkTarget } from './lib/targets.js';
import { isMain } from './lib/is-main.js';
import { chatRequestBody } from './lib/workload.js';

export const QUERY_COUNTER = 'switchboard_db_queries_total';

export interface DbQueriesResult {
  /** False when /metrics does not expose the counter at all. */
  metricPresent: boolean;
  requests: number;
  appQueries: number;
  usageQueries: number;
  appPerRequest: number;
  usagePerRequest: number;
  pass: boolean;
}

/**
 * A counter's value for one label set in Prometheus text format: undefined when the metric is not
 * exposed; 0 when it is declared (# HELP) but that series has not been incremented yet, which is
 * how prom-client shows a labelled counter before its first inc().
 */
export function readCounter(metricsText: string, name: string, labels: Record<string, string>): number | undefined {
  let declared = false;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith(`# HELP ${name} `) || line.startsWith(`# TYPE ${name} `)) declared = true;
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^[^{\s]+(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[2]);
  }
  return declared ? 0 : undefined;
}

async function readQueryCounts(origin: string): Promise<{ app: number; usage: number } | undefined> {
  const response = await fetch(`${origin}/metrics`);
  if (response.status !== 200) return undefined;
  const text = await response.text();
  const app = readCounter(text, QUERY_COUNTER, { pool: 'app' });
  if (app === undefined) return undefined;
  return { app, usage: readCounter(text, QUERY_COUNTER, { pool: 'usage' }) ?? 0 };
}

/** Drive JSON then streaming calls at concurrency 10 for `seconds` each and count queries. */
export async function measureDbQueries(target: SwitchboardTarget, seconds: number): Promise<DbQueriesResult> {
  // Warm every cache on the path first (token, credential, route, prices).
  await checkTarget(target);
  const before = await readQueryCounts(target.origin);
  if (!before) {
    return { metricPresent: false, requests: 0, appQueries: Number.NaN, usageQueries: Number.NaN, appPerRequest: Number.NaN, usagePerRequest: Number.NaN, pass: false };
  }
  let requests = 0;
  for (const kind of ['json', 'stream'] as const) {
    const run = await runLoad({ url: target.url, headers: target.headers, body: chatRequestBody(target.model, kind), connections: 10, durationSeconds: seconds });
    requests += run.completed;
  }
  const after = (await readQueryCounts(target.origin))!;
  const appQueries = after.app - before.app;
  const usageQueries = after.usage - before.usage;
  return {
    metricPresent: true,
    requests,
    appQueries,
    usageQueries,
    appPerRequest: requests > 0 ? appQueries / requests : Number.NaN,
    usagePerRequest: requests > 0 ? usageQueries / requests : Number.NaN,
    pass: requests > 0 && appQueries === 0,
  };
}

export function describeDbQueries(result: DbQueriesResult): string {
  if (!result.metricPresent) return `FAIL  db queries per AI request: GET /metrics has no ${QUERY_COUNTER}{pool="app"}`;
  return (
    `${result.pass ? 'PASS' : 'FAIL'}  db queries per AI request (app pool): ${result.appPerRequest.toFixed(4)} ` +
    `(${result.appQueries} queries / ${result.requests} requests); usage pool: ${result.usagePerRequest.toFixed(4)} per request (batched writes)`
  );
}

if (isMain(import.meta.url)) {
  await withStandaloneSwitchboard(async ({ switchboard }) => {
    const result = await measureDbQueries(switchboard, 5);
    process.stdout.write(`${describeDbQueries(result)}\n`);
    process.exitCode = result.pass ? 0 : 1;
  });
}
