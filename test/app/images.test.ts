/**
 * POST /v1/images/generations as a user drives it: the official `openai` SDK
 * (`client.images.generate`) against the real server and database, each provider's fake on
 * 127.0.0.1 upstream: OpenAI (dall-e-2/3, gpt-image-1), Stability, a midjourney-proxy task API on
 * configured paths (submit → several polls → image fetch), a custom OpenAI-compatible image API,
 * and the built-in local generator. Usage rows and logs are checked too.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PNG_BASE64 } from '../fakes/fake-image.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeMidjourney, type FakeMidjourney } from '../fakes/midjourney.js';
import { startFakeOpenAIImages } from '../fakes/openai-images.js';
import { parseMultipart, startFakeStability } from '../fakes/stability.js';
import { createIntegration, openaiSdk, usageRows, type UsageRow } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const OPENAI_KEY = 'sk-alice-openai-images-0000000000000001';
const STABILITY_KEY = 'sk-alice-stability-000000000000000002';
const MJ_SECRET = 'mj-alice-secret-0000000000000000003';
const MJ_SLOW_SECRET = 'mj-bob-secret-00000000000000000004';
const COMPAT_KEY = 'sk-alice-compat-0000000000000000005';
const SECRETS = [OPENAI_KEY, STABILITY_KEY, MJ_SECRET, MJ_SLOW_SECRET, COMPAT_KEY];
const PNG_SIGNATURE = '89504e470d0a1a0a';

let server: TestServer;
let openaiFake: FakeProvider & { origin: string };
let compatFake: FakeProvider & { origin: string };
let stabilityFake: FakeProvider;
let mjFake: FakeMidjourney;
let mjSlowFake: FakeMidjourney;
let alice: { token: string; integrations: Record<string, string> };
let bob: { token: string };
let carol: { token: string };


const sdk = (token: string): OpenAI => openaiSdk(server, token);

const addIntegration = async (token: string, body: Record<string, unknown>): Promise<string> => (await createIntegration(server, token, body)).id;

const usageOf = (token: string): Promise<UsageRow[]> => usageRows(server, token);

async function generate(token: string, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await server.api('/v1/images/generations', { token, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

const errorOf = (json: Record<string, unknown>) => json.error as { code: string; param: string | null; message: string; source: string };
const pngDimensions = (base64: string) => {
  const bytes = Buffer.from(base64, 'base64');
  return { signature: bytes.subarray(0, 8).toString('hex'), width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
};

beforeAll(async () => {
  openaiFake = await startFakeOpenAIImages({ keys: [OPENAI_KEY] });
  compatFake = await startFakeOpenAIImages({ keys: [COMPAT_KEY] });
  stabilityFake = await startFakeStability({ keys: [STABILITY_KEY] });
  mjFake = await startFakeMidjourney({ secrets: [MJ_SECRET], submitPath: '/api/imagine', fetchPath: '/api/tasks/{id}', pollsUntilDone: 4 });
  mjSlowFake = await startFakeMidjourney({ secrets: [MJ_SLOW_SECRET], submitPath: '/api/imagine', fetchPath: '/api/tasks/{id}', pollsUntilDone: 1000 });
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl,
    SWITCHBOARD_STABILITY_BASE_URL: stabilityFake.baseUrl,
    SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
    SWITCHBOARD_MIDJOURNEY_SUBMIT_PATH: '/api/imagine',
    SWITCHBOARD_MIDJOURNEY_FETCH_PATH: '/api/tasks/{id}',
    SWITCHBOARD_MIDJOURNEY_POLL_INTERVAL_MS: '20',
    SWITCHBOARD_IMAGE_MAX_POLLS: '8',
    SWITCHBOARD_IMAGE_TIMEOUT_MS: '1500',
  });
  const a = await server.signIn();
  alice = {
    token: a.token,
    integrations: {
      openai: await addIntegration(a.token, { service: 'openai', api_key: OPENAI_KEY }),
      stability: await addIntegration(a.token, { service: 'stability', api_key: STABILITY_KEY }),
      midjourney: await addIntegration(a.token, { service: 'midjourney', api_key: MJ_SECRET, base_url: mjFake.baseUrl }),
      openai_compatible: await addIntegration(a.token, { service: 'openai_compatible', api_key: COMPAT_KEY, base_url: compatFake.baseUrl }),
    },
  };
  const b = await server.signIn();
  await addIntegration(b.token, { service: 'midjourney', api_key: MJ_SLOW_SECRET, base_url: mjSlowFake.baseUrl });
  bob = { token: b.token };
  carol = { token: (await server.signIn()).token };
});

afterAll(async () => {
  await server?.close();
  await Promise.all([openaiFake?.close(), compatFake?.close(), stabilityFake?.close(), mjFake?.close(), mjSlowFake?.close()]);
});

describe('OpenAI images through the official SDK', () => {
  it('dall-e-3 answers a URL and the revised prompt, with the caller’s key, labelled with the integration', async () => {
    const { data: result, response } = await sdk(alice.token)
      .images.generate({ model: 'openai/dall-e-3', prompt: 'a lighthouse at dusk', size: '1024x1024', quality: 'hd', style: 'vivid' })
      .withResponse();
    expect(result.data?.[0]?.url).toMatch(new RegExp(`^${openaiFake.origin}/images/img-\\w+\\.png$`));
    expect(result.data?.[0]?.revised_prompt).toContain('a lighthouse at dusk');
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.integrations.openai);
    const upstream = openaiFake.requests.at(-1)!;
    expect(upstream.credential).toBe(OPENAI_KEY);
    expect(upstream.path).toBe('/v1/images/generations');
    expect(upstream.body).toEqual({ model: 'dall-e-3', prompt: 'a lighthouse at dusk', size: '1024x1024', quality: 'hd', style: 'vivid' });
  });

  it('dall-e-2 with n=2 and b64_json answers two base64 images', async () => {
    const result = await sdk(alice.token).images.generate({ model: 'dall-e-2', prompt: 'two cats', n: 2, size: '256x256', response_format: 'b64_json' });
    expect(result.data?.map((image) => image.b64_json)).toEqual([FAKE_PNG_BASE64, FAKE_PNG_BASE64]);
  });

  it('gpt-image-1 never receives response_format, reports token usage, and a url request gets a data: URL', async () => {
    const b64 = await sdk(alice.token).images.generate({ model: 'openai/gpt-image-1', prompt: 'a red fox', quality: 'low', response_format: 'b64_json' });
    expect(b64.data?.[0]?.b64_json).toBe(FAKE_PNG_BASE64);
    expect(b64.usage?.input_tokens).toBe(12);
    expect(openaiFake.requests.at(-1)!.body).not.toHaveProperty('response_format');
    const url = await sdk(alice.token).images.generate({ model: 'openai/gpt-image-1', prompt: 'a red fox', output_format: 'webp' });
    expect(url.data?.[0]?.url).toBe(`data:image/webp;base64,${FAKE_PNG_BASE64}`);
    expect(url.data?.[0]?.b64_json).toBeUndefined();
  });

  it('refuses dall-e-3 with n>1 and bad input with clear 400s, before calling the provider', async () => {
    const before = openaiFake.requests.length;
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ model: 'openai/dall-e-3', prompt: 'x', n: 2 }, 'invalid_request', 'n'],
      [{ model: 'openai/dall-e-3', prompt: '' }, 'invalid_request', 'prompt'],
      [{ model: 'openai/dall-e-2', prompt: 'x'.repeat(1001) }, 'invalid_request', 'prompt'],
      [{ model: 'openai/dall-e-2', prompt: 'x', n: 11 }, 'invalid_request', 'n'],
      [{ model: 'openai/dall-e-2', prompt: 'x', size: 'big' }, 'invalid_request', 'size'],
      [{ model: 'openai/dall-e-2', prompt: 'x', response_format: 'jpeg' }, 'invalid_request', 'response_format'],
      [{ model: 'openai/dall-e-2', prompt: 'x', style: 'vivid' }, 'unsupported_parameter', 'style'],
      [{ model: 'openai/gpt-image-1', prompt: 'x', stream: true }, 'unsupported_parameter', 'stream'],
      [{ model: 'openai/dall-e-2', prompt: 'x', negative_prompt: 'y' }, 'unsupported_parameter', 'negative_prompt'],
      [{ prompt: 'x' }, 'invalid_request', 'model'],
    ];
    for (const [body, code, param] of cases) {
      const { status, json } = await generate(alice.token, body);
      expect(status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(errorOf(json)).toMatchObject({ code, param });
    }
    expect(openaiFake.requests.length).toBe(before);
  });

  it('maps provider errors: a 429 stays retryable for the SDK, a content-policy 400 is the user’s', async () => {
    openaiFake.enqueue({ kind: 'error', status: 429 });
    const limited = await sdk(alice.token).images.generate({ model: 'openai/dall-e-2', prompt: 'x' }).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('1');
    openaiFake.enqueue({ kind: 'error', status: 400 });
    const { status, json } = await generate(alice.token, { model: 'openai/dall-e-2', prompt: 'x' });
    expect(status).toBe(400);
    expect(errorOf(json)).toMatchObject({ code: 'provider_bad_request', source: 'user' });
    expect(errorOf(json).message).toContain('safety system');
  });

  it('ends a provider that never answers at SWITCHBOARD_IMAGE_TIMEOUT_MS with a 504', async () => {
    const started = Date.now();
    const { status, json } = await generate(alice.token, { model: 'openai/fake-hang', prompt: 'x' });
    expect(status).toBe(504);
    expect(errorOf(json).code).toBe('provider_timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('Stability', () => {
  it('sends multipart with the mapped aspect ratio, one call per image, and answers b64_json', async () => {
    const before = stabilityFake.requests.length;
    const result = await sdk(alice.token).images.generate({ model: 'stability/sd3.5-large', prompt: 'a snowy ridge', n: 2, size: '1792x1024', response_format: 'b64_json' });
    expect(result.data?.map((image) => image.b64_json)).toEqual([FAKE_PNG_BASE64, FAKE_PNG_BASE64]);
    const calls = stabilityFake.requests.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.path).toBe('/v2beta/stable-image/generate/sd3');
    expect(calls[0]!.credential).toBe(STABILITY_KEY);
    expect(calls[0]!.headers.accept).toBe('application/json');
    expect(parseMultipart(calls[0]!.rawBody, calls[0]!.headers['content-type'])).toEqual({ prompt: 'a snowy ridge', model: 'sd3.5-large', aspect_ratio: '16:9' });
  });

  it('answers url requests with a data: URL (no image is stored), and refuses what it cannot express', async () => {
    const result = await sdk(alice.token).images.generate({ model: 'stability/core', prompt: 'a meadow', output_format: 'jpeg' });
    expect(result.data?.[0]?.url).toBe(`data:image/jpeg;base64,${FAKE_PNG_BASE64}`);
    const quality = await generate(alice.token, { model: 'stability/core', prompt: 'x', quality: 'hd' });
    expect(quality.status).toBe(400);
    expect(errorOf(quality.json)).toMatchObject({ code: 'unsupported_parameter', param: 'quality' });
    const ratio = await generate(alice.token, { model: 'stability/core', prompt: 'x', size: '1000x100' });
    expect(errorOf(ratio.json)).toMatchObject({ code: 'unsupported_parameter', param: 'size' });
  });

  it('maps content moderation and {name, errors} bodies', async () => {
    const moderated = await generate(alice.token, { model: 'stability/ultra', prompt: 'something forbidden' });
    expect(moderated.status).toBe(400);
    expect(errorOf(moderated.json)).toMatchObject({ code: 'provider_bad_request' });
    expect(errorOf(moderated.json).message).toContain('content moderation');
    stabilityFake.enqueue({ kind: 'error', status: 402 });
    const broke = await generate(alice.token, { model: 'stability/ultra', prompt: 'x' });
    expect(errorOf(broke.json)).toMatchObject({ code: 'provider_quota_exceeded' });
  });
});

describe('Midjourney task API (configured paths)', () => {
  it('submits, polls several times with progress, then fetches the image for b64_json', async () => {
    const before = mjFake.requests.length;
    const result = await sdk(alice.token).images.generate({ model: 'midjourney/mj', prompt: 'a koi pond', size: '1792x1024', response_format: 'b64_json' });
    expect(result.data?.[0]?.b64_json).toBe(FAKE_PNG_BASE64);
    const calls = mjFake.requests.slice(before);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/imagine', credential: MJ_SECRET, body: { prompt: 'a koi pond --ar 7:4' } });
    const polls = calls.filter((call) => call.path.startsWith('/api/tasks/'));
    expect(polls).toHaveLength(4);
    const fetch = calls.at(-1)!;
    expect(fetch.path).toMatch(/^\/attachments\/\d+\.png$/);
    expect(fetch.headers['mj-api-secret']).toBeUndefined();
  });

  it('answers url requests with the provider’s image URL, without fetching it', async () => {
    const result = await sdk(alice.token).images.generate({ model: 'midjourney/mj', prompt: 'a koi pond' });
    expect(result.data?.[0]?.url).toMatch(new RegExp(`^${mjFake.baseUrl}/attachments/\\d+\\.png$`));
    expect(mjFake.requests.at(-1)!.path).toMatch(/^\/api\/tasks\//);
  });

  it('reports a failed task, a refused prompt, and a task that outlasts the poll cap', async () => {
    const failed = await generate(alice.token, { model: 'midjourney/mj', prompt: 'please fail' });
    expect(failed.status).toBe(502);
    expect(errorOf(failed.json).message).toContain('could not be rendered');
    const banned = await generate(alice.token, { model: 'midjourney/mj', prompt: 'a banned word' });
    expect(banned.status).toBe(400);
    expect(errorOf(banned.json).message).toContain('code 24');
    const gone = await generate(alice.token, { model: 'midjourney/mj', prompt: 'gone', response_format: 'b64_json' });
    expect(gone.status).toBe(502);
    expect(errorOf(gone.json)).toMatchObject({ code: 'provider_error', message: "The provider's image URL answered HTTP 404." });
    const slow = await generate(bob.token, { model: 'midjourney/mj', prompt: 'slow' });
    expect(slow.status).toBe(504);
    expect(errorOf(slow.json).message).toContain('8 polls');
    expect(mjSlowFake.requests.filter((call) => call.path.startsWith('/api/tasks/'))).toHaveLength(8);
  });
});

describe('custom OpenAI-compatible image API', () => {
  it('calls the integration’s base_url with its key', async () => {
    const result = await sdk(alice.token).images.generate({ model: 'openai_compatible/flux-schnell', prompt: 'a bridge', response_format: 'b64_json' });
    expect(result.data?.[0]?.b64_json).toBe(FAKE_PNG_BASE64);
    expect(compatFake.requests.at(-1)).toMatchObject({ path: '/v1/images/generations', credential: COMPAT_KEY, body: { model: 'flux-schnell', response_format: 'b64_json' } });
  });
});

describe('SSRF guard on provider-given image URLs', () => {
  it('refuses to fetch an image URL on a loopback address when private upstreams are not allowed', async () => {
    const guarded = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl });
    try {
      const user = await guarded.signIn();
      expect((await guarded.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: OPENAI_KEY } })).status).toBe(201);
      const ok = await guarded.api('/v1/images/generations', { token: user.token, body: { model: 'openai/dall-e-2', prompt: 'p', response_format: 'b64_json' } });
      expect(ok.status).toBe(200);
      const before = openaiFake.requests.length;
      const refused = await guarded.api('/v1/images/generations', { token: user.token, body: { model: 'openai/fake-url-only', prompt: 'p', response_format: 'b64_json' } });
      expect(refused.status).toBe(502);
      expect(errorOf((await refused.json()) as Record<string, unknown>).message).toContain('private or loopback');
      expect(openaiFake.requests.slice(before).map((call) => call.path)).toEqual(['/v1/images/generations']);
    } finally {
      await guarded.close();
    }
  });
});

describe('local generator', () => {
  it('needs no integration, is deterministic, labelled, and sized as asked', async () => {
    const ask = (prompt: string) => sdk(carol.token).images.generate({ model: 'local/pattern', prompt, size: '64x32', response_format: 'b64_json' }).withResponse();
    const first = await ask('a green square');
    const again = await ask('a green square');
    const other = await ask('a blue circle');
    expect(first.response.headers.get('x-switchboard-fallback')).toBe('local');
    expect((first.data as unknown as { model: string }).model).toBe('local/pattern');
    const image = first.data.data?.[0]?.b64_json ?? '';
    expect(pngDimensions(image)).toEqual({ signature: PNG_SIGNATURE, width: 64, height: 32 });
    expect(again.data.data?.[0]?.b64_json).toBe(image);
    expect(other.data.data?.[0]?.b64_json).not.toBe(image);
    const url = await sdk(carol.token).images.generate({ model: 'local/pattern', prompt: 'a green square', size: '64x32' });
    expect(url.data?.[0]?.url).toBe(`data:image/png;base64,${image}`);
  });

  it('other services still need the caller’s integration', async () => {
    const { status, json } = await generate(carol.token, { model: 'openai/dall-e-3', prompt: 'x' });
    expect(status).toBe(400);
    expect(errorOf(json).code).toBe('integration_missing');
  });
});

describe('metering and secrets', () => {
  it('records one usage row per request: images, service, model, tokens, cost as the catalog prices it', async () => {
    const rows = await usageOf(alice.token);
    const dalle3 = rows.find((row) => row.model === 'dall-e-3' && row.status === 200)!;
    expect(dalle3).toMatchObject({ service: 'openai', operation: 'images', image_count: 1, integration_id: alice.integrations.openai });
    const expected = server.running.services.catalog.costOf('openai', 'dall-e-3', { images: 1, imageVariant: '1024x1024/hd' });
    expect({ cost_micros: dalle3.cost_micros, priced: dalle3.priced }).toEqual({ cost_micros: expected.costMicros, priced: expected.priced });
    expect(rows.find((row) => row.model === 'dall-e-2' && row.status === 200)?.image_count).toBe(2);
    expect(rows.find((row) => row.model === 'gpt-image-1')).toMatchObject({ image_count: 1, input_tokens: 12, output_tokens: 4160 });
    expect(rows.find((row) => row.model === 'sd3.5-large')).toMatchObject({ service: 'stability', image_count: 2 });
    expect(rows.find((row) => row.service === 'midjourney' && row.status === 200)).toMatchObject({ image_count: 1, integration_id: alice.integrations.midjourney });
    expect(rows.find((row) => row.service === 'midjourney' && row.status === 502)).toMatchObject({ image_count: null, error_code: 'provider_error' });
    expect(rows.find((row) => row.model === 'fake-hang')).toMatchObject({ status: 504, error_code: 'provider_timeout', image_count: null });
    expect((await usageOf(bob.token)).find((row) => row.service === 'midjourney')).toMatchObject({ status: 504, error_code: 'provider_timeout' });
    const local = (await usageOf(carol.token)).find((row) => row.service === 'local')!;
    expect(local).toMatchObject({ model: 'pattern', image_count: 1, integration_id: null, fallback: true });
  });

  it('never logs a provider key', () => {
    const logs = server.logs.text();
    expect(logs).toContain('/v1/images/generations');
    for (const secret of SECRETS) expect(logs).not.toContain(secret);
  });
});
