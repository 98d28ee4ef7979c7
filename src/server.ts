/**
 * `switchboard serve`: start the store, migrate, build services, listen, and shut down well.
 *
 * Shutdown (SIGTERM): mark draining (readiness turns 503, responses carry Connection: close),
 * stop accepting, give just-accepted connections a short grace to deliver their request, close
 * idle keep-alive connections, let in-flight requests and streams finish
 * (bounded by SWITCHBOARD_SHUTDOWN_TIMEOUT_MS), flush usage, close pools, stop the embedded
 * database, exit 0.
 */
import net, { type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve as serveHono } from '@hono/node-server';
import { createApp } from './app.js';
import type { Config } from './config.js';
import type { CheckResult } from './http/health.routes.js';
import type { Logger } from './platform/logger.js';
import { createPlatformServices, type PlatformServices } from './services.js';
import { connectDatabase } from './store/db.js';
import { countApplied, expectedMigrationCount, runMigrations } from './store/migrate.js';
import { openStore } from './store/open-store.js';
import { loadKeyring } from './vault/keyring.js';
import { createMetrics } from './platform/metrics.js';
import { packageVersion } from './platform/package-info.js';
import { createLocalInvalidationBus, createRedisInvalidationBus, type InvalidationBus } from './platform/invalidation.js';
import { createMailer } from './platform/mailer.js';
import { connectRedis, type RedisConnections } from './platform/redis.js';
import { startJobRuntime } from './jobs/job-runtime.js';
import { startLifecycleSweep } from './jobs/lifecycle-sweep.js';
import cluster from 'node:cluster';
import { clusterWorkerMetrics } from './cluster.js';
import { startTracing } from './platform/tracing.js';
import { createKeyringReadiness } from './vault/keyring-readiness.js';

export interface RunningServer {
  url: string;
  port: number;
  services: PlatformServices;
  /** Drain and stop everything; resolves when the process may exit. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

/** How long a draining server keeps reading requests from connections it has just accepted. */
const ACCEPT_GRACE_MS = 100;
/** In a cluster worker, also long enough for connections in the primary's hand-off to arrive. */
const CLUSTER_ACCEPT_GRACE_MS = 1_000;

const withTimeout = <T>(promise: Promise<T>, ms: number, label: string): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${label} timed out`)), ms).unref())]);

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const keyring = loadKeyring(config, logger);
  const metrics = createMetrics({ version: packageVersion(), enabled: config.metricsEnabled });
  const tracing = await startTracing({ endpoint: config.otel.endpoint, serviceName: config.otel.serviceName, version: packageVersion(), logger });
  const store = await openStore(config, logger, 'server');
  let database: ReturnType<typeof connectDatabase> | undefined;
  let redis: RedisConnections | undefined;
  let bus: InvalidationBus;
  try {
    if (config.redisUrl) {
      redis = connectRedis(config.redisUrl, logger);
      bus = await withTimeout(createRedisInvalidationBus(redis, logger), 10_000, 'redis subscribe');
    } else {
      bus = createLocalInvalidationBus(logger);
    }
    if (config.migrateOnStart) {
      const result = await runMigrations(store.url);
      logger.info({ applied: result.applied, total: result.total }, 'database migrations checked');
    }
    database = connectDatabase(store.url, { maxConnections: 20, onQuery: () => metrics.dbQueries.inc({ pool: 'app' }) });
  } catch (error) {
    await redis?.close();
    await store.release();
    throw error;
  }
  const db = database;
  const usageDb = connectDatabase(store.url, {
    maxConnections: 2,
    applicationName: 'switchboard-usage',
    queryTimeoutMs: 10_000,
    onQuery: () => metrics.dbQueries.inc({ pool: 'usage' }),
  });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
  const services = createPlatformServices({ config, db: db.db, usageDb: usageDb.db, keyring, logger, metrics, bus, redis, mailer });
  await services.priceOverrides.load();
  const expectedMigrations = expectedMigrationCount();
  let draining = false;
  // On the background pool: a /metrics scrape or /readyz probe is not an AI request, and the
  // request pool's query counter must stay at 0 per AI request in steady state (issue 3).
  const keyringReadiness = createKeyringReadiness({ pool: usageDb.pool, keyring, metrics, logger });
  // `keys rotate-master` announces a finished rewrap: recount now rather than within 10 s.
  bus.subscribe('keyring', () => keyringReadiness.refresh());
  let spoolEmptyAt = Date.now();
  // A cluster worker's /metrics is every worker's, aggregated by the primary (cluster.ts).
  const ownMetrics = async () => {
    await keyringReadiness.collect();
    const pending = services.recorder.pending();
    if (pending === 0) spoolEmptyAt = Date.now();
    metrics.usageSpoolDepth.set(pending);
    metrics.usageFlushLag.set((Date.now() - spoolEmptyAt) / 1000);
    return metrics.registry.metrics();
  };
  const metricsText = cluster.isWorker ? clusterWorkerMetrics(metrics.registry, ownMetrics) : ownMetrics;

  const readiness = {
    async checks(): Promise<Record<string, CheckResult>> {
      const [dbCheck, migrations, redisCheck, keyringCheck] = await Promise.all([
        withTimeout(db.pool.query('select 1'), 1_000, 'database').then(
          () => 'ok',
          () => 'unreachable',
        ),
        withTimeout(countApplied(db.pool), 1_000, 'migrations').then(
          (applied) => (applied >= expectedMigrations ? 'ok' : `behind (${applied}/${expectedMigrations})`),
          () => 'unknown',
        ),
        redis ? redis.ping(1_000) : Promise.resolve('disabled'),
        withTimeout(keyringReadiness.check(), 1_000, 'keyring').catch(() => 'unknown'),
      ]);
      return { db: dbCheck, redis: redisCheck, migrations, keyring: keyringCheck, draining: draining ? 'draining' : 'ok' };
    },
  };

  // Video jobs: run here without Redis (in-process), else only enqueued for `switchboard worker`.
  const jobs = await startJobRuntime({ config, services, logger, consume: config.jobs.runInServe, metrics });
  const lifecycleSweep = startLifecycleSweep({ services, intervalMs: config.lifecycleSweepMs, logger: logger.child({ component: 'lifecycle-sweep' }) });
  const app = createApp({ config, logger, services, readiness, isDraining: () => draining, jobQueue: jobs.queue, metricsText });
  const server = await new Promise<Server>((resolve, reject) => {
    const created = serveHono({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(created as Server));
    (created as Server).once('error', reject);
  });
  // Outlive nginx's upstream keep-alive (60 s) so the proxy, not us, closes idle connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;

  let inFlight = 0;
  let idle: (() => void) | undefined;
  server.on('request', (_req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) idle?.();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;
  logger.info({ url, database: store.kind }, 'switchboard is serving');
  // Scripts and supervisors wait for this line: do not leave it in the log batch.
  logger.flush();

  let stopping: Promise<void> | undefined;
  async function shutdown(reason: string): Promise<void> {
    const started = Date.now();
    logger.info({ reason, in_flight: inFlight }, 'shutting down: draining in-flight requests');
    draining = true;
    // Event streams never end by themselves: close them so they do not hold the drain.
    services.liveStreams.closeAll();
    // Stop accepting, but do not yet close idle connections: http.Server#close() would also kill
    // connections accepted a moment ago whose request is still on the wire (the client sees
    // ECONNRESET). In a cluster worker the primary may also have handed this worker connections
    // before it saw the close; the worker must stay up long enough to serve them, or they hang.
    // Measured: 6 hung and 5 reset of 33,000 fresh connections over 10 rolling reloads without
    // the grace, none with it (test/ops-cluster.test.ts).
    net.Server.prototype.close.call(server);
    const open = await new Promise<number>((resolve) => server.getConnections((_, count) => resolve(count ?? 0)));
    if (cluster.isWorker || open > 0) {
      await new Promise((resolve) => setTimeout(resolve, cluster.isWorker ? CLUSTER_ACCEPT_GRACE_MS : ACCEPT_GRACE_MS));
    }
    // Anything that arrived meanwhile is in flight (its response carries Connection: close).
    server.closeIdleConnections();
    if (inFlight > 0) {
      const drained = new Promise<void>((resolve) => {
        idle = resolve;
      });
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs).unref());
      if ((await Promise.race([drained, timer])) === 'timeout') {
        logger.warn({ in_flight: inFlight }, 'shutdown timeout reached; closing remaining connections');
      }
    }
    server.closeAllConnections();
    // Running jobs stop polling and stay in the table; the next runner resumes them.
    await withTimeout(jobs.close(), 10_000, 'jobs').catch((error: unknown) => logger.warn({ err: error }, 'jobs did not stop in time'));
    await services.recorder.close();
    // Each step is bounded: a pool whose connection died mid-query (pool.end() waits for every
    // checked-out client) must not keep the process from exiting.
    const step = (label: string, work: Promise<unknown>, ms = 5_000) =>
      withTimeout(work, ms, label).catch((error: unknown) => logger.warn({ err: error, step: label }, 'shutdown step did not finish'));
    await step('lifecycle sweep', lifecycleSweep.close());
    await step('activity flush', services.activity.close());
    await step('integration health flush', services.integrationHealth.close());
    await step('upstream pool', services.upstream.close());
    await step('local model', services.local.close());
    await step('database pool', db.close());
    await step('usage database pool', usageDb.close());
    mailer.close();
    await step('invalidation bus', bus.close());
    if (redis) await step('redis', redis.close());
    await step('embedded database', store.release(), 30_000);
    await step('trace exporter', tracing.close());
    logger.info({ drain_ms: Date.now() - started }, 'shutdown complete');
  }

  return {
    url,
    port,
    services,
    shutdown: (reason) => {
      stopping ??= shutdown(reason);
      return stopping;
    },
  };
}
