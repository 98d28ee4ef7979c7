/**
 * Issue 5, video jobs, driven as a user would: the official `openai` SDK creates videos through
 * Switchboard (`client.videos.create`, `retrieve`, `downloadContent`, `list`), the in-process runner
 * (no REDIS_URL) submits them to fake OpenAI (Sora) and Runway servers on 127.0.0.1 and polls them
 * to the end; usage is metered per second; another tenant sees 404s; a signed webhook reaches a
 * loopback receiver; failures surface in the Video object and in usage.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeVideoBytes, parseMultipartFields, startFakeOpenAIVideos, type FakeOpenAIVideos } from '../fakes/openai-videos.js';
import { startFakeRunway, type FakeRunway } from '../fakes/runway.js';
import { createIntegration, openaiSdk, usageRows, type UsageRow } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { videoWorstCase, worstCaseMicros } from '../../src/metering/budgets/worst-case.js';
import { createPriceCatalog } from '../../src/metering/price-catalog.js';

const ALICE_OPENAI_KEY = 'sk-alice-video-openai-00000000000000000001';
const ALICE_RUNWAY_KEY = 'key_alice_runway_0000000000000000000000002';
const BOB_OPENAI_KEY = 'sk-bob-video-openai-000000000000000000003';
const WEBHOOK_SECRET = 'whsec_' + Buffer.from('switchboard-video-webhook-test-secret').toString('base64');

let server: TestServer;
let openaiFake: FakeOpenAIVideos;
let runwayFake: FakeRunway;
let receiver: Server;
let receiverUrl: string;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let alice: { token: string; userId: string };
let bob: { token: string };


const sdk = (token: string): OpenAI => openaiSdk(server, token);

const usageOf = (token: string): Promise<UsageRow[]> => usageRows(server, token);

/** Polls the video through the SDK until it is finished, noting every progress value seen. */
async function waitForVideo(client: OpenAI, id: string): Promise<{ video: OpenAI.Videos.Video; progress: number[] }> {
  const progress: number[] = [];
  const deadline = Date.now() + 15_000;
  for (;;) {
    const video = await client.videos.retrieve(id);
    progress.push(video.progress);
    if (video.status === 'completed' || video.status === 'failed') return { video, progress };
    if (Date.now() > deadline) throw new Error(`video ${id} still ${video.status}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

const addIntegration = async (token: string, body: Record<string, unknown>): Promise<string> => (await createIntegration(server, token, body)).id;

beforeAll(async () => {
  openaiFake = await startFakeOpenAIVideos({ keys: [ALICE_OPENAI_KEY, BOB_OPENAI_KEY], pollsToComplete: 5 });
  runwayFake = await startFakeRunway({ keys: [ALICE_RUNWAY_KEY], pollsToComplete: 4 });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      // The first delivery of each event is refused, so the retry path runs every time.
      const attempts = received.filter((entry) => entry.headers['webhook-id'] === req.headers['webhook-id']).length;
      res.writeHead(attempts === 1 ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/video`;
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl,
    SWITCHBOARD_RUNWAY_BASE_URL: runwayFake.baseUrl,
    SWITCHBOARD_VIDEO_POLL_INTERVAL_MS: '60',
    SWITCHBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE: 'true',
    SWITCHBOARD_WEBHOOK_RETRY_BASE_MS: '50',
    // Runway's pre-signed output URLs point at the fake on 127.0.0.1.
    SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
  });
  const a = await server.signIn();
  const b = await server.signIn();
  alice = { token: a.token, userId: a.userId };
  bob = { token: b.token };
  await addIntegration(alice.token, { service: 'openai', api_key: ALICE_OPENAI_KEY });
  await addIntegration(alice.token, { service: 'runway', api_key: ALICE_RUNWAY_KEY });
  await addIntegration(bob.token, { service: 'openai', api_key: BOB_OPENAI_KEY });
});

afterAll(async () => {
  await server?.close();
  await openaiFake?.close();
  await runwayFake?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

describe('OpenAI video (Sora) through the official SDK', () => {
  let videoId: string;
  let requestId: string;

  it('creates a job (multipart, as the SDK sends it) that completes with visible progress', async () => {
    const client = sdk(alice.token);
    const { data: created, response } = await client.videos.create({ model: 'openai/sora-2', prompt: 'A paper boat on a pond', seconds: '8', size: '1280x720' }).withResponse();
    requestId = response.headers.get('x-request-id')!;
    expect(created).toMatchObject({ object: 'video', status: 'queued', progress: 0, model: 'openai/sora-2', seconds: '8', size: '1280x720', error: null });
    expect(created.id).toMatch(/^video_[0-9A-Z]{26}$/);
    videoId = created.id;

    const { video, progress } = await waitForVideo(client, created.id);
    expect(video).toMatchObject({ id: created.id, status: 'completed', progress: 100, seconds: '8' });
    expect(video.completed_at).toBeGreaterThanOrEqual(created.created_at);
    expect(progress.some((value) => value > 0 && value < 100)).toBe(true);

    const submits = openaiFake.requests.filter((request) => request.method === 'POST');
    expect(submits).toHaveLength(1);
    expect(submits[0]!.credential).toBe(ALICE_OPENAI_KEY);
    expect(parseMultipartFields(submits[0]!.rawBody, submits[0]!.headers['content-type'])).toEqual({
      prompt: 'A paper boat on a pond',
      model: 'sora-2',
      seconds: '8',
      size: '1280x720',
    });
  });

  it('submits again when the provider refused the task with a 429 (Retry-After honoured), once it takes it', async () => {
    const client = sdk(alice.token);
    const before = openaiFake.requests.filter((request) => request.method === 'POST').length;
    const created = await client.videos.create({ model: 'openai/sora-2', prompt: 'RATE_LIMITED_ONCE a heron in the reeds' });
    const { video } = await waitForVideo(client, created.id);
    expect(video.status).toBe('completed');
    expect(openaiFake.requests.filter((request) => request.method === 'POST').length - before).toBe(2);
    expect(server.logs.text()).toContain('video submit refused by the provider; retrying');
  });

  it('downloads the content, proxied from the provider', async () => {
    const response = await sdk(alice.token).videos.downloadContent(videoId);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    const taskId = [...openaiFake.tasks.keys()][0]!;
    expect(Buffer.from(await response.arrayBuffer())).toEqual(fakeVideoBytes(taskId));
  });

  it('meters the job once, per second, with the creating request id', async () => {
    const rows = (await usageOf(alice.token)).filter((row) => row.request_id === requestId);
    expect(rows).toHaveLength(1);
    const expectedCost = server.running.services.catalog.costOf('openai', 'sora-2', { videoSeconds: 8 }).costMicros;
    expect(rows[0]).toMatchObject({ service: 'openai', model: 'sora-2', operation: 'video', video_seconds: 8, status: 200, error_source: null, cost_micros: expectedCost });
  });

  it('lists the caller’s own videos, and another tenant gets 404 for them', async () => {
    const page = await sdk(alice.token).videos.list();
    expect(page.data.map((video) => video.id)).toContain(videoId);

    const stranger = sdk(bob.token);
    await expect(stranger.videos.retrieve(videoId)).rejects.toMatchObject({ status: 404 });
    await expect(stranger.videos.downloadContent(videoId)).rejects.toMatchObject({ status: 404 });
    expect((await stranger.videos.list()).data).toEqual([]);
  });

  it('sends a signed webhook on completion (retried after a refusal)', async () => {
    const client = sdk(alice.token);
    const created = await client.videos.create({ model: 'openai/sora-2', prompt: 'A lighthouse at dusk' }, { headers: { 'x-switchboard-webhook-url': receiverUrl } });
    await waitForVideo(client, created.id);
    const deadline = Date.now() + 5_000;
    const deliveries = () => received.filter((entry) => entry.headers['webhook-id'] === `msg_${created.id}_completed`);
    while (deliveries().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(deliveries()).toHaveLength(2);
    const { headers, body } = deliveries()[1]!;
    const key = Buffer.from(WEBHOOK_SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    const event = JSON.parse(body) as { type: string; data: { id: string; status: string } };
    expect(event).toMatchObject({ type: 'video.completed', data: { id: created.id, status: 'completed' } });
  });
});

describe('Runway through /v1/videos', () => {
  it('maps the request to text_to_video, follows the task to SUCCEEDED and proxies the output', async () => {
    const client = sdk(alice.token);
    const created = await client.videos.create({ model: 'runway/gen4.5', prompt: 'A fox in the snow', seconds: '5' as '4', size: '1280x720' });
    const { video, progress } = await waitForVideo(client, created.id);
    expect(video.status).toBe('completed');
    expect(progress.some((value) => value > 0 && value < 100)).toBe(true);

    const submit = runwayFake.requests.find((request) => request.method === 'POST')!;
    expect(submit.path).toBe('/v1/text_to_video');
    expect(submit.headers['x-runway-version']).toBe('2024-11-06');
    expect(submit.credential).toBe(ALICE_RUNWAY_KEY);
    expect(submit.body).toEqual({ model: 'gen4.5', promptText: 'A fox in the snow', ratio: '1280:720', duration: 5 });

    const content = await client.videos.downloadContent(created.id);
    const taskId = [...runwayFake.tasks.keys()][0]!;
    expect(Buffer.from(await content.arrayBuffer())).toEqual(fakeVideoBytes(taskId));
    const output = runwayFake.requests.find((request) => request.path.startsWith('/outputs/'))!;
    expect(output.headers.authorization).toBeUndefined();

    const row = (await usageOf(alice.token)).find((entry) => entry.service === 'runway' && entry.status === 200);
    expect(row).toMatchObject({ model: 'gen4.5', operation: 'video', video_seconds: 5 });
  });

  it('switches to image_to_video for input_reference.image_url (multipart key[prop] fields)', async () => {
    const client = sdk(alice.token);
    const created = await client.videos.create({ model: 'runway/veo3.1', prompt: 'The statue dances', input_reference: { image_url: 'https://example.com/statue.jpg' } });
    await waitForVideo(client, created.id);
    const submit = runwayFake.requests.filter((request) => request.method === 'POST').at(-1)!;
    expect(submit.path).toBe('/v1/image_to_video');
    expect(submit.body).toEqual({ model: 'veo3.1', promptText: 'The statue dances', ratio: '1280:720', duration: 8, promptImage: 'https://example.com/statue.jpg' });
  });

  it('surfaces a failed task in the Video object and in usage, and has no content', async () => {
    const client = sdk(alice.token);
    const created = await client.videos.create({ model: 'runway/gen4.5', prompt: 'Please FAIL this one' });
    const { video } = await waitForVideo(client, created.id);
    expect(video.status).toBe('failed');
    expect(video.error?.code).toBe('video_generation_failed');
    expect(video.error?.message).toContain('SAFETY.INPUT.TEXT');
    await expect(client.videos.downloadContent(created.id)).rejects.toMatchObject({ status: 409, error: { code: 'video_not_ready' } });
    const row = (await usageOf(alice.token)).find((entry) => entry.service === 'runway' && entry.status !== 200);
    expect(row).toMatchObject({ status: 502, error_source: 'provider', video_seconds: null });
  });
});

describe('budgets', () => {
  it('reserves a job’s worst case (seconds × price) from creation until it ends, then settles to its cost', async () => {
    const user = await server.signIn();
    await addIntegration(user.token, { service: 'openai', api_key: ALICE_OPENAI_KEY });
    const worstCase = worstCaseMicros(createPriceCatalog(), 'openai', 'sora-2', videoWorstCase({ seconds: '8' }));
    expect(worstCase).toBeGreaterThan(0);
    // Room for one 8 s video, not two.
    const budget = await server.api('/api/budgets', { method: 'PUT', token: user.token, body: { scope: 'user', limit_micros: Math.floor(worstCase * 1.5) } });
    expect(budget.status).toBe(201);
    const client = sdk(user.token);
    const create = () => client.videos.create({ model: 'openai/sora-2', prompt: 'A kite over the dunes', seconds: '8' }).then((video) => video.id, (error: unknown) => error);
    const [first, second] = await Promise.all([create(), create()]);
    const ids = [first, second].filter((result): result is string => typeof result === 'string');
    const refused = [first, second].filter((result) => result instanceof OpenAI.APIError);
    expect(ids).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ status: 402, code: 'budget_exceeded' });

    const read = async () => ((await (await server.api('/api/budgets', { token: user.token })).json()) as { data: Array<{ spent_micros: number; reserved_micros: number }> }).data[0]!;
    const { video } = await waitForVideo(client, ids[0]!);
    expect(video.status).toBe('completed');
    const deadline = Date.now() + 5_000;
    let after = await read();
    while (after.reserved_micros !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await read();
    }
    const row = (await usageOf(user.token)).find((usage) => usage.operation === 'video' && usage.status === 200);
    expect(row?.cost_micros).toBeGreaterThan(0);
    expect(after).toMatchObject({ reserved_micros: 0, spent_micros: row!.cost_micros });
  });
});

describe('acting for a team', () => {
  it('stores the job under the team: visible in the team context, not in the member’s own', async () => {
    const team = (await (await server.api('/api/teams', { token: alice.token, body: { name: 'Video team' } })).json()) as { id: string };
    const teamClient = new OpenAI({ apiKey: alice.token, baseURL: `${server.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-switchboard-team': team.id } });
    const created = await teamClient.videos.create({ model: 'openai/sora-2', prompt: 'A team picture' });
    expect((await teamClient.videos.retrieve(created.id)).id).toBe(created.id);
    expect((await teamClient.videos.list()).data.map((video) => video.id)).toEqual([created.id]);
    await expect(sdk(alice.token).videos.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(sdk(bob.token).videos.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await waitForVideo(teamClient, created.id);
  });
});

describe('a custom video API (openai_compatible) at the integration’s base_url', () => {
  it('speaks OpenAI’s video shape to the custom endpoint with the integration’s key', async () => {
    const integrationId = await addIntegration(bob.token, { service: 'openai_compatible', api_key: BOB_OPENAI_KEY, base_url: openaiFake.baseUrl });
    const client = sdk(bob.token);
    const { data: created, response } = await client.videos.create({ model: 'openai_compatible/wan-2.1', prompt: 'A kite over dunes' }).withResponse();
    expect(response.headers.get('x-switchboard-integration')).toBe(integrationId);
    const { video } = await waitForVideo(client, created.id);
    expect(video).toMatchObject({ status: 'completed', model: 'openai_compatible/wan-2.1' });
    const submit = openaiFake.requests.filter((request) => request.method === 'POST').at(-1)!;
    expect(submit.credential).toBe(BOB_OPENAI_KEY);
    expect(parseMultipartFields(submit.rawBody, submit.headers['content-type'])).toEqual({ prompt: 'A kite over dunes', model: 'wan-2.1' });
    const task = [...openaiFake.tasks.values()].find((entry) => entry.model === 'wan-2.1')!;
    expect(Buffer.from(await (await client.videos.downloadContent(created.id)).arrayBuffer())).toEqual(fakeVideoBytes(task.id));
  });
});

describe('bad input is a clear 4xx and stores nothing', () => {
  it('refuses a missing prompt, an unknown parameter, an upload and a service without a video API', async () => {
    const before = (await sdk(bob.token).videos.list()).data.length;
    const post = (body: unknown) => server.api('/v1/videos', { token: bob.token, body });
    const missing = await post({ model: 'openai/sora-2' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: 'invalid_request', param: 'prompt', source: 'user' } });
    const unknown = await post({ model: 'openai/sora-2', prompt: 'x', resolution: 'hd' });
    expect(await unknown.json()).toMatchObject({ error: { code: 'unsupported_parameter', param: 'resolution' } });
    const nul = await post({ model: 'openai/sora-2', prompt: 'a cat\u0000' });
    expect(nul.status).toBe(400);
    expect(await nul.json()).toMatchObject({ error: { code: 'invalid_request', param: 'prompt', source: 'user' } });
    const chatOnly = await post({ model: 'anthropic/claude-sonnet-4-5', prompt: 'x' });
    expect(chatOnly.status).toBe(400);
    const noIntegration = await post({ model: 'runway/gen4.5', prompt: 'x' });
    expect(await noIntegration.json()).toMatchObject({ error: { code: 'integration_missing' } });
    await expect(
      sdk(bob.token).videos.create({ model: 'openai/sora-2', prompt: 'x', input_reference: new File([Buffer.from('png')], 'ref.png') }),
    ).rejects.toMatchObject({ status: 400, error: { code: 'unsupported_parameter', param: 'input_reference' } });
    expect((await sdk(bob.token).videos.list()).data).toHaveLength(before);
  });

  it('never logs a provider key or the webhook secret', () => {
    const logs = server.logs.text();
    for (const secret of [ALICE_OPENAI_KEY, ALICE_RUNWAY_KEY, BOB_OPENAI_KEY, WEBHOOK_SECRET]) expect(logs).not.toContain(secret);
    expect(logs).toContain('video job completed');
  });
});
