/**
 * A fake Stability AI REST API: `POST /v2beta/stable-image/generate/{ultra|core|sd3}`, which takes
 * multipart/form-data only, `authorization: Bearer <key>`, and with `accept: application/json`
 * answers `{image: <base64>, finish_reason: "SUCCESS"|"CONTENT_FILTERED", seed}` (with `image/*`
 * the raw bytes, `finish-reason`/`seed` headers). Errors are `{id, name, errors: [...]}`.
 * Checked against the Stability REST API reference (platform.stability.ai/docs/api-reference).
 *
 * Prompts containing "forbidden" are refused by content moderation (403); "blurry" returns
 * CONTENT_FILTERED.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { FAKE_PNG, FAKE_PNG_BASE64 } from './fake-image.js';
import { randomId, sendJson, startFakeServer } from './fake-server.js';
import type { FakeExchange, FakeProvider } from './fake-server.js';

export interface FakeStabilityOptions {
  keys: readonly string[];
  port?: number;
}

const ASPECT_RATIOS = new Set(['16:9', '1:1', '21:9', '2:3', '3:2', '4:5', '5:4', '9:16', '9:21']);

const failure = (name: string, ...errors: string[]) => ({ id: randomId(32, '0123456789abcdef'), name, errors });

function readBearer(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
}

/** Text fields of a multipart/form-data body. */
export function parseMultipart(body: string, contentType: string | undefined): Record<string, string> | undefined {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType ?? '')?.[2];
  if (!contentType?.startsWith('multipart/form-data') || !boundary) return undefined;
  const fields: Record<string, string> = {};
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const [head, ...rest] = part.replace(/^\r\n/, '').split('\r\n\r\n');
    const name = /name="([^"]+)"/i.exec(head ?? '')?.[1];
    if (name) fields[name] = rest.join('\r\n\r\n').replace(/\r\n$/, '');
  }
  return fields;
}

export async function startFakeStability(options: FakeStabilityOptions): Promise<FakeProvider> {
  const server = await startFakeServer({ port: options.port, readCredential: readBearer, handle: (exchange) => handle(exchange, options) });
  return { baseUrl: server.origin, requests: server.requests, enqueue: server.enqueue, close: server.close };
}

async function handle({ request, res, takeScenario }: FakeExchange, options: FakeStabilityOptions): Promise<void> {
  const route = /^\/v2beta\/stable-image\/generate\/(ultra|core|sd3)$/.exec(request.path);
  if (request.method !== 'POST' || !route) return sendJson(res, 404, failure('not_found', `${request.method} ${request.path} was not found`));
  if (!request.credential || !options.keys.includes(request.credential)) {
    return sendJson(res, 401, failure('unauthorized', 'authorization: invalid or missing'));
  }
  const fields = parseMultipart(request.rawBody, request.headers['content-type']);
  if (!fields) return sendJson(res, 400, failure('bad_request', 'content-type: must be multipart/form-data'));
  const accept = request.headers.accept ?? '';
  if (accept !== 'application/json' && !accept.startsWith('image/')) {
    return sendJson(res, 400, failure('bad_request', 'accept: must be either image/* or application/json'));
  }
  if (!fields.prompt) return sendJson(res, 400, failure('bad_request', 'prompt: cannot be empty'));
  if (fields.aspect_ratio !== undefined && !ASPECT_RATIOS.has(fields.aspect_ratio)) {
    return sendJson(res, 400, failure('bad_request', `aspect_ratio: must be one of ${[...ASPECT_RATIOS].join(', ')}`));
  }
  if (route[1] === 'sd3' && fields.model !== undefined && !/^sd3(\.5)?-(large|large-turbo|medium|flash)$/.test(fields.model)) {
    return sendJson(res, 400, failure('bad_request', 'model: unknown model'));
  }
  const scenario = takeScenario();
  if (scenario?.kind === 'error') {
    const body = scenario.body ?? (scenario.status === 429
      ? failure('rate_limit_exceeded', 'You have exceeded the rate limit of 150 requests within a 10 second period')
      : scenario.status === 402
        ? failure('payment_required', 'You lack sufficient credits to make this request.')
        : failure('internal_error', 'An unexpected server error has occurred, please try again later.'));
    return sendJson(res, scenario.status, body, scenario.headers);
  }
  if (/forbidden/i.test(fields.prompt)) {
    return sendJson(res, 403, failure('content_moderation', 'Your request was flagged by our content moderation system, as a result your request was denied and you were not charged.'));
  }
  const finishReason = /blurry/i.test(fields.prompt) ? 'CONTENT_FILTERED' : 'SUCCESS';
  const seed = Number.parseInt(randomId(8, '0123456789'), 10);
  if (accept.startsWith('image/')) {
    res.writeHead(200, { 'content-type': 'image/png', 'finish-reason': finishReason, seed: String(seed) });
    res.end(FAKE_PNG);
    return;
  }
  return sendJson(res, 200, { image: FAKE_PNG_BASE64, finish_reason: finishReason, seed });
}
