/**
 * Issue 6, item 6 and its Done-when, across two server processes sharing PostgreSQL and a Redis
 * this file starts (and kills): a per-key limit of N per second, and of N per minute, holds
 * across both processes; stopping Redis under load keeps every AI request served (limits fall
 * back to each process, one warning per outage, a metric), auth fails closed with 503, and
 * limits are shared again once Redis is back.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startOwnRedis, type OwnRedis } from '../helpers/own-redis.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PROVIDER_KEY = 'sk-limits-redis-provider-0000000000001';
const OUTAGE_WARNING = 'redis unavailable: AI rate limits are counted per process until it returns';

let redis: OwnRedis;
let fake: FakeProvider;
let database: TestDatabase;
let a: TestServer;
let b: TestServer;
let token: string;

beforeAll(async () => {
  redis = await startOwnRedis();
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  database = await createTestDatabase();
  const env = {
    REDIS_URL: redis.url,
    SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '1000',
  };
  a = await startTestServer(env, { database });
  b = await startTestServer(env, { database });
  ({ token } = await a.signIn());
  expect((await a.api('/api/integrations', { token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis.kill();
  await database?.drop();
  await fake?.close();
});

async function platformKey(rateLimit: Record<string, number>): Promise<string> {
  const response = await a.api('/api/keys', { token, body: { name: 'shared', rate_limit: rateLimit } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

async function chat(server: TestServer, credential: string, stream = false): Promise<number> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream }),
  });
  const text = await response.text();
  if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  // A stream that broke mid-way is a failure even with its 200.
  if (stream && response.status === 200 && !text.endsWith('data: [DONE]\n\n')) return 502;
  return response.status;
}

/** `count` calls at once, alternating between the two processes; the statuses and how long it took. */
async function burst(credential: string, count: number) {
  const started = performance.now();
  const statuses = await Promise.all(Array.from({ length: count }, (_, n) => chat(n % 2 === 0 ? a : b, credential)));
  return { ok: statuses.filter((s) => s === 200).length, refused: statuses.filter((s) => s === 429).length, ms: performance.now() - started };
}

const warnings = (server: TestServer) => server.logs.parsed().filter((line) => line.msg === OUTAGE_WARNING);

async function metric(server: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

/** Calls with a limited key on both processes until both count in Redis again. */
async function untilShared(key: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await metric(a, 'switchboard_rate_limit_redis_degraded')) !== 0 || (await metric(b, 'switchboard_rate_limit_redis_degraded')) !== 0) {
    if (Date.now() > deadline) throw new Error('rate limits did not return to Redis');
    // Only a call with a limit asks Redis.
    await chat(a, key);
    await chat(b, key);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('AI rate limits shared by two processes through Redis', () => {
  it('holds a key’s requests per minute across both processes', async () => {
    const key = await platformKey({ rpm: 7 });
    const result = await burst(key, 24);
    expect(result).toMatchObject({ ok: 7, refused: 17 });
  });

  it('holds a key’s N requests per second across both processes', async () => {
    const key = await platformKey({ rps: 5 });
    const first = await burst(key, 20);
    // One window is 1 s from the first request: a slower burst may reach into the next one.
    const windows = Math.ceil(first.ms / 1000);
    expect(first.ok).toBeGreaterThanOrEqual(5);
    expect(first.ok).toBeLessThanOrEqual(5 * windows);
    if (first.ms < 900) expect(first.ok).toBe(5);
    expect(first.ok + first.refused).toBe(20);
    // The next second has room again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const next = await burst(key, 6);
    expect(next.ok).toBeGreaterThanOrEqual(5);
  });

  it('does not wait on a Redis that stops answering (CLIENT PAUSE) longer than the decision timeout', async () => {
    const key = await platformKey({ rpm: 1_000 });
    expect(await chat(a, key)).toBe(200);
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
      const started = performance.now();
      expect(await chat(a, key)).toBe(200);
      expect(await chat(b, key)).toBe(200);
      // Two calls, each at most one 250 ms wait, well inside the 3 s pause.
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(await metric(a, 'switchboard_rate_limit_local_decisions_total')).toBeGreaterThan(0);
    } finally {
      admin.disconnect();
    }
    await untilShared(key);
  });

  it('keeps serving every AI request when Redis dies under load, with limits per process; auth fails closed; shared again after', async () => {
    const key = await platformKey({ rpm: 100_000, tpm: 10_000_000 });
    // A hard budget with room: its counters live in Redis too, and fall back to each process.
    expect((await a.api('/api/budgets', { method: 'PUT', token, body: { scope: 'user', limit_micros: 1_000_000_000 } })).status).toBe(201);
    let stop = false;
    let served = 0;
    const failures: number[] = [];
    const worker = async (server: TestServer, offset: number) => {
      for (let n = offset; !stop; n += 1) {
        const status = await chat(server, n % 2 === 0 ? key : token, n % 3 === 0);
        if (status === 200) served += 1;
        else failures.push(status);
      }
    };
    const load = Promise.all([worker(a, 0), worker(a, 1), worker(b, 0), worker(b, 1)]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const beforeOutage = served;
    const [warnedA, warnedB] = [warnings(a).length, warnings(b).length];
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(beforeOutage).toBeGreaterThan(0);
    expect(served - beforeOutage).toBeGreaterThan(10);

    // One warning per process for the outage, and the fallback shows in the metrics.
    expect(warnings(a)).toHaveLength(warnedA + 1);
    expect(warnings(b)).toHaveLength(warnedB + 1);
    expect(a.logs.text() + b.logs.text()).toContain('budget counters unavailable in Redis');
    expect(await metric(a, 'switchboard_rate_limit_redis_degraded')).toBe(1);
    expect(await metric(a, 'switchboard_rate_limit_local_decisions_total')).toBeGreaterThan(0);

    // Limits still apply, now per process.
    const limited = await platformKey({ rpm: 2 });
    for (const server of [a, b]) {
      expect(await chat(server, limited)).toBe(200);
      expect(await chat(server, limited)).toBe(200);
      expect(await chat(server, limited)).toBe(429);
    }

    // Sign-in fails closed while the shared count is unknown.
    const login = await a.api('/api/auth/login', { body: { email: 'someone@example.com', password: 'whatever it is' } });
    expect(login.status).toBe(503);
    expect(login.headers.get('retry-after')).toBe('1');
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe('storage_unavailable');

    // Redis back (empty, as after a restart): limits are shared again.
    await redis.restart();
    const shared = await platformKey({ rpm: 3 });
    await untilShared(key);
    expect(await burst(shared, 8)).toMatchObject({ ok: 3, refused: 5 });
    expect((await a.api('/api/auth/login', { body: { email: 'someone@example.com', password: 'whatever it is' } })).status).toBe(401);
    for (const server of [a, b]) {
      expect(server.logs.text()).not.toContain(PROVIDER_KEY);
      expect(server.logs.text()).not.toContain(key);
    }
  });
});
