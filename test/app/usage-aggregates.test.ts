/**
 * Issue 7 (WEBAPP.md §6.3 items 1 and 8): usage aggregates from the usage_hourly rollup, driven
 * through the HTTP API of the real server on real PostgreSQL. Traffic comes from the OpenAI SDK
 * through the OpenAI fake and from records written through the usage recorder (the path every AI
 * request takes); totals are checked against independent SQL sums over the raw rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewUsageRecord } from '../../src/metering/usage.store.js';
import { newId } from '../../src/platform/ids.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openaiSdk } from '../helpers/gateway-client.js';
import { queryRows } from '../helpers/test-database.js';
import { usageRecord } from '../helpers/usage-record.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PROVIDER_KEY = 'sk-usage-agg-provider-key-0000000000000042';
const PASSWORD = 'correct horse battery staple';

let fake: FakeProvider;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => queryRows<T>(server.database.url, text, values);

interface Metrics {
  requests: number;
  errors: number;
  errors_by_source: { user: number; provider: number; platform: number };
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  unpriced_requests: number;
  estimated_requests: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
  ttft_p50_ms: number | null;
  fallback_requests: number;
}
type Row = Metrics & { bucket: string } & Record<string, unknown>;
interface Aggregate {
  group_by: string[];
  tz: string;
  from: string;
  to: string;
  data: Row[];
  totals: Metrics;
}

async function aggregate(token: string, query: string, path = '/api/usage'): Promise<Aggregate> {
  await server.running.services.recorder.flush();
  const response = await server.api(`${path}?${query}`, { token });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Aggregate;
}

async function expectError(response: Response, status: number, code: string, param?: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; param: string | null } };
  expect(body.error.code).toBe(code);
  if (param) expect(body.error.param).toBe(param);
}

/** Writes records through the recorder (spool, batch, insert + rollup) and waits until stored. */
async function record(rows: Partial<NewUsageRecord>[], userId: string): Promise<NewUsageRecord[]> {
  const full = rows.map((row) => usageRecord(userId, row));
  for (const row of full) server.running.services.recorder.record(row);
  expect(await server.running.services.recorder.flush()).toBe(true);
  return full;
}

const sumOf = (rows: Metrics[], field: keyof Omit<Metrics, 'errors_by_source'>) => rows.reduce((sum, row) => sum + Number(row[field] ?? 0), 0);

describe('aggregates', () => {
  it('SDK traffic through the gateway: totals equal an independent SQL sum over the raw rows', async () => {
    const user = await server.signIn();
    const saved = await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY } });
    expect(saved.status).toBe(201);
    const sdk = openaiSdk(server, user.token);
    for (const model of ['openai/gpt-4o-mini', 'openai/gpt-4o-mini', 'openai/gpt-4o']) {
      await sdk.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello there' }] });
    }
    const result = await aggregate(user.token, 'group_by=day,model');
    const [expected] = await sql<{ requests: string; input: string; output: string; cost: string }>(
      'select count(*) requests, sum(input_tokens) input, sum(output_tokens) output, coalesce(sum(cost_micros), 0) cost from usage_records where user_id = $1',
      [user.userId],
    );
    expect(result.totals.requests).toBe(3);
    expect(result.totals).toMatchObject({
      requests: Number(expected!.requests),
      input_tokens: Number(expected!.input),
      output_tokens: Number(expected!.output),
      cost_micros: Number(expected!.cost),
      errors: 0,
    });
    expect(result.totals.cost_micros).toBeGreaterThan(0);
    expect(result.tz).toBe('UTC');
    expect(result.group_by).toEqual(['day', 'model']);
    expect(result.data.map((row) => [row.model, row.requests])).toEqual([
      ['gpt-4o', 1],
      ['gpt-4o-mini', 2],
    ]);
    expect(result.data[0]!.bucket).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000\+00:00$/);
    expect(result.totals.latency_p50_ms).not.toBeNull();

    // Without group_by the list is unchanged.
    const list = (await (await server.api('/api/usage', { token: user.token })).json()) as { data: unknown[]; next_cursor: string | null };
    expect(list.data).toHaveLength(3);
    expect(list.next_cursor).toBeNull();
    expect(server.logs.text()).not.toContain(PROVIDER_KEY);
  });

  it('days sum to the range total in Asia/Kolkata; a single-day range equals that day', async () => {
    const user = await server.signIn();
    // Kolkata is +05:30: local midnight of 2026-11-02 is 2026-11-01T18:30Z.
    const times = [
      '2026-10-31T18:29:59Z', // 2026-10-31 23:59:59 local: outside the range
      '2026-10-31T18:30:00Z', // 2026-11-01 00:00 local
      '2026-11-01T06:00:00Z',
      '2026-11-01T18:29:00Z', // 2026-11-01 23:59 local
      '2026-11-01T18:31:00Z', // 2026-11-02 00:01 local
      '2026-11-01T18:44:59Z',
      '2026-11-02T12:00:00Z',
      '2026-11-03T18:30:00Z', // 2026-11-04 00:00 local: outside the range
    ];
    await record(times.map((time, index) => ({ createdAt: new Date(time), costMicros: 10 ** index, latencyMs: 50 * (index + 1) })), user.userId);

    const range = 'from=2026-11-01&to=2026-11-04&tz=Asia/Kolkata';
    const days = await aggregate(user.token, `group_by=day&${range}`);
    expect(days.from).toBe('2026-11-01T00:00:00.000+05:30');
    expect(days.to).toBe('2026-11-04T00:00:00.000+05:30');
    expect(days.data.map((row) => [row.bucket, row.requests, row.cost_micros])).toEqual([
      ['2026-11-01T00:00:00.000+05:30', 3, 10 + 100 + 1_000],
      ['2026-11-02T00:00:00.000+05:30', 3, 10_000 + 100_000 + 1_000_000],
    ]);
    expect(sumOf(days.data, 'requests')).toBe(days.totals.requests);
    expect(sumOf(days.data, 'cost_micros')).toBe(days.totals.cost_micros);
    const [independent] = await sql<{ n: string; cost: string }>(
      `select count(*) n, sum(cost_micros) cost from usage_records where user_id = $1
         and created_at >= ('2026-11-01'::timestamp at time zone 'Asia/Kolkata') and created_at < ('2026-11-04'::timestamp at time zone 'Asia/Kolkata')`,
      [user.userId],
    );
    expect(days.totals.requests).toBe(Number(independent!.n));
    expect(days.totals.cost_micros).toBe(Number(independent!.cost));

    const single = await aggregate(user.token, 'group_by=day&from=2026-11-02&to=2026-11-03&tz=Asia/Kolkata');
    expect(single.data).toHaveLength(1);
    expect(single.data[0]).toEqual(days.data[1]);
    expect(single.totals).toEqual(Object.fromEntries(Object.entries(days.data[1]!).filter(([key]) => key !== 'bucket')));

    // Hours in a half-hour zone are exact too (quarter-hour buckets).
    const hours = await aggregate(user.token, 'group_by=hour&from=2026-11-01T23:00:00%2B05:30&to=2026-11-02T01:00:00%2B05:30&tz=Asia/Kolkata');
    expect(hours.data.map((row) => [row.bucket, row.requests])).toEqual([
      ['2026-11-01T23:00:00.000+05:30', 1],
      ['2026-11-02T00:00:00.000+05:30', 2],
    ]);
  });

  it('filters and dimensions: model, status, error source, key, fallback and percentiles', async () => {
    const user = await server.signIn();
    const at = new Date('2026-11-10T10:00:00Z');
    await record(
      [
        { createdAt: at, latencyMs: 100, ttftMs: 40, keyId: 'key-a' },
        { createdAt: at, latencyMs: 200, ttftMs: 40, keyId: 'key-a', model: 'gpt-4o', estimated: true },
        { createdAt: at, latencyMs: 300, status: 502, errorSource: 'provider', costMicros: null, priced: false, fallback: true },
        { createdAt: at, latencyMs: 5, status: 400, errorSource: 'user', costMicros: null, inputTokens: null, outputTokens: null },
        { createdAt: at, latencyMs: 20_000, status: 500, errorSource: 'platform', costMicros: null, model: 'gpt-4o' },
      ],
      user.userId,
    );
    const range = 'from=2026-11-10&to=2026-11-11';
    const all = await aggregate(user.token, `group_by=day&${range}`);
    expect(all.totals).toMatchObject({
      requests: 5,
      errors: 3,
      errors_by_source: { user: 1, provider: 1, platform: 1 },
      input_tokens: 40,
      output_tokens: 20,
      cost_micros: 200,
      unpriced_requests: 1,
      estimated_requests: 1,
      fallback_requests: 1,
    });
    // Median of 5, 100, 200, 300, 20000 is 200: the cell [160, 250) holds it.
    expect(all.totals.latency_p50_ms).toBeGreaterThanOrEqual(160);
    expect(all.totals.latency_p50_ms).toBeLessThan(250);
    expect(all.totals.latency_p99_ms).toBeGreaterThanOrEqual(16_000);
    expect(all.totals.ttft_p50_ms).toBeGreaterThanOrEqual(25);
    expect(all.totals.ttft_p50_ms).toBeLessThan(63);

    expect((await aggregate(user.token, `group_by=day&${range}&model=gpt-4o`)).totals.requests).toBe(2);
    expect((await aggregate(user.token, `group_by=day&${range}&status=error`)).totals.requests).toBe(3);
    expect((await aggregate(user.token, `group_by=day&${range}&status=5xx`)).totals.requests).toBe(2);
    expect((await aggregate(user.token, `group_by=day&${range}&status=success`)).totals.requests).toBe(2);
    expect((await aggregate(user.token, `group_by=day&${range}&error_source=provider`)).totals).toMatchObject({ requests: 1, fallback_requests: 1 });
    expect((await aggregate(user.token, `group_by=day&${range}&key_id=key-a`)).totals.requests).toBe(2);
    expect((await aggregate(user.token, `group_by=day&${range}&service=anthropic`)).totals.requests).toBe(0);

    const bySource = await aggregate(user.token, `group_by=day,error_source&${range}`);
    expect(bySource.data.map((row) => [row.error_source, row.requests])).toEqual([
      [null, 2],
      ['platform', 1],
      ['provider', 1],
      ['user', 1],
    ]);
    const byStatus = await aggregate(user.token, `group_by=day,status,key&${range}`);
    expect(byStatus.data.map((row) => [row.status_class, row.key_id, row.requests])).toEqual([
      ['2xx', 'key-a', 2],
      ['4xx', null, 1],
      ['5xx', null, 2],
    ]);
  });

  it('a replayed record is counted once', async () => {
    const user = await server.signIn();
    const createdAt = new Date('2026-11-20T08:00:00Z');
    const [first] = await record([{ createdAt, costMicros: 777 }], user.userId);
    // The same request id again: through the recorder, and straight through the batch insert.
    await record([{ ...first!, id: newId() }], user.userId);
    expect(await server.running.services.usageStore.insertBatch([first!, { ...first!, id: newId() }])).toBe(0);
    const result = await aggregate(user.token, 'group_by=hour&from=2026-11-20&to=2026-11-21');
    expect(result.totals).toMatchObject({ requests: 1, cost_micros: 777 });
    const [rollup] = await sql<{ requests: string }>('select sum(requests) requests from usage_hourly where user_id = $1', [user.userId]);
    expect(Number(rollup!.requests)).toBe(1);
  });

  it('concurrent batches into the same rollup rows add up, and the rollup equals the raw rows', async () => {
    const user = await server.signIn();
    const createdAt = new Date('2026-11-22T09:05:00Z');
    const batch = (count: number) =>
      Array.from({ length: count }, (_, index) =>
        usageRecord(user.userId, {
          model: index % 2 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
          costMicros: 3,
          inputTokens: 2,
          outputTokens: 1,
          status: index % 10 === 0 ? 429 : 200,
          errorSource: index % 10 === 0 ? ('provider' as const) : null,
          latencyMs: 100 + index,
          createdAt,
        }),
      );
    const store = server.running.services.usageStore;
    expect(await Promise.all([batch(300), batch(300), batch(300), batch(300)].map((rows) => store.insertBatch(rows)))).toEqual([300, 300, 300, 300]);
    const result = await aggregate(user.token, 'group_by=hour,model&from=2026-11-22&to=2026-11-23');
    expect(result.totals).toMatchObject({ requests: 1_200, cost_micros: 3_600, errors: 120, input_tokens: 2_400 });
    expect(result.data.map((row) => [row.bucket, row.model, row.requests])).toEqual([
      ['2026-11-22T09:00:00.000+00:00', 'gpt-4o', 600],
      ['2026-11-22T09:00:00.000+00:00', 'gpt-4o-mini', 600],
    ]);
    // Everything this file recorded went through the writer: the rollup and the raw rows agree.
    const [raw] = await sql(
      'select count(*)::text n, sum(cost_micros)::text cost, sum(input_tokens)::text input, (count(*) filter (where status >= 400))::text errors, sum(latency_ms)::text latency from usage_records',
    );
    const [rolled] = await sql(
      'select sum(requests)::text n, sum(cost_micros)::text cost, sum(input_tokens)::text input, sum(errors)::text errors, sum(latency_sum_ms)::text latency from usage_hourly',
    );
    expect(rolled).toEqual(raw);
  });

  it("isolation: another user's usage is not counted; another team's id answers 404; members see the team", async () => {
    const owner = await server.signIn();
    const stranger = await server.signIn();
    const team = (await (await server.api('/api/teams', { token: owner.token, body: { name: 'agg team' } })).json()) as { id: string };
    await record([{ createdAt: new Date('2026-11-25T10:00:00Z'), teamId: team.id, costMicros: 5 }], owner.userId);
    const range = 'group_by=day&from=2026-11-25&to=2026-11-26';

    expect((await aggregate(owner.token, `${range}&team_id=${team.id}`)).totals.requests).toBe(1);
    expect((await aggregate(owner.token, range)).totals.requests).toBe(1);
    expect((await aggregate(stranger.token, range)).totals.requests).toBe(0);
    expect((await aggregate(stranger.token, `${range}&key_id=${'key-a'}`)).data).toEqual([]);
    await expectError(await server.api(`/api/usage?${range}&team_id=${team.id}`, { token: stranger.token }), 404, 'not_found');
    await expectError(await server.api(`/api/usage?${range}&team_id=${newId()}`, { token: stranger.token }), 404, 'not_found');
    await expectError(await server.api(`/api/usage.csv?from=2026-11-25&to=2026-11-26&team_id=${team.id}`, { token: stranger.token }), 404, 'not_found');
    expect((await server.api(`/api/usage?${range}`)).status).toBe(401);
  });

  it('bad parameters answer 400 with the parameter named', async () => {
    const user = await server.signIn();
    const bad = async (query: string, param: string) =>
      expectError(await server.api(`/api/usage?${query}`, { token: user.token }), 400, 'invalid_request', param);
    await bad('group_by=week', 'group_by');
    await bad('group_by=day,colour', 'group_by');
    await bad('group_by=day,model,model', 'group_by');
    await bad('group_by=day&tz=Mars/Olympus_Mons', 'tz');
    await bad("group_by=day&tz=UTC';drop", 'tz');
    await bad('group_by=day&from=2026-11-03&to=2026-11-01', 'from');
    await bad('group_by=day&from=yesterday', 'from');
    await bad('group_by=day&from=2026-02-30', 'from');
    await bad('group_by=day&to=2026-11-01T10:00:00', 'to');
    await bad('group_by=hour&from=2026-01-01&to=2026-11-01', 'from');
    await bad('group_by=day&from=2020-01-01&to=2026-11-01', 'from');
    await bad('group_by=day&status=teapot', 'status');
    await bad('group_by=day&error_source=cosmic', 'error_source');
  });
});

describe('openapi', () => {
  it('documents the aggregate query, the CSV export and the admin aggregate', async () => {
    const doc = (await (await server.api('/api/openapi.json')).json()) as { paths: Record<string, Record<string, { parameters?: { name: string }[] }>> };
    const names = (path: string) => (doc.paths[path]?.get?.parameters ?? []).map((parameter) => parameter.name);
    expect(names('/api/usage')).toEqual(expect.arrayContaining(['group_by', 'from', 'to', 'tz', 'team_id', 'status', 'error_source', 'limit', 'cursor']));
    expect(names('/api/usage.csv')).toEqual(expect.arrayContaining(['from', 'to', 'tz', 'team_id', 'model']));
    expect(names('/api/usage.csv')).not.toContain('group_by');
    expect(names('/api/admin/usage')).toEqual(expect.arrayContaining(['group_by', 'from', 'to', 'tz']));
  });
});

describe('admin', () => {
  it('global aggregates for platform admins only; others get the 404 of an unknown path', async () => {
    const email = `admin-${randomBytes(4).toString('hex')}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, isAdmin: true, verified: true });
    const login = (await (await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).json()) as { access_token: string };
    const alice = await server.signIn();
    const bob = await server.signIn();
    const createdAt = new Date('2026-12-01T10:00:00Z');
    await record([{ createdAt, costMicros: 1 }], alice.userId);
    await record([{ createdAt, costMicros: 2, service: 'anthropic', model: 'claude' }], bob.userId);

    const global = await aggregate(login.access_token, 'group_by=day,service&from=2026-12-01&to=2026-12-02', '/api/admin/usage');
    const [expected] = await sql<{ n: string; cost: string }>(
      "select count(*) n, sum(cost_micros) cost from usage_records where created_at >= '2026-12-01' and created_at < '2026-12-02'",
    );
    expect(global.totals.requests).toBe(Number(expected!.n));
    expect(global.totals.cost_micros).toBe(Number(expected!.cost));
    expect(global.data.map((row) => row.service)).toEqual(['anthropic', 'openai']);

    const notFound = await server.api('/api/admin/usage?group_by=day', { token: alice.token });
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    // Without group_by the admin endpoint keeps its per-UTC-day-and-service totals.
    const legacy = (await (await server.api('/api/admin/usage?from=2026-12-01&to=2026-12-02', { token: login.access_token })).json()) as { data: unknown[] };
    expect(legacy.data).toHaveLength(2);
  });
});
