/**
 * Runs one video job to its end: submit to the provider (once: the provider's task id is stored
 * before anything else happens), poll until the task finishes or the deadline passes, store
 * progress and the result, meter (success and failure alike), and send the webhook.
 *
 * Invariants that make restarts safe:
 * - The jobs table is the truth. A runner that is stopped (its signal aborts) leaves the job as it
 *   is; the next runner resumes it from the table — polling the stored task id, not re-submitting.
 * - A job is metered exactly when it reaches `completed` or `failed`, by the runner that moved it.
 * - The provider key is decrypted at run time through the vault, never stored with the job.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BudgetEnforcer } from '../metering/budgets/budget-enforcer.js';
import { buildUsageRecord, readErrorResponse, readJson, resolveCallerCredential } from '../gateway/gateway-call.js';
import type { GatewayDeps } from '../gateway/gateway-call.js';
import type { CallContext, ServiceId, UpstreamRequest, VideoAdapter, VideoCreateRequest } from '../gateway/providers/provider.js';
import type { UpstreamResponse } from '../gateway/upstream-client.js';
import { isAbort } from '../gateway/upstream-client.js';
import { AppError, toAppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { toVideoObject } from './video-object.js';
import type { VideoJob, VideoJobsStore } from './video-jobs.store.js';
import type { WebhookSender } from './webhooks.js';

/** Failures that say the provider did not take the task: safe to submit again. */
const SUBMIT_RETRY_CODES = new Set(['provider_rate_limited', 'provider_overloaded']);
const SUBMIT_MAX_ATTEMPTS = 5;
const SUBMIT_BASE_DELAY_MS = 1_000;
const SUBMIT_MAX_DELAY_MS = 60_000;

export interface VideoRunnerDeps {
  store: Pick<VideoJobsStore, 'findById' | 'update'>;
  integrations: GatewayDeps['integrations'];
  upstream: GatewayDeps['upstream'];
  catalog: GatewayDeps['catalog'];
  recorder: GatewayDeps['recorder'];
  /** Settles the budget reservation the job was created with (absent: no budgets). */
  budgets?: Pick<BudgetEnforcer, 'settleHeld'>;
  adapters: Partial<Record<ServiceId, VideoAdapter>>;
  providerBaseUrls: Record<ServiceId, string | undefined>;
  /** The operator allows integration base URLs on private addresses (tests, on-premises). */
  allowPrivateUpstreams: boolean;
  pollIntervalMs: number;
  deadlineSeconds: number;
  webhooks: WebhookSender;
  logger: Logger;
}

/** What a resolved credential means for one job: the adapter's context and the pool to use. */
export interface JobCredential {
  ctx: CallContext;
  integrationId: string;
  guarded: boolean;
}

/** The job owner's credential for the job's service, as the request that created it resolved it. */
export async function jobCredential(
  deps: Pick<VideoRunnerDeps, 'integrations' | 'providerBaseUrls' | 'allowPrivateUpstreams'>,
  job: VideoJob,
): Promise<JobCredential> {
  const payload = job.payload;
  const service = payload.service as ServiceId;
  const credential = await resolveCallerCredential(
    deps.integrations,
    { userId: payload.userId, isAdmin: false, ...(payload.teamId ? { teamId: payload.teamId } : {}) },
    service,
  );
  const baseUrl = credential.baseUrl ?? deps.providerBaseUrls[service];
  if (!baseUrl) throw new AppError('invalid_request', { message: `The ${service} integration has no base_url.` });
  return {
    integrationId: credential.integrationId,
    guarded: credential.baseUrl !== null && !deps.allowPrivateUpstreams,
    ctx: {
      model: payload.model,
      apiKey: credential.apiKey,
      baseUrl,
      requestId: payload.requestId,
      createdAt: Math.floor(Date.now() / 1000),
      includeUsage: false,
    },
  };
}

export function toCreateRequest(job: VideoJob): VideoCreateRequest {
  const request = job.payload.request;
  return { model: job.payload.model, ...request };
}

export function createVideoRunner(deps: VideoRunnerDeps) {
  const log = deps.logger;

  async function send(request: UpstreamRequest, credential: JobCredential, signal: AbortSignal): Promise<UpstreamResponse> {
    return deps.upstream.send(request, { signal, guarded: credential.guarded });
  }

  /** Sends a request and reads its JSON, mapping an error status through the adapter. */
  async function exchange(adapter: VideoAdapter, request: UpstreamRequest, credential: JobCredential, signal: AbortSignal): Promise<unknown> {
    const response = await send(request, credential, signal);
    if (response.status >= 400) throw adapter.mapError(await readErrorResponse(response), credential.ctx);
    return readJson(response);
  }

  function meter(job: VideoJob, integrationId: string | null, outcome: { status: number; videoSeconds?: number; error?: AppError }) {
    const payload = job.payload;
    const record = buildUsageRecord(deps.catalog, {
      requestId: payload.requestId,
      principal: { userId: payload.userId, ...(payload.teamId ? { teamId: payload.teamId } : {}), ...(payload.keyId ? { keyId: payload.keyId } : {}) },
      integrationId,
      target: { service: payload.service as ServiceId, model: payload.model },
      operation: 'video',
      stream: false,
      latencyMs: Date.now() - job.createdAt.getTime(),
      outcome: {
        status: outcome.status,
        ...(outcome.videoSeconds !== undefined ? { usage: { videoSeconds: outcome.videoSeconds } } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      },
    });
    deps.recorder.record(record);
    if (payload.budgets) deps.budgets?.settleHeld(payload.budgets, record.costMicros ?? null);
  }

  async function notify(jobId: string, signal: AbortSignal): Promise<void> {
    const job = await deps.store.findById(jobId);
    if (!job?.payload.webhookUrl) return;
    const video = toVideoObject(job);
    const delivery = await deps.webhooks.send(
      job.payload.webhookUrl,
      { id: `msg_${job.id}_${job.status}`, type: video.status === 'completed' ? 'video.completed' : 'video.failed', data: video },
      signal,
    );
    // Stopped mid-delivery: leave it unrecorded so the next runner's sweep sends it.
    if (signal.aborted && !delivery.delivered) return;
    await deps.store.update(job.id, { result: { ...job.result, webhook: delivery } });
  }

  async function finish(job: VideoJob, integrationId: string, result: { taskId: string; videoUrl?: string; seconds: number }, signal: AbortSignal) {
    await deps.store.update(job.id, {
      status: 'completed',
      progress: 100,
      error: null,
      result: {
        providerTaskId: result.taskId,
        ...(result.videoUrl ? { videoUrl: result.videoUrl } : {}),
        seconds: result.seconds,
        completedAt: Math.floor(Date.now() / 1000),
      },
    });
    meter(job, integrationId, { status: 200, videoSeconds: result.seconds });
    log.info({ job_id: job.id, service: job.payload.service, seconds: result.seconds }, 'video job completed');
    await notify(job.id, signal);
  }

  async function fail(job: VideoJob, integrationId: string | null, error: AppError, signal: AbortSignal) {
    const current = await deps.store.findById(job.id);
    await deps.store.update(job.id, {
      status: 'failed',
      error: { code: error.code, message: error.publicMessage, source: error.source },
      ...(current?.result ? { result: current.result } : {}),
    });
    meter(job, integrationId, { status: error.status, error });
    log.info({ job_id: job.id, service: job.payload.service, code: error.code }, 'video job failed');
    await notify(job.id, signal);
  }

  /**
   * Submits the task. A provider that answered "rate limited" or "overloaded" did not take it, so
   * that is retried (Retry-After honoured, else jittered exponential backoff) within the job's
   * deadline; any other failure is the job's (a 500 may have created a task: never submit twice).
   * Answers undefined when the runner is stopping.
   */
  async function submit(job: VideoJob, adapter: VideoAdapter, request: VideoCreateRequest, credential: JobCredential, signal: AbortSignal) {
    const deadline = job.createdAt.getTime() + deps.deadlineSeconds * 1000;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return adapter.parseCreateResponse(await exchange(adapter, adapter.buildCreateRequest(request, credential.ctx), credential, signal), credential.ctx);
      } catch (error) {
        if (signal.aborted || isAbort(error)) return undefined;
        const appError = toAppError(error);
        if (!SUBMIT_RETRY_CODES.has(appError.code) || attempt >= SUBMIT_MAX_ATTEMPTS) throw appError;
        const wait = appError.retryAfterSeconds !== undefined ? appError.retryAfterSeconds * 1000 : Math.round(Math.random() * Math.min(SUBMIT_MAX_DELAY_MS, SUBMIT_BASE_DELAY_MS * 2 ** (attempt - 1)));
        if (wait > SUBMIT_MAX_DELAY_MS || Date.now() + wait > deadline) throw appError;
        log.warn({ job_id: job.id, code: appError.code, retry_in_ms: wait }, 'video submit refused by the provider; retrying');
        try {
          await sleep(wait, undefined, { signal });
        } catch {
          return undefined;
        }
      }
    }
  }

  /** Waits one poll interval; false when the runner is stopping. */
  async function pause(signal: AbortSignal): Promise<boolean> {
    try {
      await sleep(deps.pollIntervalMs, undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }

  return {
    /** Runs (or resumes) a job; returns when it is finished or the signal aborts. Never throws. */
    async run(jobId: string, signal: AbortSignal): Promise<void> {
      const job = await deps.store.findById(jobId);
      if (!job) return;
      if (job.status !== 'queued' && job.status !== 'running') {
        // Finished, but the process stopped before its webhook was attempted: send it now.
        if (job.payload.webhookUrl && !job.result?.webhook) await notify(job.id, signal).catch((error: unknown) => log.warn({ err: error, job_id: job.id }, 'webhook not sent'));
        return;
      }
      const adapter = deps.adapters[job.payload.service as ServiceId];
      let integrationId: string | null = job.payload.integrationId;
      try {
        if (!adapter) throw new AppError('invalid_request', { message: `The ${job.payload.service} service does not offer video generation.` });
        const credential = await jobCredential(deps, job);
        integrationId = credential.integrationId;
        const request = toCreateRequest(job);
        let taskId = job.result?.providerTaskId;
        if (!taskId) {
          await deps.store.update(job.id, { status: 'running', attempts: job.attempts + 1 });
          const created = await submit(job, adapter, request, credential, signal);
          if (!created) return;
          taskId = created.taskId;
          await deps.store.update(job.id, { result: { providerTaskId: taskId } });
          log.info({ job_id: job.id, service: job.payload.service }, 'video job submitted to the provider');
        } else {
          log.info({ job_id: job.id, service: job.payload.service }, 'video job resumed: polling the provider task');
        }
        const deadline = job.createdAt.getTime() + deps.deadlineSeconds * 1000;
        let progress = job.progress;
        for (;;) {
          if (!(await pause(signal))) return;
          if (Date.now() > deadline) throw new AppError('video_deadline_exceeded');
          let state;
          try {
            state = adapter.parsePollResponse(await exchange(adapter, adapter.buildPollRequest(taskId, credential.ctx), credential, signal), request, credential.ctx);
          } catch (error) {
            if (signal.aborted || isAbort(error)) return;
            const appError = toAppError(error);
            // A provider hiccup while polling is not the job's failure: poll again until the deadline.
            if (appError.retryable) {
              log.warn({ job_id: job.id, code: appError.code }, 'video poll failed; retrying');
              continue;
            }
            throw appError;
          }
          if (state.status === 'completed') {
            await finish(job, credential.integrationId, { taskId, seconds: state.seconds, ...(state.videoUrl ? { videoUrl: state.videoUrl } : {}) }, signal);
            return;
          }
          if (state.status === 'failed') {
            throw new AppError('video_generation_failed', {
              message: `The provider could not generate the video (${state.error.code}): ${state.error.message}`.slice(0, 600),
            });
          }
          const next = state.progress ?? progress;
          if (next !== progress || job.status === 'queued') {
            progress = next;
            await deps.store.update(job.id, { status: 'running', progress });
          }
        }
      } catch (error) {
        if (signal.aborted || isAbort(error)) return;
        const appError = toAppError(error);
        try {
          await fail(job, integrationId, appError, signal);
        } catch (storeError) {
          log.error({ err: storeError, job_id: job.id }, 'could not record the video job failure');
        }
      }
    },
  };
}

export type VideoRunner = ReturnType<typeof createVideoRunner>;
