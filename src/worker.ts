/**
 * `switchboard worker`: runs queued jobs (video generation) from the BullMQ queue on Redis. It
 * needs what a job needs and nothing of the HTTP side: the database (the jobs table and the
 * vault's encrypted keys), the master key to decrypt them, the pooled upstream client, the usage
 * recorder, and Redis for the queue and for cache invalidation when an integration changes.
 *
 * Without REDIS_URL there is no queue to share: `serve` runs jobs in-process, so the worker
 * refuses to start and says so.
 */
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
  shutdown(reason: string): Promise<void>;
}

export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  if (!config.redisUrl) {
    throw new ConfigError([
      'REDIS_URL: `switchboard worker` takes jobs from the queue on Redis. Without REDIS_URL, `switchboard serve` runs jobs in-process and no worker is needed.',
    ]);
  }
  const keyring = loadKeyring(config, logger);
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
    metrics: createMetrics({ version: packageVersion() }),
    bus,
    redis,
    mailer,
  });
  const jobs = await startJobRuntime({ config, services, logger, consume: true });
  logger.info({ concurrency: config.jobs.concurrency }, 'switchboard worker is running');

  let stopping: Promise<void> | undefined;
  const shutdown = async (reason: string) => {
    logger.info({ reason }, 'worker shutting down: handing running jobs back');
    await jobs.close();
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
    shutdown: (reason) => {
      stopping ??= shutdown(reason);
      return stopping;
    },
  };
}
