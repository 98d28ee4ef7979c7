/**
 * Video jobs that never finish: a provider 500 while polling is retried (not the job's failure),
 * and a job still unfinished at SWITCHBOARD_VIDEO_DEADLINE_SECONDS fails with
 * `video_deadline_exceeded`, is metered as a provider failure and signals its webhook.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeOpenAIVideos, type FakeOpenAIVideos } from '../fakes/openai-videos.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const KEY = 'sk-deadline-video-key-0000000000000000001';

let fake: FakeOpenAIVideos;
let server: TestServer;
let receiver: Server;
let receiverUrl: string;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  fake = await startFakeOpenAIVideos({ keys: [KEY], pollsToComplete: 10_000, failingPolls: [2, 3] });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_VIDEO_POLL_INTERVAL_MS: '100',
    SWITCHBOARD_VIDEO_DEADLINE_SECONDS: '2',
    SWITCHBOARD_WEBHOOK_SECRET: 'a-plain-webhook-secret-for-tests',
    SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE: 'true',
  });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

it('retries failed polls, then fails the job at the deadline, meters it and sends video.failed', async () => {
  const user = await server.signIn();
  expect((await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: KEY } })).status).toBe(201);
  const response = await server.api('/v1/videos', { token: user.token, body: { model: 'openai/sora-2', prompt: 'Never ending story', webhook_url: receiverUrl } });
  expect(response.status).toBe(200);
  const created = (await response.json()) as { id: string };
  const client = new OpenAI({ apiKey: user.token, baseURL: `${server.url}/v1`, maxRetries: 0 });

  const deadline = Date.now() + 15_000;
  let video = await client.videos.retrieve(created.id);
  while (video.status !== 'failed' && video.status !== 'completed' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    video = await client.videos.retrieve(created.id);
  }
  expect(video.status).toBe('failed');
  expect(video.error?.code).toBe('video_deadline_exceeded');
  // The two 500s did not end the job: it went on polling past them.
  expect([...fake.tasks.values()][0]!.polls).toBeGreaterThan(3);

  await server.running.services.recorder.flush();
  const usage = (await (await server.api('/api/usage?limit=10', { token: user.token })).json()) as {
    data: Array<{ operation: string; status: number; error_code: string | null; error_source: string | null }>;
  };
  expect(usage.data.filter((row) => row.operation === 'video')).toEqual([
    expect.objectContaining({ status: 504, error_code: 'video_deadline_exceeded', error_source: 'provider' }),
  ]);

  const waitUntil = Date.now() + 5_000;
  while (received.length === 0 && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(received).toHaveLength(1);
  expect(received[0]!.headers['webhook-id']).toBe(`msg_${created.id}_failed`);
  expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'video.failed', data: { id: created.id, status: 'failed', error: { code: 'video_deadline_exceeded' } } });
  expect(server.logs.text()).not.toContain(KEY);
});
