/**
 * POST /v1/images/generations (OpenAI's Images API shape).
 *
 *   validate → openCall (model, allow-list) → the caller's credential (none for `local`) → drive
 *   the adapter's step machine: request → maybe poll after a delay → maybe fetch the image bytes →
 *   done, within an overall deadline and a cap on polls → OpenAI's ImagesResponse, metered once
 *   (images, the price variant, tokens when reported).
 *
 * A step whose URL is not under the integration's base URL (a provider-given image URL) always
 * goes through the SSRF-guarded client. No image is stored on our side.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'hono';
import type { AppEnv } from '../http/context.js';
import { readJsonObject } from '../http/json-body.js';
import { AppError } from '../platform/errors.js';
import { setResponseHeader } from '../http/node-headers.js';
import { clientGoneSignal, openRoutedCall, readErrorResponse, readJson, type CallCredential, type GatewayCall, type GatewayDeps } from './gateway-call.js';
import type { CallContext, ImageGenerationRequest, ImageStep, ImagesAdapter, ServiceId } from './providers/provider.js';
import { classifyUpstreamFailure, type UpstreamResponse } from './upstream-client.js';
import { imagesWorstCase } from '../metering/budgets/worst-case.js';

export interface ImageLimits {
  /** Overall deadline of one image request, polls included. */
  timeoutMs: number;
  /** Most polls one request may make (task APIs). */
  maxPolls: number;
}

export const defaultImageLimits: ImageLimits = { timeoutMs: 300_000, maxPolls: 120 };

export interface ImagesDeps extends GatewayDeps {
  adapters: Partial<Record<ServiceId, ImagesAdapter>>;
  images?: ImageLimits;
}

/** A fetched image larger than this is refused (no provider image comes near it). */
const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
const MAX_PROMPT_CHARS = 32_000;

const KNOWN = new Set([
  'model', 'prompt', 'n', 'size', 'quality', 'style', 'response_format', 'output_format', 'background', 'moderation', 'output_compression', 'user', 'stream', 'partial_images',
]);

function oneOf(body: Record<string, unknown>, param: string, values: readonly string[]): void {
  const value = body[param];
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || !values.includes(value)) {
    throw new AppError('invalid_request', { param, message: `${param} must be one of: ${values.join(', ')}.` });
  }
}

/** OpenAI's request, with a clear 400 for every field that is wrong; `null`s count as absent. */
export function validateImageRequest(raw: Record<string, unknown>): ImageGenerationRequest {
  const body = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key)) throw new AppError('unsupported_parameter', { param: key, message: `Unknown parameter "${key.slice(0, 100)}" for image generation.` });
  }
  if (typeof body.model !== 'string' || body.model.length === 0 || body.model.length > 256) {
    throw new AppError('invalid_request', { param: 'model', message: 'model is required: a string such as "openai/dall-e-3" or "local/pattern".' });
  }
  if (typeof body.prompt !== 'string' || body.prompt.trim().length === 0) {
    throw new AppError('invalid_request', { param: 'prompt', message: 'prompt is required: a non-empty string.' });
  }
  if (body.prompt.length > MAX_PROMPT_CHARS) {
    throw new AppError('invalid_request', { param: 'prompt', message: `prompt is too long: at most ${MAX_PROMPT_CHARS} characters.` });
  }
  if (body.n !== undefined && (typeof body.n !== 'number' || !Number.isInteger(body.n) || body.n < 1 || body.n > 10)) {
    throw new AppError('invalid_request', { param: 'n', message: 'n must be an integer from 1 to 10.' });
  }
  if (body.size !== undefined && (typeof body.size !== 'string' || !/^(auto|\d{1,5}x\d{1,5})$/.test(body.size))) {
    throw new AppError('invalid_request', { param: 'size', message: 'size must be "auto" or WIDTHxHEIGHT, e.g. "1024x1024".' });
  }
  oneOf(body, 'quality', ['standard', 'hd', 'low', 'medium', 'high', 'auto']);
  oneOf(body, 'style', ['vivid', 'natural']);
  oneOf(body, 'response_format', ['url', 'b64_json']);
  oneOf(body, 'output_format', ['png', 'jpeg', 'webp']);
  oneOf(body, 'background', ['transparent', 'opaque', 'auto']);
  oneOf(body, 'moderation', ['low', 'auto']);
  if (body.output_compression !== undefined && (typeof body.output_compression !== 'number' || !Number.isInteger(body.output_compression) || body.output_compression < 0 || body.output_compression > 100)) {
    throw new AppError('invalid_request', { param: 'output_compression', message: 'output_compression must be an integer from 0 to 100.' });
  }
  if (body.user !== undefined && (typeof body.user !== 'string' || body.user.length > 256)) {
    throw new AppError('invalid_request', { param: 'user', message: 'user must be a string of at most 256 characters.' });
  }
  if (body.stream === true || body.partial_images !== undefined) {
    throw new AppError('unsupported_parameter', {
      param: body.stream === true ? 'stream' : 'partial_images',
      message: 'Streaming image generation is not supported yet: omit stream and partial_images.',
    });
  }
  if (body.stream !== undefined && body.stream !== false) {
    throw new AppError('invalid_request', { param: 'stream', message: 'stream must be a boolean.' });
  }
  const { stream: _stream, ...request } = body;
  return request as unknown as ImageGenerationRequest;
}

/** The built-in generator needs no key: an empty credential that is never sent anywhere. */
const LOCAL_CREDENTIAL: CallCredential = { integrationId: '', service: 'local', baseUrl: 'local:', apiKey: '', guarded: false, rateLimit: null };

export function createImagesHandler(deps: ImagesDeps) {
  const limits = deps.images ?? defaultImageLimits;
  return async function imagesGenerations(c: Context<AppEnv>): Promise<Response> {
    const request = validateImageRequest(await readJsonObject(c));
    const call = await openRoutedCall(c, deps, { model: request.model, operation: 'images', worstCase: () => imagesWorstCase(request) });
    try {
      const clientGone = clientGoneSignal(c);
      // One attempt per try of the fallback chain (retries, breakers: resilience/): a generation
      // that failed (429, 5xx, unreachable) starts again, or on the next candidate.
      const { step, isLocal } = await call.attempt(async () => {
        const adapter = deps.adapters[call.target.service];
        if (!adapter) {
          throw new AppError('invalid_request', {
            param: 'model',
            message: `Image generation through "${call.target.service}" is not supported. Supported: ${Object.keys(deps.adapters).join(', ')}.`,
          });
        }
        const isLocal = call.target.service === 'local';
        const credential = isLocal ? LOCAL_CREDENTIAL : await call.credential();
        const ctx = call.callContext(credential);
        return { step: await driveSteps(call, adapter, request, ctx, credential, limits, clientGone), isLocal };
      });
      call.meter({ status: 200, usage: step.usage, ...(isLocal ? { fallback: true } : {}) });
      if (isLocal) setResponseHeader(c, 'x-switchboard-fallback', 'local');
      return c.json(step.body, 200);
    } catch (error) {
      throw call.fail(error);
    }
  };
}

/**
 * Runs the adapter's steps: polls after their delay (counted and capped), sends each request
 * (guarded when needed), reads JSON or bytes, and stops at `done`. One deadline covers it all: when
 * it passes, the call in flight is cancelled and the client gets a 504.
 */
async function driveSteps(
  call: GatewayCall,
  adapter: ImagesAdapter,
  request: ImageGenerationRequest,
  ctx: CallContext,
  credential: CallCredential,
  limits: ImageLimits,
  clientGone: AbortSignal | undefined,
): Promise<Extract<ImageStep, { kind: 'done' }>> {
  const deadline = call.started + limits.timeoutMs;
  const expired = new AbortController();
  const expiry = setTimeout(() => expired.abort(), Math.max(0, deadline - performance.now()));
  /** A failure caused by the deadline's cancellation is the deadline's 504. */
  const timed = <T>(promise: Promise<T>): Promise<T> =>
    withDeadline(promise, deadline, limits).catch((error: unknown) => {
      throw expired.signal.aborted ? imageTimeout(limits) : error;
    });
  try {
    let polls = 0;
    let step = adapter.startImageGeneration(request, ctx);
    while (step.kind === 'request') {
      if (step.delayMs !== undefined && step.delayMs > 0) {
        polls += 1;
        if (polls > limits.maxPolls) {
          throw new AppError('provider_timeout', { message: `The provider's task was not finished after ${limits.maxPolls} polls.` });
        }
        if (performance.now() + step.delayMs > deadline) throw imageTimeout(limits);
        await sleep(step.delayMs, undefined, clientGone ? { signal: clientGone } : undefined);
      }
      const binary = step.responseType === 'binary';
      const guarded = mustGuard(step.request.url, credential);
      const response = await timed(call.send(step.request, { ...credential, guarded }, { signal: expired.signal })).catch((error: unknown) => {
        if (binary && (error as { code?: unknown })?.code === 'upstream_not_allowed') {
          throw new AppError('provider_error', { retryable: false, message: 'The provider returned an image URL on a private or loopback address, which this server does not fetch.' });
        }
        throw error;
      });
      if (response.status >= 400) {
        const failure = await timed(readErrorResponse(response));
        // An image URL is a CDN, not the provider's API: its errors say nothing about the key or the model.
        if (binary) throw new AppError('provider_error', { message: `The provider's image URL answered HTTP ${failure.status}.` });
        throw adapter.mapError(failure, ctx);
      }
      const body = binary ? await timed(readBytes(response)) : await timed(readJson(response));
      step = adapter.nextImageStep({ status: response.status, headers: response.headers, body, state: step.state }, request, ctx);
    }
    return step;
  } finally {
    clearTimeout(expiry);
  }
}

const imageTimeout = (limits: ImageLimits) =>
  new AppError('provider_timeout', { message: `The image was not ready within ${Math.round(limits.timeoutMs / 1000)} s (SWITCHBOARD_IMAGE_TIMEOUT_MS).` });

/**
 * Whether a step goes through the SSRF-guarded client: always for a user-supplied base URL, and for
 * any URL outside the base URL (a provider-given image URL), which must also be http(s).
 */
export function mustGuard(url: string, credential: Pick<CallCredential, 'baseUrl' | 'guarded'>): boolean {
  if (isUnder(url, credential.baseUrl)) return credential.guarded;
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new AppError('provider_error', { message: 'The provider returned an image URL that is not http(s).' });
  }
  return true;
}

/** True when `url` is on the base URL's origin and under its path. */
function isUnder(url: string, baseUrl: string): boolean {
  try {
    const target = new URL(url);
    const base = new URL(baseUrl);
    return target.origin === base.origin && target.pathname.startsWith(base.pathname.replace(/\/+$/, ''));
  } catch {
    return false;
  }
}

/** Races a step against the overall deadline; a late response is discarded. */
async function withDeadline<T>(promise: Promise<T>, deadline: number, limits: ImageLimits): Promise<T> {
  const remaining = deadline - performance.now();
  if (remaining <= 0) {
    void promise.then(discard, () => undefined);
    throw imageTimeout(limits);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(imageTimeout(limits)), remaining);
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (error) {
    void promise.then(discard, () => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function discard(value: unknown): void {
  (value as Partial<UpstreamResponse> | undefined)?.body?.destroy?.();
}

async function readBytes(response: UpstreamResponse): Promise<Uint8Array> {
  const type = String(response.headers['content-type'] ?? '').toLowerCase();
  if (type !== '' && !type.startsWith('image/') && !type.startsWith('application/octet-stream') && !type.startsWith('binary/octet-stream')) {
    response.body.destroy();
    throw new AppError('provider_error', { message: `The provider's image URL answered ${type.split(';')[0]}, not an image.` });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > MAX_IMAGE_BYTES) {
        response.body.destroy();
        throw new AppError('provider_error', { message: "The provider's image is larger than 50 MB." });
      }
      chunks.push(buffer);
    }
  } catch (error) {
    throw classifyUpstreamFailure(error);
  }
  if (total === 0) throw new AppError('provider_error', { message: "The provider's image URL answered with an empty body." });
  return Buffer.concat(chunks);
}
