/**
 * A BullMQ job whose worker dies (its lock is never renewed) is taken back by another worker,
 * which reports it through `onStalled` (switchboard_jobs_total{state="stalled"}) and runs it.
 * Real Redis; lock and stall-check intervals shortened so it takes seconds, not 45 s.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createBullJobConsumer, createBullJobQueue, type JobQueue } from '../src/jobs/job-queue.js';
import { createLogger } from '../src/platform/logger.js';
import { testRedisUrl } from './helpers/test-redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const logger = createLogger({ level: 'silent' });
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

describe('BullMQ consumer', () => {
  it('takes back a job whose worker died, counts it as stalled, and runs it', async () => {
    const redisUrl = testRedisUrl();
    const tuning = { queueName: `test-stalled-${randomBytes(4).toString('hex')}`, lockDurationMs: 1_000, stalledIntervalMs: 300 };
    const started: string[] = [];
    let stalled = 0;

    // The first worker is another process that takes the job and is then killed with SIGKILL:
    // it never renews the lock nor hands the job back.
    const queue: JobQueue = createBullJobQueue(redisUrl, logger, tuning);
    closers.push(() => queue.close());
    const dying = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createBullJobConsumer } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/jobs/job-queue.js')).href)};
         const logger = { warn() {}, info() {}, error() {}, debug() {}, child() { return logger; } };
         createBullJobConsumer(process.env.REDIS_URL, { run: (id) => { console.log('took ' + id); return new Promise(() => {}); } }, { concurrency: 1, logger }, JSON.parse(process.env.TUNING));`,
      ],
      { env: { ...process.env, REDIS_URL: redisUrl, TUNING: JSON.stringify(tuning) }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    closers.push(async () => void dying.kill('SIGKILL'));
    const took = await new Promise<string>((resolve, reject) => {
      dying.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      dying.once('exit', (code) => reject(new Error(`the first worker exited (${code}) before taking the job`)));
      void queue.enqueue('job_1');
    });
    started.push(`dying:${took.replace('took ', '')}`);
    dying.kill('SIGKILL');
    await once(dying, 'exit');

    let ran!: () => void;
    const rerun = new Promise<void>((resolve) => (ran = resolve));
    const survivor = createBullJobConsumer(
      redisUrl,
      {
        run: async (jobId) => {
          started.push(`survivor:${jobId}`);
          ran();
        },
      },
      { concurrency: 1, logger, onStalled: () => (stalled += 1) },
      tuning,
    );
    closers.push(() => survivor.close());
    await Promise.race([rerun, new Promise((_, reject) => setTimeout(() => reject(new Error('the stalled job was not taken back within 10 s')), 10_000))]);

    expect(stalled).toBe(1);
    expect(started).toEqual(['dying:job_1', 'survivor:job_1']);
  }, 20_000);
});
