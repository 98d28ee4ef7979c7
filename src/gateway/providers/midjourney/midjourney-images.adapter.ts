/**
 * A Midjourney-style task API in the widely used midjourney-proxy shape (github.com/novicezk/midjourney-proxy):
 *
 *   submit  POST {base}{submitPath}       {prompt}  → {code: 1|21|22, description, result: <taskId>}
 *   poll    GET  {base}{fetchPath with {id}}        → {id, status: NOT_START|SUBMITTED|MODAL|IN_PROGRESS|
 *                                                       SUCCESS|FAILURE|CANCEL, progress: "50%", imageUrl, failReason}
 *   fetch   GET  imageUrl (only for b64_json; no key sent; the gateway uses the SSRF-guarded client)
 *
 * Auth header `mj-api-secret`. Submit codes other than 1 (submitted), 21 (already exists) and 22
 * (queued) are refusals (e.g. 4 validation error, 23 queue full, 24 banned prompt). Checked
 * against midjourney-proxy's API documentation (SubmitResultVO, Task, TaskStatus) and clients of it.
 */
import { AppError } from '../../../platform/errors.js';
import { scrubSecrets } from '../../../platform/redact.js';
import { mapOpenAIError } from '../openai/map-openai-error.js';
import { imageUsage, parseSize, refuseParameters, toBase64 } from '../image-translation.js';
import type { CallContext, ImageGenerationRequest, ImageStep, ImagesAdapter, UpstreamErrorResponse } from '../provider.js';

export interface MidjourneyOptions {
  /** Submit path, default `/mj/submit/imagine`. */
  submitPath: string;
  /** Task fetch path with `{id}` for the task id, default `/mj/task/{id}/fetch`. */
  fetchPath: string;
  /** Pause before each poll. */
  pollIntervalMs: number;
}

export const defaultMidjourneyOptions: MidjourneyOptions = {
  submitPath: '/mj/submit/imagine',
  fetchPath: '/mj/task/{id}/fetch',
  pollIntervalMs: 3_000,
};

type MidjourneyState = { phase: 'submit' } | { phase: 'poll'; taskId: string } | { phase: 'fetch'; taskId: string; imageUrl: string };

const PENDING = new Set(['NOT_START', 'SUBMITTED', 'MODAL', 'IN_PROGRESS']);
const ACCEPTED_SUBMIT_CODES = new Set([1, 21, 22]);

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** `size` → a `--ar W:H` suffix, unless the prompt already sets an aspect ratio. */
function promptWithAspect(request: ImageGenerationRequest): string {
  if (request.size === undefined || /--(ar|aspect)\b/.test(request.prompt)) return request.prompt;
  const parsed = parseSize(request.size);
  if (!parsed) throw new AppError('invalid_request', { param: 'size', message: 'size must look like "1024x1024".' });
  const divisor = gcd(parsed.width, parsed.height);
  return `${request.prompt} --ar ${parsed.width / divisor}:${parsed.height / divisor}`;
}

export function createMidjourneyImagesAdapter(options: MidjourneyOptions = defaultMidjourneyOptions): ImagesAdapter {
  const headers = (ctx: CallContext) => ({ 'mj-api-secret': ctx.apiKey, accept: 'application/json' });
  const poll = (taskId: string, ctx: CallContext): ImageStep => ({
    kind: 'request',
    request: { method: 'GET', url: `${ctx.baseUrl}${options.fetchPath.replace('{id}', encodeURIComponent(taskId))}`, headers: headers(ctx) },
    delayMs: options.pollIntervalMs,
    state: { phase: 'poll', taskId } satisfies MidjourneyState,
  });
  const done = (request: ImageGenerationRequest, ctx: CallContext, item: { url?: string; b64_json?: string }): ImageStep => ({
    kind: 'done',
    body: { created: ctx.createdAt, data: [item] },
    usage: imageUsage(1, request.size ?? '1024x1024'),
  });

  return {
    service: 'midjourney',
    startImageGeneration(request, ctx) {
      refuseParameters(request, ['quality', 'style', 'background', 'output_format', 'moderation', 'output_compression'], 'Midjourney');
      if (request.n !== undefined && request.n !== 1) {
        throw new AppError('unsupported_parameter', { param: 'n', message: 'A Midjourney task yields one image (a grid): n must be 1.' });
      }
      return {
        kind: 'request',
        request: {
          method: 'POST',
          url: `${ctx.baseUrl}${options.submitPath}`,
          headers: { ...headers(ctx), 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: promptWithAspect(request) }),
        },
        state: { phase: 'submit' } satisfies MidjourneyState,
      };
    },
    nextImageStep(input, request, ctx) {
      const state = input.state as MidjourneyState;
      if (state.phase === 'fetch') {
        return done(request, ctx, { b64_json: toBase64(input.body as Uint8Array) });
      }
      const raw = (typeof input.body === 'object' && input.body !== null ? input.body : {}) as Record<string, unknown>;
      const text = (value: unknown) => (typeof value === 'string' ? scrubSecrets(value, [ctx.apiKey]).slice(0, 300) : '');
      if (state.phase === 'submit') {
        if (typeof raw.code !== 'number' || !ACCEPTED_SUBMIT_CODES.has(raw.code) || typeof raw.result !== 'string' || raw.result === '') {
          const reason = text(raw.description) || 'no task id in the answer';
          if (raw.code === 23) throw new AppError('provider_overloaded', { message: `The Midjourney queue is full: ${reason}` });
          if (typeof raw.code === 'number' && raw.code !== 9) throw new AppError('provider_bad_request', { message: `Midjourney refused the task (code ${raw.code}): ${reason}` });
          throw new AppError('provider_error', { message: `Midjourney did not accept the task: ${reason}` });
        }
        return poll(raw.result, ctx);
      }
      const status = raw.status;
      if (typeof status === 'string' && PENDING.has(status)) return poll(state.taskId, ctx);
      if (status === 'SUCCESS') {
        if (typeof raw.imageUrl !== 'string' || raw.imageUrl === '') throw new AppError('provider_error', { message: 'The Midjourney task succeeded without an imageUrl.' });
        if ((request.response_format ?? 'url') === 'url') return done(request, ctx, { url: raw.imageUrl });
        return {
          kind: 'request',
          request: { method: 'GET', url: raw.imageUrl, headers: { accept: 'image/*' } },
          responseType: 'binary',
          state: { phase: 'fetch', taskId: state.taskId, imageUrl: raw.imageUrl } satisfies MidjourneyState,
        };
      }
      if (status === 'FAILURE' || status === 'CANCEL') {
        throw new AppError('provider_error', { retryable: false, message: `The Midjourney task ${status === 'CANCEL' ? 'was cancelled' : 'failed'}: ${text(raw.failReason) || 'no reason given'}` });
      }
      throw new AppError('provider_error', { message: `The Midjourney task has an unknown status "${text(status)}".` });
    },
    mapError: mapMidjourneyError,
  };
}

/** midjourney-proxy answers HTTP errors with plain Spring bodies; map by status (OpenAI's mapping covers them). */
export function mapMidjourneyError(response: UpstreamErrorResponse, ctx: CallContext): AppError {
  return mapOpenAIError(response, ctx);
}
