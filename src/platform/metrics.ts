/**
 * Prometheus metrics (prom-client), one registry per process. Labels are bounded: never tenant
 * ids, emails, keys or raw model names.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

export function createMetrics(options: { version: string }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'switchboard_build_info',
    help: 'Build information; always 1',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version: options.version, node: process.version }, 1);

  return {
    registry,
    /**
     * Queries sent to PostgreSQL, by pool: `app` serves request paths (the AI path must issue 0 in
     * steady state), `usage` is the batched usage writer.
     */
    dbQueries: new Counter({
      name: 'switchboard_db_queries_total',
      help: 'Queries sent to PostgreSQL, by connection pool',
      labelNames: ['pool'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
