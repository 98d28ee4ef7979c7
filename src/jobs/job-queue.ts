/**
 * The queue in front of the job runner. It carries only job ids: the jobs table is the outbox and
 * the source of truth, so a lost queue entry is recovered by the sweep (every runner re-enqueues
 * the table's unfinished jobs when it starts and then periodically), and a duplicate entry is
 * harmless (ids are deduplicated while queued or running; the runner ignores finished jobs).
 *
 * - In-process (no REDIS_URL): `serve` runs jobs itself with bounded concurrency.
 * - BullMQ (REDIS_URL): `serve` only enqueues; `switchboard worker` processes run the jobs. The
 *   BullMQ job id is the Switchboard job id, so re-enqueueing a job that is waiting or active is a
 *   no-op. Stopping a worker aborts its running jobs, which hand them back (removed from Redis
 *   as "done"); the next runner's sweep enqueues them again from the table.
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../platform/logger.js';

export const VIDEO_QUEUE_NAME = 'switchboard-video';

export interface JobQueue {
  enqueue(jobId: string): Promise<void>;
  close(): Promise<void>;
}

export interface JobProcessor {
  /** Runs a job until it finishes or the signal aborts. Must not throw. */
  run(jobId: string, signal: AbortSignal): Promise<void>;
}

export interface JobConsumer {
  /** Jobs currently running in this process. */
  active(): number;
  close(): Promise<void>;
}

/** ioredis options from a redis:// URL, so BullMQ owns (and closes) its own connections. */
export function redisConnectionOptions(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  const db = Number(url.pathname.replace(/^\//, '') || '0');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 6379),
    db: Number.isInteger(db) ? db : 0,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** Runs jobs in this process: a set of running ids, a FIFO of waiting ones, bounded concurrency. */
export function createInProcessJobs(processor: JobProcessor, options: { concurrency: number; logger: Logger }): JobQueue & JobConsumer {
  const controller = new AbortController();
  const running = new Map<string, Promise<void>>();
  const waiting: string[] = [];
  let closed = false;

  const pump = () => {
    while (!closed && running.size < options.concurrency && waiting.length > 0) {
      const jobId = waiting.shift()!;
      const done = processor
        .run(jobId, controller.signal)
        .catch((error: unknown) => options.logger.error({ err: error, job_id: jobId }, 'job runner failed'))
        .finally(() => {
          running.delete(jobId);
          pump();
        });
      running.set(jobId, done);
    }
  };

  return {
    async enqueue(jobId) {
      if (closed || running.has(jobId) || waiting.includes(jobId)) return;
      waiting.push(jobId);
      pump();
    },
    active: () => running.size,
    async close() {
      closed = true;
      waiting.length = 0;
      controller.abort();
      await Promise.all(running.values());
    },
  };
}

/** The queue name and stall timing; tests shorten them. */
export interface BullTuning {
  queueName?: string;
  /** How long a job stays locked to a worker that stops renewing it (it died). */
  lockDurationMs?: number;
  /** How often a worker looks for jobs whose lock lapsed. */
  stalledIntervalMs?: number;
}

/** The producer side on Redis: `serve` adds job ids. */
export function createBullJobQueue(redisUrl: string, logger: Logger, tuning: BullTuning = {}): JobQueue {
  const queue = new Queue(tuning.queueName ?? VIDEO_QUEUE_NAME, { connection: redisConnectionOptions(redisUrl) });
  // Without a listener an 'error' event would crash the process; a Redis outage is logged instead
  // (jobs stay in the table and are enqueued by the next sweep).
  queue.on('error', (error) => logger.warn({ err: error }, 'job queue connection error'));
  return {
    async enqueue(jobId) {
      await queue.add('video', { jobId }, { jobId, removeOnComplete: true, removeOnFail: true, attempts: 1 });
    },
    async close() {
      await queue.close();
    },
  };
}

/** The consumer side on Redis: a BullMQ Worker that hands each job id to the processor. */
export function createBullJobConsumer(
  redisUrl: string,
  processor: JobProcessor,
  options: { concurrency: number; logger: Logger; /** A job whose worker died was taken back (switchboard_jobs_total{state="stalled"}). */ onStalled?: () => void },
  tuning: BullTuning = {},
): JobConsumer {
  const controller = new AbortController();
  let active = 0;
  const worker = new Worker<{ jobId: string }>(
    tuning.queueName ?? VIDEO_QUEUE_NAME,
    async (job) => {
      active += 1;
      try {
        await processor.run(job.data.jobId, controller.signal);
      } finally {
        active -= 1;
      }
    },
    // A worker killed without a goodbye leaves its jobs active in Redis; BullMQ's stall check hands
    // them to another worker once the lock lapses (and the table sweep catches anything else).
    {
      connection: redisConnectionOptions(redisUrl),
      concurrency: options.concurrency,
      lockDuration: tuning.lockDurationMs ?? 30_000,
      stalledInterval: tuning.stalledIntervalMs ?? 15_000,
    },
  );
  worker.on('error', (error) => options.logger.warn({ err: error }, 'job queue connection error'));
  worker.on('stalled', (jobId) => {
    options.logger.warn({ job_id: jobId }, 'a job whose worker stopped answering was taken back');
    options.onStalled?.();
  });
  return {
    active: () => active,
    async close() {
      controller.abort();
      await worker.close();
    },
  };
}
