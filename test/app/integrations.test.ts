/**
 * Personal integrations (stored provider keys) through the API, as a user or script drives them:
 * the exact shapes, paging, updates that take effect on the very next AI call, tenant isolation,
 * validation that stores nothing, ciphertext bound to its row, audit, and storage outages that
 * leave nothing half-written.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openAIAnswer, startFakeOpenAI } from '../fakes/openai.js';
import { startDatabaseProxy } from '../helpers/database-proxy.js';
import { createTestDatabase, queryRows, type TestDatabase } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const KEY_1 = 'sk-integrations-test-key-one-0000000000A1b2';
const KEY_2 = 'sk-integrations-test-key-two-0000000000C3d4';
const OTHER_KEYS = Array.from({ length: 8 }, (_, i) => `sk-integrations-other-${i}-${'x'.repeat(20)}Zq${i}9`);
const everyKey = [KEY_1, KEY_2, ...OTHER_KEYS];

/** PRODUCT.md's documented fields, plus the status detail and owner the implementation adds. */
const VIEW_FIELDS = ['id', 'service', 'name', 'key_last4', 'base_url', 'status', 'rate_limit', 'monthly_quota', 'created_at', 'updated_at'];
const EXTRA_FIELDS = ['last_error', 'last_checked_at', 'team_id', 'disabled_at', 'disabled_reason', 'disabled_by', 'retry_at', 'health', 'breaker', 'latency_p50_ms', 'requests_24h', 'models', 'last_used_at', 'quota_spent_micros'];

interface Integration {
  id: string;
  service: string;
  name: string;
  key_last4: string;
  base_url: string | null;
  status: string;
  rate_limit: unknown;
  monthly_quota: unknown;
  created_at: string;
  updated_at: string;
}
interface ErrorBody {
  error: { message: string; type: string; code: string; source: string; param: string | null };
}

let server: TestServer;
let openai: FakeProvider;
// Per-IP limits are not what these tests are about; keep them from throttling a fast suite.
const NO_IP_LIMITS = { SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0', SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0' };

beforeAll(async () => {
  openai = await startFakeOpenAI({ keys: everyKey });
  server = await startTestServer({ ...NO_IP_LIMITS, SWITCHBOARD_OPENAI_BASE_URL: openai.baseUrl });
});

afterAll(async () => {
  await server?.close();
  await openai?.close();
});

async function create(token: string, body: unknown, target: TestServer = server): Promise<Integration> {
  const response = await target.api('/api/integrations', { token, body });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Integration;
}

async function list(token: string, query = ''): Promise<{ data: Integration[]; next_cursor: string | null }> {
  const response = await server.api(`/api/integrations${query}`, { token });
  expect(response.status).toBe(200);
  return (await response.json()) as { data: Integration[]; next_cursor: string | null };
}

const chat = (token: string, target: TestServer = server) =>
  target.api('/v1/chat/completions', { token, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });

const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = [], url = server.database.url): Promise<T[]> => queryRows<T>(url, text, values);

describe('create and read', () => {
  it('POST answers 201 with the documented fields, key_last4 and never the key', async () => {
    const { token } = await server.signIn();
    const response = await server.api('/api/integrations', { token, body: { service: 'openai', api_key: KEY_1 } });
    expect(response.status).toBe(201);
    const text = await response.text();
    const body = JSON.parse(text) as Integration & Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([...VIEW_FIELDS, ...EXTRA_FIELDS].sort());
    expect(body).toMatchObject({ service: 'openai', name: 'openai', key_last4: 'A1b2', base_url: null, status: 'active' });
    expect(body).toMatchObject({ rate_limit: null, monthly_quota: null, last_error: null, team_id: null });
    expect(body.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Date(body.created_at).toISOString()).toBe(body.created_at);
    expect(body.updated_at).toBe(body.created_at);
    expect(text).not.toContain(KEY_1);
    expect(text).not.toContain('api_key');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('stores name, base_url (normalised), rate_limit and monthly_quota as given', async () => {
    const { token } = await server.signIn();
    const created = await create(token, {
      service: 'openai',
      api_key: OTHER_KEYS[0],
      name: '  Work key  ',
      base_url: 'https://api.openai.com/v1/',
      rate_limit: { rpm: 60, tpm: 90_000 },
      monthly_quota: { limit_micros: 25_000_000 },
    });
    expect(created).toMatchObject({
      name: 'Work key',
      base_url: 'https://api.openai.com/v1',
      key_last4: OTHER_KEYS[0]!.slice(-4),
      rate_limit: { rpm: 60, tpm: 90_000 },
      monthly_quota: { limit_micros: 25_000_000 },
    });
    const fetched = await server.api(`/api/integrations/${created.id}`, { token });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(created);
  });

  it('lists {data, next_cursor}, newest first, paging with limit and cursor', async () => {
    const { token } = await server.signIn();
    const created = [];
    for (const key of OTHER_KEYS.slice(0, 3)) created.push(await create(token, { service: 'anthropic', api_key: key }));
    const newestFirst = created.map((item) => item.id).reverse();

    const all = await list(token);
    expect(all).toEqual({ data: [...created].reverse(), next_cursor: null });

    const first = await list(token, '?limit=2');
    expect(first.data.map((item) => item.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await list(token, `?limit=2&cursor=${encodeURIComponent(first.next_cursor!)}`);
    expect(second).toEqual({ data: [created[0]], next_cursor: null });

    for (const bad of ['?limit=0', '?limit=1001', '?limit=abc']) {
      const response = await server.api(`/api/integrations${bad}`, { token });
      expect(response.status, bad).toBe(400);
      expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'invalid_request', param: 'limit' });
    }
  });
});

describe('update and delete take effect on the next AI call', () => {
  it('PATCH renames; PATCH api_key changes key_last4 and the very next call uses the new key', async () => {
    const { token } = await server.signIn();
    const created = await create(token, { service: 'openai', api_key: KEY_1 });
    // Warm every cache on the AI path with the old key.
    const before = await chat(token);
    expect(before.status).toBe(200);
    expect(openai.requests.at(-1)?.credential).toBe(KEY_1);

    const renamed = await server.api(`/api/integrations/${created.id}`, { token, method: 'PATCH', body: { name: 'Renamed' } });
    expect(renamed.status).toBe(200);
    const renamedBody = (await renamed.json()) as Integration;
    expect(renamedBody).toMatchObject({ id: created.id, name: 'Renamed', key_last4: 'A1b2', created_at: created.created_at });
    expect(Date.parse(renamedBody.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));

    const replaced = await server.api(`/api/integrations/${created.id}`, { token, method: 'PATCH', body: { api_key: KEY_2 } });
    expect(replaced.status).toBe(200);
    const replacedText = await replaced.text();
    expect(JSON.parse(replacedText)).toMatchObject({ id: created.id, name: 'Renamed', key_last4: 'C3d4', status: 'active' });
    expect(replacedText).not.toContain(KEY_2);

    const after = await chat(token);
    expect(after.status).toBe(200);
    expect(openai.requests.at(-1)?.credential).toBe(KEY_2);
    const completion = (await after.json()) as { choices: Array<{ message: { content: string } }> };
    expect(completion.choices[0]?.message.content).toBe(openAIAnswer(2));
  });

  it('DELETE answers 204; the integration is gone from the API and from the AI path at once', async () => {
    const { token } = await server.signIn();
    const created = await create(token, { service: 'openai', api_key: OTHER_KEYS[1] });
    expect((await chat(token)).status).toBe(200);

    const deleted = await server.api(`/api/integrations/${created.id}`, { token, method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect((await server.api(`/api/integrations/${created.id}`, { token })).status).toBe(404);
    expect((await server.api(`/api/integrations/${created.id}`, { token, method: 'DELETE' })).status).toBe(404);
    expect((await list(token)).data).toEqual([]);

    const response = await chat(token);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'integration_missing', source: 'user' });
  });

  it('refuses to change the service of an integration', async () => {
    const { token } = await server.signIn();
    const created = await create(token, { service: 'openai', api_key: OTHER_KEYS[2] });
    const response = await server.api(`/api/integrations/${created.id}`, { token, method: 'PATCH', body: { service: 'anthropic' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'invalid_request', param: 'service' });
  });

  it('writes audit events for create, update, key replacement and delete, without key material', async () => {
    const { token, userId } = await server.signIn();
    const created = await create(token, { service: 'openai', api_key: OTHER_KEYS[3] });
    const path = `/api/integrations/${created.id}`;
    expect((await server.api(path, { token, method: 'PATCH', body: { name: 'n2', rate_limit: { rpm: 5 } } })).status).toBe(200);
    expect((await server.api(path, { token, method: 'PATCH', body: { api_key: OTHER_KEYS[4] } })).status).toBe(200);
    expect((await server.api(path, { token, method: 'DELETE' })).status).toBe(204);

    const rows = await sql<{ action: string; actor_user_id: string; target_kind: string; metadata: unknown }>(
      'select action, actor_user_id, target_kind, metadata from audit_events where target_id = $1 order by id',
      [created.id],
    );
    expect(rows.map((row) => row.action)).toEqual(['integration.created', 'integration.updated', 'integration.key_replaced', 'integration.deleted']);
    expect(rows.every((row) => row.actor_user_id === userId && row.target_kind === 'integration')).toBe(true);
    const settings = { service: 'openai', name: 'openai', base_url: null, rate_limit: null, monthly_quota: null };
    const renamed = { ...settings, name: 'n2', rate_limit: { rpm: 5 } };
    expect(rows[0]?.metadata).toEqual({ service: 'openai', after: settings });
    expect(rows[1]?.metadata).toEqual({ fields: ['name', 'rate_limit'], key_replaced: false, before: settings, after: renamed });
    expect(rows[2]?.metadata).toEqual({ fields: [], key_replaced: true, before: renamed, after: renamed });
    expect(rows[3]?.metadata).toEqual({ before: renamed });
    const text = JSON.stringify(rows);
    for (const key of [OTHER_KEYS[3]!, OTHER_KEYS[4]!]) expect(text).not.toContain(key);
  });
});

describe('isolation', () => {
  it('another user’s integration id answers 404 on GET, PATCH and DELETE, exactly like an unknown id', async () => {
    const alice = await server.signIn();
    const bob = await server.signIn();
    const secret = await create(alice.token, { service: 'openai', api_key: OTHER_KEYS[5], name: 'alice-private-name' });
    const unknownId = '01JZZZZZZZZZZZZZZZZZZZZZZZ';

    for (const [method, body] of [['GET', undefined], ['PATCH', { name: 'pwned', api_key: OTHER_KEYS[6] }], ['DELETE', undefined]] as const) {
      const theirs = await server.api(`/api/integrations/${secret.id}`, { token: bob.token, method, ...(body ? { body } : {}) });
      const unknown = await server.api(`/api/integrations/${unknownId}`, { token: bob.token, method, ...(body ? { body } : {}) });
      expect(theirs.status, method).toBe(404);
      const text = await theirs.text();
      expect(text).not.toContain('alice-private-name');
      expect(text).not.toContain(secret.key_last4);
      expect((JSON.parse(text) as ErrorBody).error).toEqual(((await unknown.json()) as ErrorBody).error);
    }
    expect((await list(bob.token)).data).toEqual([]);
    // Nothing Bob did changed Alice's integration, or her calls.
    const unchanged = await server.api(`/api/integrations/${secret.id}`, { token: alice.token });
    expect(await unchanged.json()).toEqual(secret);
    expect((await chat(alice.token)).status).toBe(200);
    expect(openai.requests.at(-1)?.credential).toBe(OTHER_KEYS[5]);
  });

  it('requires authentication', async () => {
    const response = await server.api('/api/integrations');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('validation stores nothing', () => {
  let token: string;
  let baseline: unknown;
  beforeAll(async () => {
    ({ token } = await server.signIn());
    await create(token, { service: 'openai', api_key: OTHER_KEYS[7] });
    baseline = await list(token);
  });

  it.each([
    ['missing api_key', { service: 'openai' }, 'invalid_request', 'api_key', /api_key/],
    ['empty api_key', { service: 'openai', api_key: '' }, 'invalid_request', 'api_key', /api_key/],
    ['whitespace api_key', { service: 'openai', api_key: '   \n' }, 'invalid_request', 'api_key', /api_key is required/],
    ['unknown service', { service: 'skynet', api_key: KEY_1 }, 'invalid_request', 'service', /service.*openai/],
    ['an unknown field', { service: 'openai', api_key: KEY_1, apiKey: KEY_1 }, 'invalid_request', null, /Unrecognized key.*apiKey/],
    ['invalid base_url', { service: 'openai', api_key: KEY_1, base_url: 'not a url' }, 'invalid_request', 'base_url', /base_url must be an absolute/],
    ['ftp base_url', { service: 'openai', api_key: KEY_1, base_url: 'ftp://files.example.com' }, 'invalid_request', 'base_url', /http or https/],
    ['base_url with credentials', { service: 'openai', api_key: KEY_1, base_url: 'https://u:p@api.example.com/v1' }, 'invalid_request', 'base_url', /credentials/],
    ['loopback base_url', { service: 'openai', api_key: KEY_1, base_url: 'http://127.0.0.1:8080/v1' }, 'upstream_not_allowed', 'base_url', /private or loopback/],
    ['localhost base_url', { service: 'openai_compatible', api_key: KEY_1, base_url: 'http://localhost:11434/v1' }, 'upstream_not_allowed', 'base_url', /SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS/],
    ['metadata-service base_url', { service: 'openai', api_key: KEY_1, base_url: 'http://169.254.169.254/latest' }, 'upstream_not_allowed', 'base_url', /private/],
    ['private IPv6 base_url', { service: 'openai', api_key: KEY_1, base_url: 'http://[::1]:8080/v1' }, 'upstream_not_allowed', 'base_url', /private/],
    ['openai_compatible without base_url', { service: 'openai_compatible', api_key: KEY_1 }, 'invalid_request', 'base_url', /base_url is required for service "openai_compatible"/],
    ['negative rpm', { service: 'openai', api_key: KEY_1, rate_limit: { rpm: -1 } }, 'invalid_request', 'rate_limit.rpm', /rate_limit\.rpm/],
    ['fractional quota', { service: 'openai', api_key: KEY_1, monthly_quota: { limit_micros: 1.5 } }, 'invalid_request', 'monthly_quota.limit_micros', /limit_micros/],
    ['a 101-character name', { service: 'openai', api_key: KEY_1, name: 'n'.repeat(101) }, 'invalid_request', 'name', /name/],
    ['a JSON array', [], 'invalid_request', null, /expected object/],
    ['invalid JSON', '{"service":"openai","api_key":', 'invalid_json', null, /not valid JSON/],
  ])('%s → 400, nothing stored', async (_name, body, code, param, message) => {
    const response = await server.api('/api/integrations', { token, body });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorBody;
    expect(error).toMatchObject({ code, source: 'user', type: 'invalid_request_error' });
    if (param !== null) expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(KEY_1);
    expect(await list(token)).toEqual(baseline);
  });

  // Bug: these answered 415 with code invalid_request and "The request is invalid.".
  it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['no content-type']])(
    'a body sent as %s → 415 unsupported_media_type with a clear message, nothing stored',
    async (label) => {
      const contentType = label.includes('/') ? label : undefined;
      const response = await fetch(`${server.url}/api/integrations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) },
        body: JSON.stringify({ service: 'openai', api_key: KEY_1 }),
      });
      expect(response.status).toBe(415);
      const { error } = (await response.json()) as ErrorBody;
      expect(error).toMatchObject({ code: 'unsupported_media_type', source: 'user' });
      expect(error.message).toMatch(/application\/json/);
      expect(await list(token)).toEqual(baseline);
    },
  );

  it('validates PATCH bodies the same way, changing nothing', async () => {
    const [existing] = (baseline as { data: Integration[] }).data;
    for (const body of [{ api_key: '' }, { base_url: 'http://10.0.0.1/v1' }, { extra: true }, { rate_limit: { rpm: 0 } }]) {
      const response = await server.api(`/api/integrations/${existing!.id}`, { token, method: 'PATCH', body });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect(await list(token)).toEqual(baseline);
  });
});

describe('ciphertext is bound to its row', () => {
  const copySecret = (from: string, to: string, columns = ['api_key_encrypted']) =>
    sql(`update integrations t set ${columns.map((c) => `${c} = s.${c}`).join(', ')} from integrations s where s.id = $1 and t.id = $2`, [from, to]);

  // Each case tampers before the victim's first AI call, so no cache holds the real key yet.
  it.each([
    ['another integration of the same user', 'same-user', ['api_key_encrypted']],
    ['another user’s integration', 'other-user', ['api_key_encrypted']],
    ['another user’s integration, with its data key id', 'other-user', ['api_key_encrypted', 'data_key_id']],
  ])('a ciphertext copied from %s fails closed: 500 internal_error, no key sent or shown', async (_name, mode, columns) => {
    const victim = await server.signIn();
    const owner = mode === 'same-user' ? victim : await server.signIn();
    const [victimKey, sourceKey] = mode === 'same-user' ? [KEY_1, KEY_2] : [OTHER_KEYS[0]!, OTHER_KEYS[1]!];
    const target = await create(victim.token, { service: 'openai', api_key: victimKey });
    const source = await create(owner.token, { service: mode === 'same-user' ? 'anthropic' : 'openai', api_key: sourceKey });
    await copySecret(source.id, target.id, columns);

    const upstreamBefore = openai.requests.length;
    const logsBefore = server.logs.lines.length;
    const response = await chat(victim.token);
    const text = await response.text();
    expect(response.status).toBe(500);
    expect((JSON.parse(text) as ErrorBody).error).toMatchObject({ code: 'internal_error', source: 'platform', type: 'api_error' });
    expect(openai.requests.length).toBe(upstreamBefore);
    const logs = server.logs.lines.slice(logsBefore).join('\n');
    expect(logs).toMatch(/"code":"internal_error"/);
    expect(logs).toMatch(/DecryptionError/);
    for (const key of [victimKey, sourceKey]) {
      expect(text).not.toContain(key);
      expect(logs).not.toContain(key);
    }
  });

  it('an older ciphertext of the same row, replayed after a key replacement, fails closed too', async () => {
    const { token } = await server.signIn();
    const created = await create(token, { service: 'openai', api_key: OTHER_KEYS[2] });
    const [old] = await sql<{ api_key_encrypted: Buffer }>('select api_key_encrypted from integrations where id = $1', [created.id]);
    expect((await server.api(`/api/integrations/${created.id}`, { token, method: 'PATCH', body: { api_key: OTHER_KEYS[3] } })).status).toBe(200);
    await sql('update integrations set api_key_encrypted = $1 where id = $2', [old!.api_key_encrypted, created.id]);
    const upstreamBefore = openai.requests.length;
    const response = await chat(token);
    expect(response.status).toBe(500);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'internal_error', source: 'platform' });
    expect(openai.requests.length).toBe(upstreamBefore);
  });

  it('never stores a key’s plaintext bytes in api_key_encrypted', async () => {
    const rows = await sql<{ api_key_encrypted: Buffer }>('select api_key_encrypted from integrations');
    expect(rows.length).toBeGreaterThan(10);
    for (const { api_key_encrypted: blob } of rows) {
      expect(blob[0]).toBe(0x01);
      for (const key of everyKey) expect(blob.includes(Buffer.from(key, 'utf8'))).toBe(false);
    }
  });
});

describe('storage failures', () => {
  let database: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startDatabaseProxy>>;
  let outageServer: TestServer;
  let user: { token: string; userId: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await startDatabaseProxy(database.url);
    outageServer = await startTestServer({
      ...NO_IP_LIMITS,
      DATABASE_URL: proxy.url,
      SWITCHBOARD_OPENAI_BASE_URL: openai.baseUrl,
      SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
    });
    user = await outageServer.signIn();
  });

  afterAll(async () => {
    proxy?.up();
    await outageServer?.close();
    await proxy?.close();
    await database?.drop();
  });

  const state = async () => ({
    integrations: await sql('select id, key_version, key_last4, name from integrations order by id', [], database.url),
    dataKeys: await sql('select id from data_keys order by id', [], database.url),
    audit: await sql("select action, target_id from audit_events where action like 'integration.%' order by id", [], database.url),
  });
  const expectUnavailable = async (response: Response) => {
    expect(response.status).toBe(503);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'storage_unavailable', source: 'platform' });
  };

  it('with SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS=true a loopback base_url is accepted', async () => {
    const created = await create(user.token, { service: 'openai_compatible', api_key: KEY_1, base_url: 'http://127.0.0.1:9/v1' }, outageServer);
    expect(created.base_url).toBe('http://127.0.0.1:9/v1');
  });

  it('a database that cannot be reached answers 503 storage_unavailable, and recovers (bug: reads answered 500)', async () => {
    const before = await state();
    proxy.down();
    try {
      await expectUnavailable(await outageServer.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: KEY_2 } }));
      await expectUnavailable(await outageServer.api('/api/integrations', { token: user.token }));
    } finally {
      proxy.up();
    }
    expect(await state()).toEqual(before);
    const list = await outageServer.api('/api/integrations', { token: user.token });
    expect(list.status).toBe(200);
  });

  // Bug: this answered 500 internal_error, and the dropped connection of the checked-out client
  // was an uncaught exception that would have crashed the server process.
  it('a connection lost mid-transaction answers 503 and leaves nothing half-written (create, key replacement, delete)', async () => {
    const first = await outageServer.signIn();
    const before = await state();
    proxy.cutConnectionOn('insert into "audit_events"');
    await expectUnavailable(await outageServer.api('/api/integrations', { token: first.token, body: { service: 'openai', api_key: KEY_2 } }));
    // Neither the integration nor the new user's first data key survived the rollback.
    expect(await state()).toEqual(before);

    const created = await create(first.token, { service: 'openai', api_key: KEY_1 }, outageServer);
    const stored = await state();
    proxy.cutConnectionOn('insert into "audit_events"');
    const path = `/api/integrations/${created.id}`;
    await expectUnavailable(await outageServer.api(path, { token: first.token, method: 'PATCH', body: { api_key: KEY_2, name: 'new' } }));
    proxy.cutConnectionOn('insert into "audit_events"');
    await expectUnavailable(await outageServer.api(path, { token: first.token, method: 'DELETE' }));
    expect(await state()).toEqual(stored);

    const after = await outageServer.api(path, { token: first.token });
    expect(await after.json()).toEqual(created);
    expect((await chat(first.token, outageServer)).status).toBe(200);
    expect(openai.requests.at(-1)?.credential).toBe(KEY_1);
  });
});
