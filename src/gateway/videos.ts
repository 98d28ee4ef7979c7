/**
 * OpenAI's video API under /v1: `POST /videos` creates a job, `GET /videos/{id}` reports it,
 * `GET /videos/{id}/content` proxies the finished MP4 from the provider, `GET /videos` lists.
 *
 * Shapes follow the openai-node 6.49 `videos` resource: `client.videos.create` sends
 * multipart/form-data (JSON is accepted too); list pages are `{object:"list", data, first_id,
 * last_id, has_more}` paged with `?after=` (ConversationCursorPage).
 *
 * Creating a job resolves the model and the caller's credential exactly like every AI call
 * (openCall), validates the request through the adapter (so a bad request is a 400 now, not a
 * failed job later), stores the job without any key material, and enqueues its id. Success is
 * metered when the job finishes (by the runner), failures here are metered at once.
 */
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/context.js';
import { readJsonObject } from '../http/json-body.js';
import { assertStorableText } from '../http/storable-text.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { toVideoObject } from '../jobs/video-object.js';
import { jobCredential, toCreateRequest } from '../jobs/video-runner.js';
import type { VideoJobPayload, VideoJobsStore } from '../jobs/video-jobs.store.js';
import { checkWebhookUrl } from '../jobs/webhooks.js';
import { openRoutedCall, readErrorResponse, type GatewayDeps } from './gateway-call.js';
import { videoWorstCase } from '../metering/budgets/worst-case.js';
import type { ServiceId, VideoAdapter } from './providers/provider.js';

export interface VideoRoutesDeps extends GatewayDeps {
  adapters: Partial<Record<ServiceId, VideoAdapter>>;
  store: Pick<VideoJobsStore, 'insert' | 'findForScope' | 'listForScope'>;
  queue: Pick<JobQueue, 'enqueue'>;
  allowPrivateUpstreams: boolean;
  webhooks: { secretConfigured: boolean; allowPrivate: boolean };
  onEnqueueFailed(jobId: string, error: unknown): void;
}

const MAX_PROMPT_CHARS = 32_000;
const FIELDS = new Set(['model', 'prompt', 'seconds', 'size', 'input_reference', 'webhook_url']);
const DEFAULT_MODEL = 'sora-2';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Multipart (as the SDK sends it) or JSON → the flat fields of a create request. */
async function readCreateBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) return readJsonObject(c);
  let form: Record<string, string | File>;
  try {
    form = (await c.req.parseBody()) as Record<string, string | File>;
  } catch {
    throw new AppError('invalid_request', { message: 'The multipart/form-data body could not be parsed.' });
  }
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value !== 'string') {
      throw new AppError('unsupported_parameter', {
        param: name,
        message: `File uploads (${name}) are not supported; pass input_reference as {"image_url": "https://…"}.`,
      });
    }
    // The SDK encodes objects as `key[prop]` fields.
    const nested = /^([a-z_]+)\[([a-z_]+)\]$/.exec(name);
    if (nested) body[nested[1]!] = { ...(isRecord(body[nested[1]!]) ? (body[nested[1]!] as object) : {}), [nested[2]!]: value };
    else body[name] = value;
  }
  return body;
}

function parseCreate(body: Record<string, unknown>): { request: VideoJobPayload['request']; model: string; webhookUrl?: string } {
  // The job stores the request: text PostgreSQL cannot hold is refused here, not as a failed insert.
  assertStorableText(body);
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) throw new AppError('unsupported_parameter', { param: key, message: `Unsupported parameter "${key.slice(0, 60)}" for /v1/videos.` });
  }
  const { model = DEFAULT_MODEL, prompt, seconds, size, input_reference: reference, webhook_url: webhookUrl } = body;
  if (typeof model !== 'string' || model.length === 0 || model.length > 200) throw new AppError('invalid_request', { param: 'model', message: 'model must be a non-empty string.' });
  if (typeof prompt !== 'string' || prompt.trim().length === 0) throw new AppError('invalid_request', { param: 'prompt', message: 'prompt is required.' });
  if (prompt.length > MAX_PROMPT_CHARS) throw new AppError('invalid_request', { param: 'prompt', message: `prompt is limited to ${MAX_PROMPT_CHARS} characters.` });
  const request: VideoJobPayload['request'] = { prompt };
  if (seconds !== undefined) {
    const text = typeof seconds === 'number' ? String(seconds) : seconds;
    if (typeof text !== 'string' || !/^[1-9]\d{0,2}$/.test(text)) throw new AppError('invalid_request', { param: 'seconds', message: 'seconds must be a whole number of seconds, e.g. "4".' });
    request.seconds = text;
  }
  if (size !== undefined) {
    if (typeof size !== 'string' || !/^\d{2,5}x\d{2,5}$/.test(size)) throw new AppError('invalid_request', { param: 'size', message: 'size must be "<width>x<height>", e.g. "1280x720".' });
    request.size = size;
  }
  if (reference !== undefined) {
    const url = isRecord(reference) ? reference.image_url : undefined;
    if (typeof url !== 'string' || !/^(https?:|data:image\/)/.test(url) || (isRecord(reference) && reference.file_id !== undefined)) {
      throw new AppError('unsupported_parameter', { param: 'input_reference', message: 'input_reference must be {"image_url": "<https URL or data URL>"}; file ids and uploads are not supported.' });
    }
    request.input_reference = url;
  }
  if (webhookUrl !== undefined && typeof webhookUrl !== 'string') throw new AppError('invalid_request', { param: 'webhook_url', message: 'webhook_url must be a string.' });
  return { request, model, ...(webhookUrl ? { webhookUrl } : {}) };
}

const scopeOf = (c: Context<AppEnv>) => {
  const principal = c.get('principal');
  return { userId: principal.userId, ...(principal.teamId ? { teamId: principal.teamId } : {}) };
};

export function videoRoutes(deps: VideoRoutesDeps) {
  const router = new Hono<AppEnv>();

  router.post('/videos', async (c) => {
    const parsed = parseCreate(await readCreateBody(c));
    const webhookHeader = c.req.header('x-switchboard-webhook-url');
    const webhookRaw = parsed.webhookUrl ?? webhookHeader;
    const call = await openRoutedCall(c, deps, { model: parsed.model, operation: 'video', worstCase: () => videoWorstCase(parsed.request) });
    try {
      const webhookUrl = webhookRaw ? checkWebhookUrl(webhookRaw, deps.webhooks) : null;
      // The provider is called by the job runner, not here; the chain picks the first candidate
      // that has an adapter and a credential (a route's later targets when the first has no key).
      const { adapter, credential } = await call.attempt(async () => {
        const adapter = deps.adapters[call.target.service];
        if (!adapter) {
          throw new AppError('invalid_request', {
            param: 'model',
            message: `Video generation through "${call.target.service}" is not supported. Supported: ${Object.keys(deps.adapters).join(', ')}.`,
          });
        }
        return { adapter, credential: await call.credential() };
      });
      // No video adapter serves `local`, so every credential here has an integration behind it.
      if (credential.integrationId === null) throw new AppError('invalid_request', { param: 'model', message: 'Video generation needs a provider integration.' });
      // Pure translation, run now so that anything the provider cannot express is a 400 here.
      adapter.buildCreateRequest({ model: call.target.model, ...parsed.request }, call.callContext(credential));
      const principal = call.principal;
      // The reservation outlives this request: the runner settles it when the job ends. Should
      // the insert fail, call.fail() below no longer releases it, so release it here.
      const heldBudgets = await call.handOffBudgets();
      const job = await deps.store.insert({
        id: `video_${newId()}`,
        scope: scopeOf(c),
        payload: {
          service: call.target.service,
          model: call.target.model,
          requestedModel: parsed.model,
          integrationId: credential.integrationId,
          userId: principal.userId,
          teamId: principal.teamId ?? null,
          keyId: principal.keyId ?? null,
          requestId: call.requestId,
          request: parsed.request,
          webhookUrl,
          budgets: heldBudgets,
        },
      }).catch((error: unknown) => {
        if (heldBudgets) deps.budgets?.settleHeld(heldBudgets, 0);
        throw error;
      });
      // The row is the outbox: if the queue is unreachable now, the runners' sweep enqueues it later.
      await deps.queue.enqueue(job.id).catch((error: unknown) => deps.onEnqueueFailed(job.id, error));
      return c.json(toVideoObject(job), 200);
    } catch (error) {
      throw call.fail(error);
    }
  });

  router.get('/videos', async (c) => {
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 20 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new AppError('invalid_request', { param: 'limit', message: 'limit must be 1–100.' });
    const order = c.req.query('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw new AppError('invalid_request', { param: 'order', message: 'order must be "asc" or "desc".' });
    const rows = await deps.store.listForScope(scopeOf(c), { limit: limit + 1, after: c.req.query('after'), order });
    const data = rows.slice(0, limit).map(toVideoObject);
    return c.json({ object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: rows.length > limit });
  });

  router.get('/videos/:id', async (c) => {
    const job = await deps.store.findForScope(c.req.param('id'), scopeOf(c));
    if (!job) throw new AppError('not_found', { message: 'No such video.' });
    return c.json(toVideoObject(job));
  });

  router.get('/videos/:id/content', async (c) => {
    const job = await deps.store.findForScope(c.req.param('id'), scopeOf(c));
    if (!job) throw new AppError('not_found', { message: 'No such video.' });
    const variant = c.req.query('variant');
    if (variant !== undefined && variant !== 'video') {
      throw new AppError('unsupported_parameter', { param: 'variant', message: 'Only variant=video is supported.' });
    }
    if (job.status !== 'completed' || !job.result?.providerTaskId) {
      throw new AppError('video_not_ready', { message: `The video is ${toVideoObject(job).status}; content is available once it is completed.` });
    }
    const adapter = deps.adapters[job.payload.service as ServiceId];
    if (!adapter) throw new AppError('not_found', { message: 'No such video.' });
    const credential = await jobCredential(deps, job);
    const request = adapter.buildContentRequest(job.result.providerTaskId, job.result.videoUrl, credential.ctx);
    // Only the provider's own content endpoint sees the key; a pre-signed output URL on another
    // host is user-controlled territory and goes through the guarded pool.
    const onProviderBase = request.url.startsWith(`${credential.ctx.baseUrl}/`);
    const guarded = onProviderBase ? credential.guarded : !deps.allowPrivateUpstreams;
    const response = await deps.upstream.send(request, { guarded });
    if (response.status >= 400) throw adapter.mapError(await readErrorResponse(response), credential.ctx);
    const headers: Record<string, string> = { 'content-type': String(response.headers['content-type'] ?? 'video/mp4') };
    if (typeof response.headers['content-length'] === 'string') headers['content-length'] = response.headers['content-length'];
    return new Response(Readable.toWeb(response.body) as ReadableStream, { status: 200, headers });
  });

  return router;
}
