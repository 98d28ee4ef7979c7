/**
 * `switchboard worker`: runs queued jobs (video generation) from the BullMQ queue on Redis. It
 * needs what a job needs and nothing of the HTTP side: the database (the jobs table and the
 * vault's encrypted keys), the master key to decrypt them, the pooled upstream client, the usage
 * recorder, and Redis for the queue and for cache invalidation when an integration changes.
 *
 * Without REDIS_URL there is no queue to share: `serve` runs jobs in-process, so the worker
 * refuses to start and says so.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { startJobRuntime } from './jobs/job-runtime.js';
import { createRedisInvalidationBus } from './platform/invalidation.js';
import type { Logger } from './platform/logger.js';
import { createMailer } from './platform/mailer.js';
import { createMetrics } from './platform/metrics.js';
import { packageVersion } from './platform/package-info.js';
import { connectRedis } from './platform/redis.js';
import { createPlatformServices } from './services.js';
import { connectDatabase } from './store/db.js';
import { openStore } from './store/open-store.js';
import { loadKeyring } from './vault/keyring.js';

export interface RunningWorker {
  /** The port of /healthz and /metrics (SWITCHBOARD_WORKER_HEALTH_PORT). */
  healthPort: number;
  shutdown(reason: string): Promise<void>;
}

/**
 * /healthz (200 while Redis answers PING and the job consumer runs, else 503 with the failing
 * check) and /metrics (this process's registry), on their own small server: the worker has no
 * HTTP API.
 */
async function startHealthServer(options: { host: string; port: number; checks: () => Promise<Record<string, string>>; metrics: () => Promise<string>; contentType: string }): Promise<Server> {
  const server = createServer((req, res) => {
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return reply(405, 'application/json', '{"error":"method not allowed"}');
    if (path === '/healthz') {
      void options.checks().then((checks) => {
        const ok = Object.values(checks).every((value) => value === 'ok');
        reply(ok ? 200 : 503, 'application/json', JSON.stringify({ status: ok ? 'ok' : 'unavailable', checks }));
      });
      return;
    }
    if (path === '/metrics') {
      void options.metrics().then((text) => reply(200, options.contentType, text), () => reply(500, 'text/plain', 'metrics unavailable'));
      return;
    }
    reply(404, 'application/json', '{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}

export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  if (!config.redisUrl) {
    throw new ConfigError([
      'REDIS_URL: `switchboard worker` takes jobs from the queue on Redis. Without REDIS_URL, `switchboard serve` runs jobs in-process and no worker is needed.',
    ]);
  }
  const keyring = loadKeyring(config, logger);
  const metrics = createMetrics({ version: packageVersion(), enabled: config.metricsEnabled });
  const store = await openStore(config, logger, 'cli');
  const redis = connectRedis(config.redisUrl, logger);
  const bus = await createRedisInvalidationBus(redis, logger);
  const database = connectDatabase(store.url, { maxConnections: 5, applicationName: 'switchboard-worker' });
  const usageDb = connectDatabase(store.url, { maxConnections: 2, applicationName: 'switchboard-worker-usage', queryTimeoutMs: 10_000 });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
  const services = createPlatformServices({
    config,
    db: database.db,
    usageDb: usageDb.db,
    keyring,
    logger,
    metrics,
    bus,
    redis,
    mailer,
  });
  const jobs = await startJobRuntime({ config, services, logger, consume: true, metrics });
  let closing = false;
  const health = await startHealthServer({
    host: config.host,
    port: config.workerHealthPort,
    checks: async () => ({
      redis: await redis.ping(1_000),
      jobs: closing ? 'stopping' : jobs.consuming ? 'ok' : 'not consuming',
    }),
    metrics: () => metrics.registry.metrics(),
    contentType: metrics.registry.contentType,
  });
  const healthPort = (health.address() as AddressInfo).port;
  logger.info({ concurrency: config.jobs.concurrency, health_port: healthPort }, 'switchboard worker is running');

  let stopping: Promise<void> | undefined;
  const shutdown = async (reason: string) => {
    logger.info({ reason }, 'worker shutting down: handing running jobs back');
    closing = true;
    // Running jobs get until the shutdown timeout; what is left is taken up as stalled by the next worker.
    const closed = await Promise.race([
      jobs.close().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), config.shutdownTimeoutMs).unref()),
    ]);
    if (!closed) logger.warn('jobs did not stop within the shutdown timeout; leaving them to be recovered as stalled');
    health.close();
    health.closeAllConnections();
    await services.recorder.close();
    await services.activity.close();
    await services.upstream.close();
    await database.close();
    await usageDb.close();
    mailer.close();
    await bus.close();
    await redis.close();
    await store.release();
    logger.info('worker stopped');
  };
  return {
    healthPort,
    shutdown: (reason) => {
      stopping ??= shutdown(reason);
      return stopping;
    },
  };
}
