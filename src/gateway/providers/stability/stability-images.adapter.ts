/**
 * Stability AI Stable Image generate (v2beta): `POST {base}/v2beta/stable-image/generate/{ultra|core|sd3}`,
 * multipart/form-data (prompt, aspect_ratio, output_format, model for sd3), `authorization: Bearer`,
 * `accept: application/json` → `{image: <base64>, finish_reason: SUCCESS|CONTENT_FILTERED, seed}`.
 * Errors are `{id, name, errors: [string]}`. One image per call: n>1 sends n calls in sequence.
 *
 * Checked against the Stability REST API reference (platform.stability.ai/docs/api-reference,
 * "Stable Image → Generate") and the stability-ai Node SDK's v2beta generate types.
 */
import { AppError } from '../../../platform/errors.js';
import { scrubSecrets } from '../../../platform/redact.js';
import { dataUrl, imageUsage, parseSize, refuseParameters } from '../image-translation.js';
import type { CallContext, ImageGenerationRequest, ImageGenerationResponse, ImageStep, ImagesAdapter, UpstreamErrorResponse } from '../provider.js';
import { parseRetryAfter } from '../retry-after.js';

export const STABILITY_ASPECT_RATIOS = ['16:9', '1:1', '21:9', '2:3', '3:2', '4:5', '5:4', '9:16', '9:21'] as const;

/** `size` (WxH) → the nearest aspect ratio Stability offers, within 3%; otherwise a 400. */
export function aspectRatioOf(size: string): string {
  const parsed = parseSize(size);
  if (!parsed) throw new AppError('invalid_request', { param: 'size', message: 'size must look like "1024x1024".' });
  const wanted = parsed.width / parsed.height;
  let best: { ratio: string; error: number } | undefined;
  for (const ratio of STABILITY_ASPECT_RATIOS) {
    const [w, h] = ratio.split(':').map(Number) as [number, number];
    const error = Math.abs(w / h - wanted) / wanted;
    if (!best || error < best.error) best = { ratio, error };
  }
  if (!best || best.error > 0.03) {
    throw new AppError('unsupported_parameter', {
      param: 'size',
      message: `Stability generates the aspect ratios ${STABILITY_ASPECT_RATIOS.join(', ')}; size ${size} matches none of them.`,
    });
  }
  return best.ratio;
}

function endpointOf(model: string): { path: 'ultra' | 'core' | 'sd3'; model?: string } {
  if (model === 'ultra' || model === 'stable-image-ultra') return { path: 'ultra' };
  if (model === 'core' || model === 'stable-image-core') return { path: 'core' };
  if (model === 'sd3') return { path: 'sd3' };
  if (/^sd3(\.5)?-[a-z0-9-]+$/.test(model)) return { path: 'sd3', model };
  throw new AppError('invalid_request', {
    param: 'model',
    message: `Unknown Stability image model "${model.slice(0, 100)}". Use stability/ultra, stability/core, stability/sd3 or an sd3.5 model such as stability/sd3.5-large.`,
  });
}

/** A multipart/form-data body of text fields (RFC 7578). */
export function multipartBody(fields: Record<string, string | undefined>, boundary: string): string {
  let body = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    body += `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  return `${body}--${boundary}--\r\n`;
}

interface StabilityState {
  images: string[];
}

function buildCall(request: ImageGenerationRequest, ctx: CallContext, state: StabilityState): ImageStep {
  const endpoint = endpointOf(ctx.model);
  const boundary = `switchboard-${ctx.requestId.replace(/[^A-Za-z0-9]/g, '')}-${state.images.length}`;
  const body = multipartBody(
    {
      prompt: request.prompt,
      model: endpoint.model,
      aspect_ratio: request.size === undefined ? undefined : aspectRatioOf(request.size),
      output_format: request.output_format,
    },
    boundary,
  );
  return {
    kind: 'request',
    request: {
      method: 'POST',
      url: `${ctx.baseUrl}/v2beta/stable-image/generate/${endpoint.path}`,
      headers: { authorization: `Bearer ${ctx.apiKey}`, accept: 'application/json', 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    },
    state,
  };
}

export const stabilityImagesAdapter: ImagesAdapter = {
  service: 'stability',
  startImageGeneration(request, ctx) {
    refuseParameters(request, ['quality', 'style', 'background', 'moderation', 'output_compression'], 'Stability');
    if (request.prompt.length > 10_000) {
      throw new AppError('invalid_request', { param: 'prompt', message: 'prompt is too long for Stability: at most 10000 characters.' });
    }
    if (request.output_format === 'webp' && endpointOf(ctx.model).path === 'sd3') {
      throw new AppError('unsupported_parameter', { param: 'output_format', message: 'Stability SD3 models return png or jpeg, not webp.' });
    }
    return buildCall(request, ctx, { images: [] });
  },
  nextImageStep(input, request, ctx) {
    const state = (input.state as StabilityState | undefined) ?? { images: [] };
    const raw = input.body as { image?: unknown; finish_reason?: unknown } | null;
    if (typeof raw !== 'object' || raw === null || typeof raw.image !== 'string') {
      throw new AppError('provider_error', { message: 'Stability answered without an image.' });
    }
    if (raw.finish_reason === 'CONTENT_FILTERED') {
      throw new AppError('provider_bad_request', { message: 'Stability filtered the generated image for content (finish_reason CONTENT_FILTERED). Change the prompt.' });
    }
    const images = [...state.images, raw.image];
    const n = request.n ?? 1;
    if (images.length < n) return buildCall(request, ctx, { images });
    const format = request.output_format ?? 'png';
    const wantUrl = (request.response_format ?? 'url') === 'url';
    const body: ImageGenerationResponse = {
      created: ctx.createdAt,
      data: images.map((image) => (wantUrl ? { url: dataUrl(image, format) } : { b64_json: image })),
      output_format: format,
    };
    return { kind: 'done', body, usage: imageUsage(images.length, request.size ?? '1024x1024') };
  },
  mapError: mapStabilityError,
};

/** Stability's `{id, name, errors: [...]}` → attributed AppError, key scrubbed from any text. */
export function mapStabilityError(response: UpstreamErrorResponse, ctx: CallContext): AppError {
  let name: string | undefined;
  let detail = '';
  try {
    const parsed = JSON.parse(response.body) as { name?: unknown; errors?: unknown; message?: unknown };
    name = typeof parsed.name === 'string' ? parsed.name : undefined;
    const errors = Array.isArray(parsed.errors) ? parsed.errors.filter((item): item is string => typeof item === 'string') : [];
    const text = errors.length > 0 ? errors.join('; ') : typeof parsed.message === 'string' ? parsed.message : '';
    if (text) detail = `: ${scrubSecrets(text, [ctx.apiKey]).slice(0, 500)}`;
  } catch {
    // Not JSON: map by status alone.
  }
  const status = response.status;
  if (status === 401) return new AppError('provider_key_rejected', { message: `Stability rejected the API key stored in your integration${detail}` });
  if (status === 402) return new AppError('provider_quota_exceeded', { message: `Your Stability account has no credits left${detail}` });
  if (status === 403 && name === 'content_moderation') {
    return new AppError('provider_bad_request', { message: `Stability's content moderation refused the prompt${detail}` });
  }
  if (status === 403) return new AppError('provider_permission_denied', { message: `Stability refused this request for your key${detail}` });
  if (status === 404) return new AppError('provider_model_not_found', { message: `Stability could not find this model or endpoint${detail}` });
  if (status === 413) return new AppError('payload_too_large', { message: `Stability says the request is too large${detail}` });
  if (status === 429) {
    const retryAfter = parseRetryAfter(response.headers['retry-after'], ctx.createdAt);
    return new AppError('provider_rate_limited', {
      message: `Stability is rate limiting your key${detail}`,
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  if (status >= 400 && status < 500) {
    return new AppError('provider_bad_request', { status: status === 422 ? 400 : status, message: `Stability rejected the request${detail}` });
  }
  if (status === 503) return new AppError('provider_overloaded', { message: `Stability is overloaded${detail}` });
  return new AppError('provider_error', { message: `Stability failed (HTTP ${status})${detail}` });
}
