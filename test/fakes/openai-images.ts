/**
 * A fake OpenAI Images API (`POST /v1/images/generations`), also usable as a custom
 * OpenAI-compatible image API. Real wire format, checked against the OpenAI API reference (Images →
 * Create image) and the openai-node 6.49 types (`ImagesResponse`, `ImageGenerateParamsBase`):
 * dall-e-2/3 answer `url` (default) or `b64_json` with `revised_prompt` for dall-e-3; GPT image
 * models always answer `b64_json` plus `usage`, and reject `response_format` with a 400; dall-e-3
 * rejects n>1. Errors use `{"error":{message,type,param,code}}` with `x-request-id`. Image URLs
 * point back at this fake (`GET /images/<id>.png`), as OpenAI's point at its blob store. Model
 * `fake-error-<status>` answers that error, `fake-hang` never answers, `fake-url-only` always
 * answers URLs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { FAKE_PNG_BASE64, sendPng } from './fake-image.js';
import { randomId, scenarioForModel, sendJson, startFakeServer } from './fake-server.js';
import type { FakeExchange, FakeProvider, Scenario } from './fake-server.js';

export interface FakeOpenAIImagesOptions {
  keys: readonly string[];
  port?: number;
}

const error = (message: string, type: string, param: string | null = null, code: string | null = null) => ({ error: { message, type, param, code } });

function readBearer(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
}

export async function startFakeOpenAIImages(options: FakeOpenAIImagesOptions): Promise<FakeProvider & { origin: string }> {
  let origin = '';
  const server = await startFakeServer({
    port: options.port,
    readCredential: readBearer,
    handle: async (exchange) => handle(exchange, options, origin),
  });
  origin = server.origin;
  return { baseUrl: `${server.origin}/v1`, origin, requests: server.requests, enqueue: server.enqueue, close: server.close };
}

async function handle({ request, res, takeScenario }: FakeExchange, options: FakeOpenAIImagesOptions, origin: string): Promise<void> {
  const requestId = `req_${randomId(32, '0123456789abcdef')}`;
  const headers = { 'x-request-id': requestId, 'openai-version': '2020-10-01', 'openai-processing-ms': '812' };
  if (request.method === 'GET' && /^\/images\/img-[A-Za-z0-9]+\.png$/.test(request.path)) return sendPng(res);
  if (request.method !== 'POST' || request.path !== '/v1/images/generations') {
    return sendJson(res, 404, error(`Invalid URL (${request.method} ${request.path})`, 'invalid_request_error'), headers);
  }
  const key = request.credential;
  if (!key || !options.keys.includes(key)) {
    const shown = key ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : '';
    return sendJson(res, 401, error(`Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', null, 'invalid_api_key'), headers);
  }
  const body = request.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return sendJson(res, 400, error('We could not parse the JSON body of your request.', 'invalid_request_error'), headers);
  const model = typeof body.model === 'string' ? body.model : 'dall-e-2';
  if (typeof body.prompt !== 'string') return sendJson(res, 400, error("Missing required parameter: 'prompt'.", 'invalid_request_error', 'prompt', 'missing_required_parameter'), headers);
  const gptImage = model.startsWith('gpt-image');
  if (gptImage && body.response_format !== undefined) {
    return sendJson(res, 400, error("Unknown parameter: 'response_format'.", 'invalid_request_error', 'response_format', 'unknown_parameter'), headers);
  }
  const n = typeof body.n === 'number' ? body.n : 1;
  if (model === 'dall-e-3' && n !== 1) {
    return sendJson(res, 400, error('You must provide n=1 for this model.', 'invalid_request_error', 'n', null), headers);
  }
  const scenario: Scenario | undefined = scenarioForModel(model) ?? takeScenario();
  if (scenario?.kind === 'error') {
    const fallback = scenario.status === 429
      ? error('Rate limit exceeded for images per minute in organization org-fake. Limit: 5/1min. Current: 6/1min.', 'requests', null, 'rate_limit_exceeded')
      : scenario.status === 400
        ? error('Your request was rejected as a result of our safety system.', 'invalid_request_error', null, 'content_policy_violation')
        : error('The server had an error while processing your request. Sorry about that!', 'server_error');
    return sendJson(res, scenario.status, scenario.body ?? fallback, { ...headers, ...(scenario.status === 429 ? { 'retry-after': '1' } : {}), ...scenario.headers });
  }
  if (scenario?.kind === 'hang') return;

  const created = Math.floor(Date.now() / 1000);
  // `fake-url-only` answers URLs whatever was asked, as some OpenAI-compatible servers do.
  const b64 = (gptImage || body.response_format === 'b64_json') && model !== 'fake-url-only';
  const data = Array.from({ length: n }, () => {
    const item: Record<string, string> = b64 ? { b64_json: FAKE_PNG_BASE64 } : { url: `${origin}/images/img-${randomId(24)}.png` };
    if (model === 'dall-e-3') item.revised_prompt = `A detailed rendering of: ${body.prompt as string}`;
    return item;
  });
  const answer: Record<string, unknown> = { created, data };
  if (gptImage) {
    const quality = typeof body.quality === 'string' && body.quality !== 'auto' ? body.quality : 'high';
    Object.assign(answer, {
      background: body.background === 'transparent' ? 'transparent' : 'opaque',
      output_format: typeof body.output_format === 'string' ? body.output_format : 'png',
      quality,
      size: typeof body.size === 'string' && body.size !== 'auto' ? body.size : '1024x1024',
      usage: {
        input_tokens: 12,
        input_tokens_details: { image_tokens: 0, text_tokens: 12 },
        output_tokens: 4160 * n,
        output_tokens_details: { image_tokens: 4160 * n, text_tokens: 0 },
        total_tokens: 12 + 4160 * n,
      },
    });
  }
  return sendJson(res, 200, answer, headers);
}
