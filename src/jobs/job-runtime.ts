/**
 * Starts the job machinery of one process: the queue new jobs go into and, where this process
 * runs jobs (`serve` without Redis, or `worker`), the consumer plus the table sweep that
 * re-enqueues unfinished jobs at start and every SWEEP_INTERVAL_MS (the outbox recovery).
 */
import type { Metrics } from '../platform/metrics.js';
import { startWorkerHeartbeat } from './worker-heartbeat.js';
import type { Config } from '../config.js';
import type { Logger } from '../platform/logger.js';
import type { PlatformServices } from '../services.js';
import { createBullJobConsumer, createBullJobQueue, createInProcessJobs, type JobConsumer, type JobQueue } from './job-queue.js';
import { createVideoRunner } from './video-runner.js';
import { createWebhookSender } from './webhooks.js';

const SWEEP_INTERVAL_MS = 30_000;

export interface JobRuntime {
  queue: JobQueue;
  /** Whether this process runs jobs. */
  consuming: boolean;
  /** Re-enqueues the table's unfinished jobs (also run at start and periodically). */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

export type JobServices = Pick<PlatformServices, 'videoJobs' | 'integrations' | 'upstream' | 'catalog' | 'recorder' | 'providers' | 'budgetEnforcer'> & Partial<Pick<PlatformServices, 'redis'>>;

export async function startJobRuntime(input: {
  config: Pick<Config, 'redisUrl' | 'jobs' | 'webhooks' | 'providerBaseUrls' | 'allowPrivateUpstreams'>;
  services: JobServices;
  logger: Logger;
  consume: boolean;
  /** switchboard_jobs_total{queue,state}: counted when a job is metered (completed or failed) or taken back from a dead worker (stalled). */
  metrics?: Pick<Metrics, 'jobs' | 'enabled'>;
}): Promise<JobRuntime> {
  const { config, services } = input;
  const logger = input.logger.child({ component: 'jobs' });
  const runner = createVideoRunner({
    store: services.videoJobs,
    integrations: services.integrations,
    upstream: services.upstream,
    catalog: services.catalog,
    recorder: input.metrics?.enabled
      ? {
          record(row) {
            input.metrics?.jobs.inc({ queue: 'video', state: row.status !== undefined && row.status < 400 ? 'completed' : 'failed' });
            services.recorder.record(row);
          },
        }
      : services.recorder,
    budgets: services.budgetEnforcer,
    adapters: services.providers.video,
    providerBaseUrls: config.providerBaseUrls,
    allowPrivateUpstreams: config.allowPrivateUpstreams,
    pollIntervalMs: config.jobs.videoPollIntervalMs,
    deadlineSeconds: config.jobs.videoDeadlineSeconds,
    webhooks: createWebhookSender({ upstream: services.upstream, ...config.webhooks, logger }),
    logger,
  });

  let queue: JobQueue;
  let consumer: JobConsumer | undefined;
  // Without Redis there is no other process to run jobs: this one always does.
  const consuming = input.consume || !config.redisUrl;
  if (!config.redisUrl) {
    const local = createInProcessJobs(runner, { concurrency: config.jobs.concurrency, logger });
    queue = local;
    consumer = local;
  } else {
    queue = createBullJobQueue(config.redisUrl, logger);
    if (consuming) consumer = createBullJobConsumer(config.redisUrl, runner, {
        concurrency: config.jobs.concurrency,
        logger,
        onStalled: () => {
          if (input.metrics?.enabled) input.metrics.jobs.inc({ queue: 'video', state: 'stalled' });
        },
      });
  }

  const sweep = async (): Promise<number> => {
    const ids = await services.videoJobs.listUnfinished();
    for (const id of ids) await queue.enqueue(id);
    return ids.length;
  };
  let timer: NodeJS.Timeout | undefined;
  let stopHeartbeat: (() => void) | undefined;
  if (consuming) {
    stopHeartbeat = startWorkerHeartbeat(services.redis);
    const resumed = await sweep();
    if (resumed > 0) logger.info({ jobs: resumed }, 'unfinished jobs taken up from the table');
    timer = setInterval(() => {
      sweep().catch((error: unknown) => logger.warn({ err: error }, 'job sweep failed'));
    }, SWEEP_INTERVAL_MS);
    timer.unref();
  }
  logger.info({ mode: config.redisUrl ? 'bullmq' : 'in-process', consuming }, 'job runtime started');

  return {
    queue,
    consuming,
    sweep,
    async close() {
      if (timer) clearInterval(timer);
      stopHeartbeat?.();
      await consumer?.close();
      if ((queue as unknown) !== consumer) await queue.close();
    },
  };
}
