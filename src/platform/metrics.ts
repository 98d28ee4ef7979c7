/**
 * Prometheus metrics (prom-client), one registry per process. Labels are bounded: never tenant
 * ids, emails, keys or raw model names (a model label is a catalog model or `other`). The names
 * are the ones in docs/ops.md "Metrics" (OPS.md 4.6); the gen_ai histograms use the buckets the
 * OpenTelemetry GenAI semantic conventions advise.
 *
 * `enabled: false` (SWITCHBOARD_METRICS=false) keeps the same objects but registers nothing and
 * records nothing, for the metrics-off bench run.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** OTel-advised buckets for gen_ai.client.operation.duration (seconds). */
export const GEN_AI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** OTel-advised buckets for gen_ai.client.token.usage (tokens). */
export const GEN_AI_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** Our own latency histograms: fine below 100 ms, where the gateway's overhead lives. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface MetricsOptions {
  version: string;
  commit?: string | undefined;
  /** False: nothing is registered or recorded (the bench's metrics-off baseline). */
  enabled?: boolean;
  /** Collect prom-client's process_* and nodejs_* defaults (default true). */
  defaults?: boolean;
}

export function createMetrics(options: MetricsOptions) {
  const enabled = options.enabled !== false;
  const registry = new Registry();
  const registers = enabled ? [registry] : [];
  if (enabled && options.defaults !== false) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'switchboard_build_info',
    help: 'Build information; always 1',
    labelNames: ['version', 'commit', 'node'],
    registers,
    aggregator: 'first',
  }).set({ version: options.version, commit: options.commit ?? 'unknown', node: process.version }, 1);

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Counter<L>({ name, help, labelNames, registers });
  // Across cluster workers (AggregatorRegistry) gauges are summed unless they say otherwise.
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = [], aggregator: 'sum' | 'max' = 'sum') => new Gauge<L>({ name, help, labelNames, registers, aggregator });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers });

  return {
    registry,
    enabled,
    /**
     * Queries sent to PostgreSQL, by pool: `app` serves request paths (the AI path must issue 0 in
     * steady state), `usage` is the batched usage writer.
     */
    dbQueries: counter('switchboard_db_queries_total', 'Queries sent to PostgreSQL, by connection pool', ['pool']),
    httpDuration: histogram('http_server_request_duration_seconds', 'HTTP requests by method, route template and status class', ['method', 'route', 'status_class'], LATENCY_BUCKETS),
    gatewayRequests: counter('switchboard_gateway_requests_total', 'AI requests through the gateway', ['surface', 'operation', 'service', 'status_class', 'error_source', 'fallback']),
    gatewayOverhead: histogram('switchboard_gateway_overhead_seconds', 'Time spent in the gateway before the upstream request is sent (auth, limits, budgets, credential)', ['operation'], LATENCY_BUCKETS),
    timeToFirstToken: histogram('switchboard_time_to_first_token_seconds', 'Time to the first streamed token as the client sees it', ['service'], LATENCY_BUCKETS),
    genAiDuration: histogram('gen_ai_client_operation_duration_seconds', 'GenAI operation duration', ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'error_type'], GEN_AI_DURATION_BUCKETS),
    genAiTokens: histogram('gen_ai_client_token_usage', 'GenAI tokens used per operation', ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type'], GEN_AI_TOKEN_BUCKETS),
    genAiTimeToFirstChunk: histogram('gen_ai_client_operation_time_to_first_chunk_seconds', 'Time to the first chunk of a streamed GenAI operation', ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'], GEN_AI_DURATION_BUCKETS),
    costUsd: counter('switchboard_cost_usd_total', 'Priced cost of AI requests in USD (per-tenant money is in /api/usage)', ['service', 'priced']),
    rateLimitRejections: counter('switchboard_ratelimit_rejections_total', 'Requests refused by a rate limit', ['scope']),
    budgetRejections: counter('switchboard_budget_rejections_total', 'AI requests refused by a hard budget', ['scope']),
    circuitState: gauge('switchboard_circuit_state', 'Circuit breaker state per service and upstream host: 0 closed, 1 half-open, 2 open', ['service', 'endpoint'], 'max'),
    cacheEvents: counter('switchboard_cache_events_total', 'Cache hits, misses and invalidations', ['cache', 'event']),
    usageSpoolDepth: gauge('switchboard_usage_spool_depth', 'Usage records waiting to be written to PostgreSQL'),
    usageFlushLag: gauge('switchboard_usage_flush_lag_seconds', 'Seconds since the usage recorder last emptied its spool', [], 'max'),
    jobs: counter('switchboard_jobs_total', 'Background jobs by queue and final state', ['queue', 'state']),
    jobsWaiting: gauge('switchboard_jobs_waiting', 'Background jobs waiting in the queue', ['queue'], 'max'),
    decryptFailures: counter('switchboard_secret_decrypt_failures_total', 'Data keys or secrets that failed to decrypt, by master key id', ['kek_id']),
    wrappedKeys: gauge('switchboard_wrapped_keys', 'Data keys wrapped under each master key id (rotation progress)', ['kek_id'], 'max'),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** `2xx`, `4xx`…: the status label of every histogram and counter. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
