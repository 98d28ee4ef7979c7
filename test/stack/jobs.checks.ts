/**
 * OPS.md check 9 on the loopback stack: a video job goes in through replica A, the `worker`
 * process runs it against the fake video task API (an openai_compatible integration), and replica
 * B reads it completed. Then the worker is killed with SIGKILL mid-job and started again: the job
 * still completes, with one task created at the provider and one usage row. BullMQ hands a job of
 * a killed worker on only once its lock lapses (up to ~45 s), so that recovery is awaited after
 * the checks of 6–8 (`jobRecoveryChecks`), which do not need the worker. Last, SIGTERM mid-job:
 * the worker exits within its grace period and the job completes after a restart.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../helpers/test-database.js';
import { api, isAlive, SHUTDOWN_TIMEOUT_MS, VIDEO_KEY, waitFor, type StackContext } from './harness.js';

const MODEL = 'openai_compatible/wan-2.1';

const sdk = (base: string, token: string) => new OpenAI({ apiKey: token, baseURL: `${base}/v1`, maxRetries: 0 });

async function videoUsageRows(ctx: StackContext): Promise<number> {
  const rows = await queryRows<{ n: string }>(ctx.stack.database.url, "select count(*) as n from usage_records where operation = 'video'");
  return Number(rows[0]!.n);
}

const taskCreations = (ctx: StackContext) => ctx.stack.videos.requests.filter((entry) => entry.method === 'POST').length;

async function startJob(ctx: StackContext, prompt: string): Promise<string> {
  const created = await sdk(ctx.stack.replica.a, ctx.owner.token).videos.create({ model: MODEL as 'sora-2', prompt, seconds: '4' });
  // Wait until the worker is polling the provider's task: mid-job.
  await waitFor(`${prompt}: in progress`, async () => {
    const video = await sdk(ctx.stack.replica.b, ctx.owner.token).videos.retrieve(created.id);
    return video.status === 'in_progress' && video.progress > 0 ? true : undefined;
  }, 30_000, 100);
  return created.id;
}

async function completedThroughB(ctx: StackContext, id: string, ms: number) {
  return waitFor(`video ${id} completed (read through replica B)`, async () => {
    const video = await sdk(ctx.stack.replica.b, ctx.owner.token).videos.retrieve(id);
    if (video.status === 'failed') throw new Error(`video ${id} failed: ${JSON.stringify(video.error)}`);
    return video.status === 'completed' ? video : undefined;
  }, ms, 200);
}

async function waitForExit(pid: number, ms: number): Promise<number> {
  const started = performance.now();
  await waitFor(`process ${pid} to exit`, () => (isAlive(pid) ? undefined : true), ms, 50);
  return performance.now() - started;
}

let killedJob: string | undefined;
let jobsStarted = 0;

export function jobChecks(ctx: () => StackContext): void {
  describe('job hand-off between serve and worker (check 9)', () => {
    it('a video created through replica A is run by the worker and read completed through replica B', async () => {
      const context = ctx();
      const integration = await api(context.stack.edge, '/api/integrations', {
        token: context.owner.token,
        body: { service: 'openai_compatible', api_key: VIDEO_KEY, base_url: context.stack.videos.baseUrl },
      });
      expect(integration.status, integration.body).toBe(201);
      const id = await startJob(context, 'Stack hand-off waves');
      jobsStarted += 1;
      expect(await completedThroughB(context, id, 30_000)).toMatchObject({ status: 'completed', progress: 100, seconds: '4' });
      expect(taskCreations(context)).toBe(jobsStarted);
      await waitFor('one usage row', async () => ((await videoUsageRows(context)) === jobsStarted ? true : undefined), 10_000);
      expect(context.stack.log('worker')).toContain('video job submitted to the provider');
      expect(context.stack.log('a')).not.toContain('video job submitted');
    });

    it('kill -9 of the worker mid-job, then a new worker: the job is taken up again (completion checked after checks 6–8)', async () => {
      const context = ctx();
      killedJob = await startJob(context, 'Stack kill -9 waves');
      jobsStarted += 1;
      const pid = context.stack.pidOf('worker');
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
      await context.stack.start('worker');
      await waitFor('the new worker /healthz', async () => ((await fetch(`${context.stack.workerHealth}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined), 30_000, 100);
      expect(context.stack.pidOf('worker')).not.toBe(pid);
    });
  });
}

export function jobRecoveryChecks(ctx: () => StackContext): void {
  describe('job recovery (check 9, continued)', () => {
    it('the job of the killed worker completes, with one task created at the provider and one usage row', async () => {
      const context = ctx();
      expect(killedJob).toBeDefined();
      // BullMQ's stall check takes it up once the dead worker's 30 s lock lapses.
      await completedThroughB(context, killedJob!, 75_000);
      expect(taskCreations(context)).toBe(jobsStarted);
      await waitFor('one usage row per job', async () => ((await videoUsageRows(context)) === jobsStarted ? true : undefined), 10_000);
      expect(await videoUsageRows(context)).toBe(jobsStarted);
    }, 90_000);

    it('SIGTERM mid-job: the worker exits within its grace period and the job completes after a restart', async () => {
      const context = ctx();
      const id = await startJob(context, 'Stack SIGTERM waves');
      jobsStarted += 1;
      const pid = context.stack.pidOf('worker');
      process.kill(pid, 'SIGTERM');
      expect(await waitForExit(pid, SHUTDOWN_TIMEOUT_MS + 5_000)).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      expect(context.stack.log('worker')).toContain('worker stopped');
      await context.stack.start('worker');
      await completedThroughB(context, id, 30_000);
      expect(taskCreations(context)).toBe(jobsStarted);
      await waitFor('one usage row per job', async () => ((await videoUsageRows(context)) === jobsStarted ? true : undefined), 10_000);
      expect(context.stack.log('worker')).toContain('video job resumed: polling the provider task');
    }, 60_000);
  });
}
