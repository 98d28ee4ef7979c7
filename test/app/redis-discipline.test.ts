/**
 * OPS.md 4.5 and check 17, on a Redis of the test's own (so a SCAN sees only what these servers
 * wrote, and FLUSHALL touches nobody else):
 * - after traffic through two replicas (logins, a failed login, per-IP and per-key rate limits,
 *   budgets, chat calls), no key lacks a TTL outside `bull:*` and the documented budget counters;
 * - after FLUSHALL the budget counter is rebuilt from PostgreSQL's usage before the next
 *   reservation: a budget with room for 3 requests admits exactly 3, one before and two after;
 * - a video job queued before FLUSHALL is re-enqueued from the jobs table (the outbox) by the
 *   worker and completes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { chatWorstCase, worstCaseMicros } from '../../src/metering/budgets/worst-case.js';
import { createPriceCatalog } from '../../src/metering/price-catalog.js';
import { createLogger } from '../../src/platform/logger.js';
import { startWorker } from '../../src/worker.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startFakeOpenAIVideos, type FakeOpenAIVideos } from '../fakes/openai-videos.js';
import { createLogCapture } from '../helpers/log-capture.js';
import { startOwnRedis, type OwnRedis } from '../helpers/own-redis.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PROVIDER_KEY = 'sk-redis-discipline-key-000000000000001';
const CHAT = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 };
const RESERVATION = worstCaseMicros(createPriceCatalog(), 'openai', 'gpt-4o-mini', chatWorstCase(CHAT));
/** Keys allowed without a TTL: BullMQ's queue keys, and the budget counters (they carry one anyway). */
const EXEMPT = [/^bull:/, /^switchboard:budget:/];

let redis: OwnRedis;
let client: Redis;
let fake: FakeProvider;
let replicas: Replicas;

async function keysWithoutTtl(): Promise<{ scanned: string[]; missing: string[] }> {
  const scanned: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    scanned.push(...keys);
  } while (cursor !== '0');
  const missing: string[] = [];
  for (const key of scanned) if ((await client.pttl(key)) === -1 && !EXEMPT.some((pattern) => pattern.test(key))) missing.push(key);
  return { scanned, missing };
}

beforeAll(async () => {
  redis = await startOwnRedis();
  client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  replicas = await startReplicas({
    REDIS_URL: redis.url,
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_RATE_LIMIT_API_PER_IP: '1000',
    SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '1000',
  });
});

afterAll(async () => {
  await replicas?.close();
  await fake?.close();
  client?.disconnect();
  await redis?.kill();
});

describe('Redis discipline', () => {
  it('leaves no key without a TTL outside the queue and the budget counters', async () => {
    const { a, b } = replicas;
    const user = await a.signIn();
    expect((await b.api('/api/auth/login', { body: { email: user.email, password: 'wrong password here' } })).status).toBe(401);
    expect((await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
    const key = (await (await a.api('/api/keys', { token: user.token, body: { name: 'limited', rate_limit: { rps: 50, rpm: 500, tpm: 100_000 } } })).json()) as { id: string; key: string };
    expect((await a.api('/api/budgets', { method: 'PUT', token: user.token, body: { scope: 'key', scope_id: key.id, limit_micros: 1_000_000_000 } })).status).toBe(201);
    for (const [index, server] of [a, b, a, b].entries()) {
      const response = await server.api('/v1/chat/completions', { token: index % 2 ? key.key : user.token, body: CHAT });
      expect(response.status).toBe(200);
    }
    expect((await b.api('/api/usage', { token: user.token })).status).toBe(200);

    const { scanned, missing } = await keysWithoutTtl();
    expect(missing).toEqual([]);
    // The scan saw the limiters and counters this traffic wrote (so the assertion above means something).
    expect(scanned.some((name) => name.startsWith('sb:'))).toBe(true);
    expect(scanned.some((name) => name.startsWith('switchboard:budget:'))).toBe(true);
    for (const name of scanned.filter((n) => n.startsWith('switchboard:budget:'))) expect(await client.pttl(name)).toBeGreaterThan(0);
  });

  it('rebuilds a budget counter from PostgreSQL after FLUSHALL before the next reservation', async () => {
    const { a, b } = replicas;
    const user = await a.signIn();
    expect((await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
    const key = (await (await a.api('/api/keys', { token: user.token, body: { name: 'budgeted' } })).json()) as { id: string; key: string };
    const put = (limit: number) => a.api('/api/budgets', { method: 'PUT', token: user.token, body: { scope: 'key', scope_id: key.id, limit_micros: limit } });
    expect([200, 201]).toContain((await put(1_000_000_000)).status);
    const call = (server: TestServer) => server.api('/v1/chat/completions', { token: key.key, body: CHAT });

    // One call measures what a call actually costs (the reservation is its worst case).
    expect((await call(a)).status).toBe(200);
    await a.running.services.recorder.flush();
    const spentOf = async () => ((await (await a.api('/api/budgets', { token: user.token })).json()) as { data: Array<{ spent_micros: number; reserved_micros: number }> }).data[0]!;
    let first = await spentOf();
    for (let i = 0; i < 100 && first.reserved_micros > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      first = await spentOf();
    }
    const cost = first.spent_micros;
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThan(RESERVATION);
    // Room for exactly 3 more calls: the k-th (k = 0, 1, 2) needs (1 + k)·cost + worst case ≤ limit.
    expect((await put(3 * cost + RESERVATION + Math.floor(cost / 2))).status).toBe(200);

    const before = fake.requests.length;
    expect((await call(b)).status).toBe(200);
    for (const server of [a, b]) await server.running.services.recorder.flush();
    await client.flushall();
    // No counter in Redis now: the next reservation re-derives spend from PostgreSQL's usage.
    const statuses = [];
    for (const server of [a, b, a, b]) statuses.push((await call(server)).status);
    expect(statuses).toEqual([200, 200, 402, 402]);
    expect(fake.requests.length - before).toBe(3);
    expect((await client.keys('switchboard:budget:*')).length).toBeGreaterThan(0);
  });

  it('re-enqueues a queued job from the jobs table after FLUSHALL', async () => {
    const videos: FakeOpenAIVideos = await startFakeOpenAIVideos({ keys: [PROVIDER_KEY], pollsToComplete: 2 });
    const masterKey = randomBytes(32).toString('base64');
    const env = { REDIS_URL: redis.url, SWITCHBOARD_MASTER_KEY: masterKey, SWITCHBOARD_OPENAI_BASE_URL: videos.baseUrl, SWITCHBOARD_VIDEO_POLL_INTERVAL_MS: '100' };
    const server = await startTestServer(env);
    const logs = createLogCapture();
    let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      const user = await server.signIn();
      expect((await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
      const sdk = new OpenAI({ apiKey: user.token, baseURL: `${server.url}/v1`, maxRetries: 0 });
      const created = await sdk.videos.create({ model: 'openai/sora-2', prompt: 'Flushed waves', seconds: '4' });
      expect((await client.keys('bull:*')).length).toBeGreaterThan(0);
      await client.flushall();
      expect(await client.dbsize()).toBe(0);

      const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'switchboard-worker-')), DATABASE_URL: server.database.url, LOG_LEVEL: 'info', SWITCHBOARD_USAGE_FLUSH_INTERVAL_MS: '50', ...env });
      worker = await startWorker(config, createLogger({ level: 'info', destination: logs.stream }));
      const deadline = Date.now() + 30_000;
      let status = '';
      while (Date.now() < deadline) {
        status = (await sdk.videos.retrieve(created.id)).status;
        if (status === 'completed' || status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe('completed');
      expect(videos.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
      expect(logs.text()).toContain('unfinished jobs taken up from the table');
      // With a worker running (its heartbeat) and the queue in use: still no key without a TTL.
      const { scanned, missing } = await keysWithoutTtl();
      expect(missing).toEqual([]);
      expect(scanned).toContain('switchboard:workers');
      expect(logs.text()).not.toContain(PROVIDER_KEY);
    } finally {
      await worker?.shutdown('test finished');
      await server.close();
      await videos.close();
    }
  }, 90_000);
});
