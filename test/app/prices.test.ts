/**
 * Issue 5, item 9: the price catalog and admin overrides, driven over HTTP. Two replicas share one
 * PostgreSQL and one Redis; an override created through one prices the next request on both
 * within a second, deleting it restores the bundled price, and every usage row keeps the catalog
 * version it was priced with. Non-admins see 404 everywhere under /api/admin/prices.
 */
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testRedisUrl } from '../helpers/test-redis.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PROVIDER_KEY = 'sk-prices-provider-key-0000000000000Pr1';
const PASSWORD = 'correct horse battery staple';
const WITHIN_MS = 1_000;
const BUNDLED = '2026-11-01';
const UNKNOWN_ID = '01JB8ZQ6Q3V8Y3J0K9QK7T1M2N';

let fake: FakeProvider;
let database: TestDatabase;
let a: TestServer;
let b: TestServer;
let sql: pg.Client;
let admin: { token: string; userId: string };
let user: { token: string; platformKey: string };

interface UsageRow {
  cost_micros: string | null;
  catalog_version: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  priced: boolean;
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  database = await createTestDatabase();
  const env = {
    REDIS_URL: testRedisUrl(),
    SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_SECRET_CACHE_TTL_SECONDS: '3600',
  };
  a = await startTestServer(env, { database });
  b = await startTestServer(env, { database });
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();

  const email = `price-admin-${randomBytes(4).toString('hex')}@example.com`;
  const created = await a.running.services.accounts.createUser({ email, password: PASSWORD, isAdmin: true, verified: true });
  const login = await a.api('/api/auth/login', { body: { email, password: PASSWORD } });
  admin = { token: ((await login.json()) as { access_token: string }).access_token, userId: created.id };

  const person = await a.signIn();
  expect((await a.api('/api/integrations', { token: person.token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
  const key = (await (await a.api('/api/keys', { token: person.token, body: { name: 'prices' } })).json()) as { key: string };
  user = { token: person.token, platformKey: key.key };
});

afterAll(async () => {
  await sql?.end();
  await a?.close();
  await b?.close();
  await database?.drop();
  await fake?.close();
});

/** One chat request through `server`; answers the usage row it wrote. */
async function chatAndUsage(server: TestServer): Promise<UsageRow> {
  const client = new OpenAI({ apiKey: user.platformKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'price me' }] }).withResponse();
  const requestId = response.headers.get('x-request-id');
  await server.running.services.recorder.flush();
  const { rows } = await sql.query<UsageRow>('select cost_micros, catalog_version, input_tokens, output_tokens, priced from usage_records where request_id = $1', [requestId]);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** gpt-4o-mini at `inputMicros`/`outputMicros` per million tokens, rounded like the catalog. */
const costAt = (row: UsageRow, inputMicros: number, outputMicros: number) =>
  Math.round((row.input_tokens! * inputMicros + row.output_tokens! * outputMicros) / 1_000_000);

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the effective catalog', () => {
  it('lists every priced model with its dated prices, filtered and paginated', async () => {
    const o3 = await a.api('/api/admin/prices?service=openai&model=o3', { token: admin.token });
    expect(o3.status).toBe(200);
    const body = (await o3.json()) as { data: Array<{ service: string; model: string; prices: Array<Record<string, unknown>> }>; catalog_version: string };
    expect(body.catalog_version).toBe(BUNDLED);
    const entry = body.data.find((item) => item.model === 'o3')!;
    expect(entry.prices).toHaveLength(2);
    expect(entry.prices[0]).toMatchObject({ source: 'bundled', in_force: true, input_micros_per_mtok: 2_000_000, output_micros_per_mtok: 8_000_000, effective_from: '2025-06-10T00:00:00.000Z' });
    expect(entry.prices[1]).toMatchObject({ in_force: false, input_micros_per_mtok: 10_000_000 });
    expect(body.data.every((item) => item.service === 'openai' && item.model.includes('o3'))).toBe(true);

    const dalle = (await (await a.api('/api/admin/prices?service=openai&model=dall-e-3', { token: admin.token })).json()) as typeof body;
    expect(dalle.data[0]!.prices[0]).toMatchObject({ per_image_variants: expect.objectContaining({ '1024x1792/hd': 120_000, default: 40_000 }) });

    const first = (await (await a.api('/api/admin/prices?limit=2', { token: admin.token })).json()) as typeof body & { next_cursor: string };
    expect(first.data).toHaveLength(2);
    const second = (await (await a.api(`/api/admin/prices?limit=2&cursor=${encodeURIComponent(first.next_cursor)}`, { token: admin.token })).json()) as typeof body;
    expect(`${second.data[0]!.service}/${second.data[0]!.model}` > first.next_cursor).toBe(true);
  });
});

describe('admin overrides across replicas', () => {
  it('prices the next request on both replicas with an override within a second, and restores the bundled price when it is deleted', async () => {
    const before = await chatAndUsage(b);
    expect(before).toMatchObject({ priced: true, catalog_version: BUNDLED });
    expect(Number(before.cost_micros)).toBe(costAt(before, 150_000, 600_000));

    const created = await a.api('/api/admin/prices', {
      token: admin.token,
      body: { service: 'openai', model: 'gpt-4o-mini', input_micros_per_mtok: 1_000_000_000, output_micros_per_mtok: 2_000_000_000 },
    });
    expect(created.status).toBe(201);
    const override = (await created.json()) as { id: string; effective_from: string; per_image_micros: number | null };
    expect(override).toMatchObject({ per_image_micros: null });
    const version = `${BUNDLED}+${override.id}`;

    // The replica that took the change prices with it at once.
    const onA = await chatAndUsage(a);
    expect(onA.catalog_version).toBe(version);
    expect(Number(onA.cost_micros)).toBe(costAt(onA, 1_000_000_000, 2_000_000_000));
    // The other one within a second.
    await within(WITHIN_MS, async () => (await chatAndUsage(b)).catalog_version === version);
    const onB = await chatAndUsage(b);
    expect(Number(onB.cost_micros)).toBe(costAt(onB, 1_000_000_000, 2_000_000_000));

    const listed = (await (await a.api('/api/admin/prices?service=openai&model=gpt-4o-mini', { token: admin.token })).json()) as {
      data: Array<{ model: string; prices: Array<{ id: string | null; source: string; in_force: boolean; cached_input_micros_per_mtok: number }> }>;
    };
    const prices = listed.data.find((entry) => entry.model === 'gpt-4o-mini')!.prices;
    expect(prices[0]).toMatchObject({ id: override.id, source: 'override', in_force: true, cached_input_micros_per_mtok: 75_000 });
    expect(prices[1]).toMatchObject({ source: 'bundled', in_force: false });

    expect((await a.api(`/api/admin/prices/${override.id}`, { method: 'DELETE', token: admin.token })).status).toBe(204);
    await within(WITHIN_MS, async () => (await chatAndUsage(b)).catalog_version === BUNDLED);
    expect((await chatAndUsage(a)).catalog_version).toBe(BUNDLED);
    expect((await a.api(`/api/admin/prices/${override.id}`, { method: 'DELETE', token: admin.token })).status).toBe(404);

    const audit = await sql.query<{ action: string; actor_user_id: string; target_id: string }>(
      "select action, actor_user_id, target_id from audit_events where target_kind = 'price_override' order by id",
    );
    expect(audit.rows.map((row) => row.action)).toEqual(['price_override.created', 'price_override.deleted']);
    expect(audit.rows.every((row) => row.actor_user_id === admin.userId && row.target_id === override.id)).toBe(true);
  });

  it('an override effective in the future does not apply yet; usage rows keep the version they were priced with', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const created = await a.api('/api/admin/prices', { token: admin.token, body: { service: 'openai', model: 'gpt-4o-mini', output_micros_per_mtok: 5, effective_from: tomorrow } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const row = await chatAndUsage(a);
    expect(row.catalog_version).toBe(BUNDLED);
    const versions = await sql.query<{ catalog_version: string }>('select distinct catalog_version from usage_records');
    expect(versions.rows.every((entry) => entry.catalog_version.startsWith(BUNDLED))).toBe(true);
    expect(versions.rows.length).toBeGreaterThanOrEqual(2);
    expect((await a.api(`/api/admin/prices/${id}`, { method: 'DELETE', token: admin.token })).status).toBe(204);
  });

  it('prices a model the bundled catalog does not know', async () => {
    const created = await a.api('/api/admin/prices', { token: admin.token, body: { service: 'midjourney', model: 'midjourney', per_image_micros: 50_000 } });
    expect(created.status).toBe(201);
    await within(WITHIN_MS, async () => {
      const again = (await (await b.api('/api/admin/prices?service=midjourney', { token: admin.token })).json()) as { data: Array<{ model: string }> };
      return again.data.some((entry) => entry.model === 'midjourney');
    });
    expect(b.running.services.catalog.costOf('midjourney', 'midjourney', { images: 2 }).costMicros).toBe(100_000);
    const { id } = (await created.json()) as { id: string };
    expect((await a.api(`/api/admin/prices/${id}`, { method: 'DELETE', token: admin.token })).status).toBe(204);
  });
});

describe('validation and access', () => {
  it('refuses bad overrides with a clear 400 and stores nothing', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['no price', { service: 'openai', model: 'gpt-4o-mini' }, /at least one price/],
      ['negative', { service: 'openai', model: 'gpt-4o-mini', input_micros_per_mtok: -1 }, /input_micros_per_mtok/],
      ['fraction', { service: 'openai', model: 'gpt-4o-mini', per_second_micros: 1.5 }, /per_second_micros/],
      ['unknown service', { service: 'nope', model: 'x', input_micros_per_mtok: 1 }, /service/],
      ['bad date', { service: 'openai', model: 'gpt-4o-mini', input_micros_per_mtok: 1, effective_from: 'soon' }, /effective_from/],
      ['unknown field', { service: 'openai', model: 'gpt-4o-mini', input: 1 }, /input/],
      ['blank model', { service: 'openai', model: 'a b', input_micros_per_mtok: 1 }, /model/],
    ];
    const count = async () => Number((await sql.query<{ n: string }>('select count(*) as n from price_overrides')).rows[0]!.n);
    const stored = await count();
    for (const [name, body, message] of cases) {
      const response = await a.api('/api/admin/prices', { token: admin.token, body });
      expect(response.status, name).toBe(400);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code, name).toBe('invalid_request');
      expect(error.message, name).toMatch(message);
    }
    expect(await count()).toBe(stored);
    expect((await a.api('/api/admin/prices/not-a-ulid', { method: 'DELETE', token: admin.token })).status).toBe(400);
  });

  it('answers 404 route_not_found to non-admins, platform keys and anonymous callers', async () => {
    const unknown = await (await a.api('/api/admin/no-such-thing', { token: user.token })).json();
    for (const credential of [user.token, user.platformKey, undefined]) {
      for (const [method, path, body] of [
        ['GET', '/api/admin/prices', undefined],
        ['POST', '/api/admin/prices', { service: 'openai', model: 'gpt-4o-mini', input_micros_per_mtok: 1 }],
        ['DELETE', `/api/admin/prices/${UNKNOWN_ID}`, undefined],
      ] as const) {
        const response = await a.api(path, { method, ...(credential ? { token: credential } : {}), ...(body ? { body } : {}) });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(await response.json()).toEqual(unknown);
      }
    }
    expect(Number((await sql.query<{ n: string }>("select count(*) as n from price_overrides where model = 'gpt-4o-mini' and input_micros_per_mtok = 1")).rows[0]!.n)).toBe(0);
  });

  it('never logs the provider key', () => {
    for (const server of [a, b]) expect(server.logs.text()).not.toContain(PROVIDER_KEY);
  });
});
