/**
 * Issue 7, the Logs page's server side: GET /api/usage without group_by filters everything
 * server-side (the last session's "usage list without group_by ignores new filters"), carries the
 * key and integration names, pages by keyset; GET /api/usage/{id} shows the upstream attempts of a
 * request that fell back, the price used and the response headers; GET /api/usage/facets lists the
 * caller's own options. Traffic goes through /v1 with a platform key against the OpenAI fake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewUsageRecord } from '../../src/metering/usage.store.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openaiSdk } from '../helpers/gateway-client.js';
import { usageRecord } from '../helpers/usage-record.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PROVIDER_KEY = 'sk-usage-log-provider-key-00000000000000Qx7';

let fake: FakeProvider;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_RETRY_BASE_DELAY_MS: '5', SWITCHBOARD_RETRY_MAX_DELAY_MS: '20' });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

interface LogRow {
  id: string;
  request_id: string;
  model: string;
  requested_model: string | null;
  status: number;
  error_source: string | null;
  fallback: boolean;
  key_id: string | null;
  key_name: string | null;
  key_last4: string | null;
  integration_id: string | null;
  integration_name: string | null;
  integration_last4: string | null;
  created_at: string;
}
interface LogPage {
  data: LogRow[];
  next_cursor: string | null;
}

async function get<T>(token: string, path: string, status = 200): Promise<T> {
  await server.running.services.recorder.flush();
  const response = await server.api(path, { token });
  expect(response.status, await response.clone().text()).toBe(status);
  return (await response.json()) as T;
}

async function record(rows: Partial<NewUsageRecord>[], userId: string): Promise<void> {
  for (const row of rows) server.running.services.recorder.record(usageRecord(userId, row));
  expect(await server.running.services.recorder.flush()).toBe(true);
}

describe('usage log', () => {
  it('a request that fell back: listed with names, its details show both attempts, the price and the headers', async () => {
    const user = await server.signIn();
    const integration = (await (await server.api('/api/integrations', { token: user.token, body: { service: 'openai', name: 'Main OpenAI', api_key: PROVIDER_KEY } })).json()) as { id: string };
    const key = (await (await server.api('/api/keys', { token: user.token, body: { name: 'Log key' } })).json()) as { id: string; key: string };
    const route = await server.api('/api/routes/flaky', {
      method: 'PUT',
      token: user.token,
      body: { strategy: 'priority', targets: [{ model: 'openai/fake-error-500' }, { model: 'openai/gpt-4o-mini' }] },
    });
    expect(route.status, await route.clone().text()).toBe(201);
    const sdk = openaiSdk(server, key.key);
    const ok = await sdk.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const fellBack = await sdk.chat.completions.create({ model: 'flaky', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(fellBack.response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o-mini');
    const failed = await sdk.chat.completions.create({ model: 'openai/fake-error-400', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);

    const page = await get<LogPage>(user.token, '/api/usage');
    expect(page.data).toHaveLength(3);
    expect(page.data.map((row) => row.request_id)).toEqual([expect.any(String), fellBack.response.headers.get('x-request-id'), ok.response.headers.get('x-request-id')]);
    const row = page.data[1]!;
    expect(row).toMatchObject({ model: 'gpt-4o-mini', requested_model: 'flaky', fallback: true, status: 200, key_id: key.id, key_name: 'Log key', integration_id: integration.id, integration_name: 'Main OpenAI', integration_last4: PROVIDER_KEY.slice(-4) });
    expect(page.data[0]).toMatchObject({ status: 400, error_source: 'user', requested_model: 'openai/fake-error-400' });

    // Details by record id and by x-request-id.
    const detail = await get<{
      attempts: Array<{ model: string; status: number; error_source: string | null; next: string | null; integration_name: string | null; duration_ms: number }>;
      price: { input_micros_per_mtok: number | null } | null;
      response_headers: Record<string, string>;
      request_id: string;
    }>(user.token, `/api/usage/${row.id}`);
    expect(detail.attempts.length).toBeGreaterThanOrEqual(2);
    expect(detail.attempts[0]).toMatchObject({ model: 'fake-error-500', status: 502, error_source: 'provider', integration_name: 'Main OpenAI' });
    expect(detail.attempts.at(-2)!.next).toBe('fallback');
    expect(detail.attempts.at(-1)).toMatchObject({ model: 'gpt-4o-mini', status: 200, error_source: null, next: null });
    expect(detail.price?.input_micros_per_mtok).toBeGreaterThan(0);
    expect(detail.response_headers).toEqual({
      'x-request-id': row.request_id,
      'x-switchboard-integration': integration.id,
      'x-switchboard-fallback': 'openai/gpt-4o-mini',
    });
    const byRequestId = await get<{ id: string }>(user.token, `/api/usage/${encodeURIComponent(row.request_id)}`);
    expect(byRequestId.id).toBe(row.id);

    // Another user: 404, nothing revealed; the facets are their own.
    const other = await server.signIn();
    const hidden = await server.api(`/api/usage/${row.id}`, { token: other.token });
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain('Main OpenAI');
    expect(await get<LogPage>(other.token, `/api/usage?request_id=${row.id}`)).toEqual({ data: [], next_cursor: null });

    const facets = await get<{ models: string[]; services: string[]; keys: Array<{ id: string; name: string }>; integrations: Array<{ id: string; name: string; key_last4: string }> }>(user.token, '/api/usage/facets');
    expect(facets.models).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini', 'fake-error-400']));
    expect(facets.services).toEqual(['openai']);
    expect(facets.keys).toEqual([{ id: key.id, name: 'Log key', key_last4: key.key.slice(-4) }]);
    expect(facets.integrations).toEqual([{ id: integration.id, name: 'Main OpenAI', service: 'openai', key_last4: PROVIDER_KEY.slice(-4) }]);
    expect(await get(other.token, '/api/usage/facets')).toEqual({ models: [], services: [], keys: [], integrations: [] });

    // Secrets nowhere.
    const everything = JSON.stringify([page, detail, facets]) + server.logs.text();
    expect(everything).not.toContain(PROVIDER_KEY);
    expect(everything).not.toContain(key.key);
  });

  it('every filter applies server-side without group_by, and the keyset pages cover all rows once', async () => {
    const user = await server.signIn();
    const base = Date.parse('2026-11-10T12:00:00Z');
    const rows: Partial<NewUsageRecord>[] = [];
    for (let i = 0; i < 30; i += 1) {
      rows.push({
        createdAt: new Date(base + i * 60_000),
        model: i % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
        service: i % 5 === 0 ? 'anthropic' : 'openai',
        keyId: i % 2 === 0 ? 'key-even' : 'key-odd',
        integrationId: i % 4 === 0 ? 'int-a' : 'int-b',
        status: i % 7 === 0 ? 502 : i % 6 === 0 ? 429 : 200,
        errorSource: i % 7 === 0 ? 'provider' : i % 6 === 0 ? 'user' : null,
        fallback: i % 10 === 0,
      });
    }
    await record(rows, user.userId);
    const count = async (query: string) => (await get<LogPage>(user.token, `/api/usage?limit=100&${query}`)).data.length;
    const expected = (pick: (i: number) => boolean) => Array.from({ length: 30 }, (_, i) => i).filter(pick).length;
    expect(await count('')).toBe(30);
    expect(await count('model=gpt-4o')).toBe(expected((i) => i % 3 === 0));
    expect(await count('service=anthropic')).toBe(expected((i) => i % 5 === 0));
    expect(await count('key_id=key-even')).toBe(15);
    expect(await count('integration_id=int-a')).toBe(expected((i) => i % 4 === 0));
    expect(await count('status=5xx')).toBe(expected((i) => i % 7 === 0));
    expect(await count('status=4xx')).toBe(expected((i) => i % 7 !== 0 && i % 6 === 0));
    expect(await count('status=429')).toBe(expected((i) => i % 7 !== 0 && i % 6 === 0));
    expect(await count('status=502')).toBe(expected((i) => i % 7 === 0));
    expect(await count('status=500')).toBe(0);
    expect(await count('status=error')).toBe(expected((i) => i % 7 === 0 || i % 6 === 0));
    expect(await count('error_source=user')).toBe(expected((i) => i % 7 !== 0 && i % 6 === 0));
    expect(await count('fallback=true')).toBe(3);
    expect(await count('fallback=false')).toBe(27);
    expect(await count('from=2026-11-10T12:10:00Z&to=2026-11-10T12:20:00Z')).toBe(10);
    expect(await count('model=gpt-4o&status=5xx&key_id=key-even')).toBe(expected((i) => i % 3 === 0 && i % 7 === 0 && i % 2 === 0));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: LogPage = await get<LogPage>(user.token, `/api/usage?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((row) => row.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect([...seen].sort().reverse()).toEqual(seen);

    // The histogram's aggregate takes the same fallback filter.
    const histogram = await get<{ totals: { requests: number } }>(user.token, '/api/usage?group_by=hour&from=2026-11-10&to=2026-11-11&fallback=true');
    expect(histogram.totals.requests).toBe(3);
  });

  it('bad filters answer 400 with the parameter named', async () => {
    const user = await server.signIn();
    for (const [query, param] of [['fallback=maybe', 'fallback'], ['status=6xx', 'status'], ['status=600', 'status'], ['from=yesterday', 'from'], ['group_by=day&status=429', 'status']] as const) {
      const response = await server.api(`/api/usage?${query}`, { token: user.token });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe(param);
    }
    expect((await server.api('/api/usage/facets?team_id=01JB8ZQ6Q3V8Y3J0K9QK7T1M2P', { token: user.token })).status).toBe(404);
  });
});
