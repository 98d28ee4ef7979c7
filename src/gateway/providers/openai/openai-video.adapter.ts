/**
 * OpenAI's video API (Sora: `sora-2`, `sora-2-pro`), and any custom video API that speaks the
 * same shape (`openai_compatible` at the integration's base_url).
 *
 * Wire format checked against the openai-node 6.49 `videos` resource (node_modules/openai/
 * resources/videos.{js,d.ts}): `POST {base}/videos` is sent as multipart/form-data
 * (`multipartFormRequestOptions`) with the text fields prompt, model, seconds ("4" | "8" | "12"),
 * size ("720x1280" …); `GET {base}/videos/{id}` answers the Video object (status queued |
 * in_progress | completed | failed, progress 0–100, seconds as a string, error {code, message});
 * `GET {base}/videos/{id}/content` answers the MP4 bytes (`Accept: application/binary`).
 * Errors are OpenAI's `{"error":{message,type,param,code}}` and map like chat errors.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../platform/errors.js';
import type { CallContext, ServiceId, UpstreamRequest, VideoAdapter, VideoCreateRequest, VideoTaskState } from '../provider.js';
import { mapOpenAIError } from './map-openai-error.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A multipart/form-data body of text fields, as the SDK's FormData encoding produces it. */
export function multipartBody(fields: Array<[string, string]>, boundary: string): string {
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return `${parts.join('')}--${boundary}--\r\n`;
}

/** Boundaries are random per request, as the SDK's are; tests pass a fixed one through `ctx.requestId`. */
const boundaryFor = (ctx: CallContext) => `----switchboard${ctx.requestId.replace(/[^A-Za-z0-9]/g, '')}${randomBytes(4).toString('hex')}`;

function buildCreateRequest(request: VideoCreateRequest, ctx: CallContext): UpstreamRequest {
  if (request.input_reference !== undefined) {
    throw new AppError('unsupported_parameter', {
      param: 'input_reference',
      message: 'input_reference is not supported for OpenAI video models through Switchboard yet (it needs a file upload). Send a text prompt only.',
    });
  }
  const fields: Array<[string, string]> = [
    ['prompt', request.prompt],
    ['model', ctx.model],
  ];
  if (request.seconds !== undefined) fields.push(['seconds', String(request.seconds)]);
  if (request.size !== undefined) fields.push(['size', request.size]);
  const boundary = boundaryFor(ctx);
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/videos`,
    headers: {
      authorization: `Bearer ${ctx.apiKey}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      accept: 'application/json',
    },
    body: multipartBody(fields, boundary),
  };
}

function parseCreateResponse(body: unknown): { taskId: string } {
  if (!isRecord(body) || typeof body.id !== 'string' || body.id.length === 0) {
    throw new AppError('provider_error', { message: 'The provider answered the video request without a video id.' });
  }
  return { taskId: body.id };
}

function parsePollResponse(body: unknown, request: VideoCreateRequest): VideoTaskState {
  if (!isRecord(body) || typeof body.status !== 'string') {
    throw new AppError('provider_error', { message: 'The provider answered the video status without a status.' });
  }
  const progress = typeof body.progress === 'number' ? Math.max(0, Math.min(100, Math.round(body.progress))) : undefined;
  switch (body.status) {
    case 'queued':
    case 'in_progress':
      return { status: body.status, ...(progress !== undefined ? { progress } : {}) };
    case 'completed': {
      const seconds = Number(body.seconds ?? request.seconds ?? 4);
      return { status: 'completed', seconds: Number.isFinite(seconds) ? seconds : 0, progress: 100 };
    }
    case 'failed': {
      const error = isRecord(body.error) ? body.error : {};
      return {
        status: 'failed',
        error: {
          code: typeof error.code === 'string' ? error.code : 'failed',
          message: typeof error.message === 'string' ? error.message.slice(0, 500) : 'The provider reported the video as failed.',
        },
      };
    }
    default:
      throw new AppError('provider_error', { message: `The provider answered an unknown video status "${body.status.slice(0, 40)}".` });
  }
}

function createOpenAIVideoAdapter(service: ServiceId): VideoAdapter {
  return {
    service,
    buildCreateRequest,
    parseCreateResponse,
    buildPollRequest: (taskId, ctx) => ({
      method: 'GET',
      url: `${ctx.baseUrl}/videos/${encodeURIComponent(taskId)}`,
      headers: { authorization: `Bearer ${ctx.apiKey}`, accept: 'application/json' },
    }),
    parsePollResponse,
    buildContentRequest: (taskId, _videoUrl, ctx) => ({
      method: 'GET',
      url: `${ctx.baseUrl}/videos/${encodeURIComponent(taskId)}/content`,
      headers: { authorization: `Bearer ${ctx.apiKey}`, accept: 'application/binary' },
    }),
    mapError: mapOpenAIError,
  };
}

export const openaiVideoAdapter = createOpenAIVideoAdapter('openai');
export const openaiCompatibleVideoAdapter = createOpenAIVideoAdapter('openai_compatible');
