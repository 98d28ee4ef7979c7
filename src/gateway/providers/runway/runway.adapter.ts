/**
 * RunwayML video generation (task API): OpenAI's video request in, Runway's task out.
 *
 * Wire format checked against Runway's official Node SDK (github.com/runwayml/sdk-node,
 * src/resources/{text-to-video,image-to-video,tasks}.ts) and docs.dev.runwayml.com:
 * `POST {base}/v1/text_to_video` {model, promptText, ratio "1280:720", duration} or
 * `POST {base}/v1/image_to_video` {…, promptImage} → `{id}`; `GET {base}/v1/tasks/{id}` →
 * {id, createdAt, status PENDING | THROTTLED | RUNNING | SUCCEEDED | FAILED | CANCELLED,
 * progress 0–1 (RUNNING), output [urls] (SUCCEEDED, pre-signed, expire in 24–48 h),
 * failure, failureCode}. Every request carries `Authorization: Bearer <key>` and
 * `X-Runway-Version: 2024-11-06`. Error bodies are `{"error": "...", "issues"?: [...]}`.
 *
 * Mapping: `size` "1280x720" → `ratio` "1280:720"; `seconds` → `duration` (default 5, veo3*
 * models 8, which is what Runway accepts); `input_reference` (an image URL) switches to
 * image_to_video. Runway does not report the generated length, so the requested duration is
 * what is metered.
 */
import { AppError } from '../../../platform/errors.js';
import { scrubSecrets } from '../../../platform/redact.js';
import { parseRetryAfter } from '../retry-after.js';
import type { CallContext, UpstreamErrorResponse, UpstreamRequest, VideoAdapter, VideoCreateRequest, VideoTaskState } from '../provider.js';

export const RUNWAY_VERSION = '2024-11-06';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const headers = (ctx: CallContext, json: boolean): Record<string, string> => ({
  authorization: `Bearer ${ctx.apiKey}`,
  'x-runway-version': RUNWAY_VERSION,
  accept: 'application/json',
  ...(json ? { 'content-type': 'application/json' } : {}),
});

/** The duration Runway is asked for (and the seconds metered). */
export function runwayDuration(request: VideoCreateRequest, model: string): number {
  if (request.seconds !== undefined) {
    const seconds = Number(request.seconds);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) {
      throw new AppError('invalid_request', { param: 'seconds', message: 'seconds must be a whole number of seconds (Runway accepts 2–10, by model).' });
    }
    return seconds;
  }
  return model.startsWith('veo3') ? 8 : 5;
}

function toRatio(size: string | undefined): string | undefined {
  if (size === undefined) return undefined;
  const match = /^(\d{2,5})[x:](\d{2,5})$/.exec(size);
  if (!match) throw new AppError('invalid_request', { param: 'size', message: 'size must be "<width>x<height>", e.g. "1280x720".' });
  return `${match[1]}:${match[2]}`;
}

function buildCreateRequest(request: VideoCreateRequest, ctx: CallContext): UpstreamRequest {
  const body: Record<string, unknown> = {
    model: ctx.model,
    promptText: request.prompt,
    ratio: toRatio(request.size) ?? '1280:720',
    duration: runwayDuration(request, ctx.model),
  };
  const imageToVideo = request.input_reference !== undefined;
  if (imageToVideo) body.promptImage = request.input_reference;
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/v1/${imageToVideo ? 'image_to_video' : 'text_to_video'}`,
    headers: headers(ctx, true),
    body: JSON.stringify(body),
  };
}

function parseCreateResponse(body: unknown): { taskId: string } {
  if (!isRecord(body) || typeof body.id !== 'string' || body.id.length === 0) {
    throw new AppError('provider_error', { message: 'Runway answered the video request without a task id.' });
  }
  return { taskId: body.id };
}

function parsePollResponse(body: unknown, request: VideoCreateRequest, ctx: CallContext): VideoTaskState {
  if (!isRecord(body) || typeof body.status !== 'string') {
    throw new AppError('provider_error', { message: 'Runway answered the task status without a status.' });
  }
  switch (body.status) {
    case 'PENDING':
    case 'THROTTLED':
      return { status: 'queued', progress: 0 };
    case 'RUNNING': {
      const progress = typeof body.progress === 'number' ? Math.max(0, Math.min(99, Math.round(body.progress * 100))) : undefined;
      return { status: 'in_progress', ...(progress !== undefined ? { progress } : {}) };
    }
    case 'SUCCEEDED': {
      const output = Array.isArray(body.output) ? body.output.filter((url): url is string => typeof url === 'string') : [];
      if (output.length === 0) throw new AppError('provider_error', { message: 'Runway reported the task as succeeded without an output URL.' });
      return { status: 'completed', videoUrl: output[0]!, seconds: runwayDuration(request, ctx.model), progress: 100 };
    }
    case 'FAILED':
      return {
        status: 'failed',
        error: {
          code: typeof body.failureCode === 'string' ? body.failureCode : 'FAILED',
          message: typeof body.failure === 'string' ? body.failure.slice(0, 500) : 'Runway reported the task as failed.',
        },
      };
    case 'CANCELLED':
      return { status: 'failed', error: { code: 'CANCELLED', message: 'The task was cancelled at Runway.' } };
    default:
      throw new AppError('provider_error', { message: `Runway answered an unknown task status "${body.status.slice(0, 40)}".` });
  }
}

function mapRunwayError(response: UpstreamErrorResponse, ctx: CallContext): AppError {
  let message: string | undefined;
  try {
    const parsed = JSON.parse(response.body) as unknown;
    if (isRecord(parsed) && typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // A body that is not JSON still maps by status.
  }
  const detail = message ? `: ${scrubSecrets(message, [ctx.apiKey]).slice(0, 500)}` : '';
  const status = response.status;
  if (status === 401) return new AppError('provider_key_rejected', { message: `Runway rejected the API key stored in your integration${detail}` });
  if (status === 403) return new AppError('provider_permission_denied', { message: `Runway refused this request for your key${detail}` });
  if (status === 404) return new AppError('provider_model_not_found', { message: `Runway could not find this model or task${detail}` });
  if (status === 429) {
    const retryAfter = parseRetryAfter(response.headers['retry-after'], ctx.createdAt);
    return new AppError('provider_rate_limited', {
      message: `Runway is rate limiting your key${detail}`,
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  if (status >= 400 && status < 500) {
    return new AppError('provider_bad_request', { status: status === 422 ? 400 : status, message: `Runway rejected the request${detail}` });
  }
  if (status === 503) return new AppError('provider_overloaded', { message: `Runway is overloaded${detail}` });
  if (status === 504) return new AppError('provider_timeout', { message: `Runway timed out${detail}` });
  return new AppError('provider_error', { message: `Runway failed (HTTP ${status})${detail}` });
}

export const runwayAdapter: VideoAdapter = {
  service: 'runway',
  buildCreateRequest,
  parseCreateResponse,
  buildPollRequest: (taskId, ctx) => ({ method: 'GET', url: `${ctx.baseUrl}/v1/tasks/${encodeURIComponent(taskId)}`, headers: headers(ctx, false) }),
  parsePollResponse,
  // Output URLs are pre-signed on Runway's storage host: fetched without the key.
  buildContentRequest: (_taskId, videoUrl) => {
    if (!videoUrl) throw new AppError('provider_error', { message: 'Runway returned no output URL for this video.' });
    return { method: 'GET', url: videoUrl, headers: { accept: '*/*' } };
  },
  mapError: mapRunwayError,
};
