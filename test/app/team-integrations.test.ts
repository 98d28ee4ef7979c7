/**
 * Team secrets (issue 4): team integrations under /api/teams/:teamId/integrations, with the
 * personal shape; owners and admins manage them, members read them, non-members see nothing.
 * Storage outages answer 503 with nothing half-written; no key in any response or log.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabaseProxy } from '../helpers/database-proxy.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { createTestDatabase, queryRows, type TestDatabase } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const NO_IP_LIMITS = { SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0', SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0' };
const KEYS = Array.from({ length: 8 }, (_, i) => `sk-team-secret-${i}-${'y'.repeat(24)}Tk${i}7`);
const UNKNOWN_ID = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
const FIELDS = ['id', 'service', 'name', 'key_last4', 'base_url', 'status', 'last_error', 'last_checked_at', 'rate_limit', 'monthly_quota', 'team_id', 'disabled_at', 'disabled_reason', 'disabled_by', 'retry_at', 'created_at', 'updated_at', 'health', 'breaker', 'latency_p50_ms', 'requests_24h', 'models', 'last_used_at', 'quota_spent_micros'];

interface ErrorBody {
  error: { message: string; type: string; code: string; source: string; param: string | null };
}
interface Integration {
  id: string;
  name: string;
  key_last4: string;
  team_id: string;
  [field: string]: unknown;
}
type User = Awaited<ReturnType<TestServer['signIn']>>;

let server: TestServer;
let smtp: SmtpCapture;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ ...NO_IP_LIMITS, SMTP_URL: smtp.url });
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = [], url = server.database.url): Promise<T[]> => queryRows<T>(url, text, values);

async function expectError(response: Response, status: number, code: string, param?: string) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const { error } = JSON.parse(text) as ErrorBody;
  expect(error.code).toBe(code);
  if (param) expect(error.param).toBe(param);
  for (const key of KEYS) expect(text).not.toContain(key);
}

async function teamWith(target: TestServer = server) {
  const owner = await target.signIn();
  const admin = await target.signIn();
  const member = await target.signIn();
  const created = await target.api('/api/teams', { token: owner.token, body: { name: 'Team' } });
  const team = (await created.json()) as { id: string };
  for (const [user, role] of [[admin, 'admin'], [member, 'member']] as const) {
    expect((await target.api(`/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: user.email, role } })).status).toBe(201);
    const mail = await smtp.nextTo(user.email);
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    expect((await target.api('/api/invitations/accept', { token: user.token, body: { token } })).status).toBe(200);
  }
  return { teamId: team.id, owner, admin, member };
}

async function store(user: User, teamId: string, body: unknown, target: TestServer = server): Promise<Integration> {
  const response = await target.api(`/api/teams/${teamId}/integrations`, { token: user.token, body });
  const text = await response.text();
  expect(response.status, text).toBe(201);
  for (const key of KEYS) expect(text).not.toContain(key);
  return JSON.parse(text) as Integration;
}

describe('team secrets', () => {
  it('store, retrieve (masked), update, list and delete, with the personal shape and team_id', async () => {
    const { teamId, owner, admin, member } = await teamWith();
    const base = `/api/teams/${teamId}/integrations`;
    const created = await store(owner, teamId, { service: 'openai', api_key: KEYS[0], name: 'Shared', rate_limit: { rpm: 60 } });
    expect(Object.keys(created).sort()).toEqual([...FIELDS].sort());
    expect(created).toMatchObject({ service: 'openai', name: 'Shared', key_last4: KEYS[0]!.slice(-4), team_id: teamId, rate_limit: { rpm: 60 } });
    const byAdmin = await store(admin, teamId, { service: 'anthropic', api_key: KEYS[1] });

    // Members read (masked); nobody gets the key back.
    for (const user of [owner, admin, member]) {
      const one = await server.api(`${base}/${created.id}`, { token: user.token });
      expect(await one.json()).toEqual(created);
      const list = await server.api(base, { token: user.token });
      expect(await list.json()).toEqual({ data: [byAdmin, created], next_cursor: null });
    }
    const page = (await (await server.api(`${base}?limit=1`, { token: member.token })).json()) as { data: Integration[]; next_cursor: string };
    expect(page.data).toEqual([byAdmin]);
    const next = await server.api(`${base}?limit=1&cursor=${page.next_cursor}`, { token: member.token });
    expect(await next.json()).toEqual({ data: [created], next_cursor: null });

    const patched = await server.api(`${base}/${created.id}`, { token: admin.token, method: 'PATCH', body: { name: 'Renamed', api_key: KEYS[2] } });
    const text = await patched.text();
    expect(patched.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ id: created.id, name: 'Renamed', key_last4: KEYS[2]!.slice(-4) });
    expect(text).not.toContain(KEYS[2]);

    expect((await server.api(`${base}/${created.id}`, { token: owner.token, method: 'DELETE' })).status).toBe(204);
    await expectError(await server.api(`${base}/${created.id}`, { token: owner.token }), 404, 'not_found');
    expect(await (await server.api(base, { token: member.token })).json()).toEqual({ data: [byAdmin], next_cursor: null });

    // Team secrets are not personal ones, and personal ones are not the team's.
    expect(await (await server.api('/api/integrations', { token: owner.token })).json()).toEqual({ data: [], next_cursor: null });
  });

  it('members cannot create, update or delete (403 forbidden); nothing changes', async () => {
    const { teamId, owner, member } = await teamWith();
    const base = `/api/teams/${teamId}/integrations`;
    const created = await store(owner, teamId, { service: 'openai', api_key: KEYS[3] });
    await expectError(await server.api(base, { token: member.token, body: { service: 'openai', api_key: KEYS[4] } }), 403, 'forbidden');
    await expectError(await server.api(`${base}/${created.id}`, { token: member.token, method: 'PATCH', body: { api_key: KEYS[4] } }), 403, 'forbidden');
    await expectError(await server.api(`${base}/${created.id}`, { token: member.token, method: 'DELETE' }), 403, 'forbidden');
    expect(await (await server.api(base, { token: owner.token })).json()).toEqual({ data: [created], next_cursor: null });
  });

  it('members may re-test a stored team key (it says whether the key they use works); the key never comes back', async () => {
    const { teamId, owner, member } = await teamWith();
    const base = `/api/teams/${teamId}/integrations`;
    const created = await store(owner, teamId, { service: 'openai', api_key: KEYS[6] });
    const response = await server.api(`${base}/${created.id}/test`, { token: member.token, method: 'POST', body: {} });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ id: created.id, key_last4: KEYS[6]!.slice(-4) });
    expect(text).not.toContain(KEYS[6]);
    const stranger = await server.signIn();
    await expectError(await server.api(`${base}/${created.id}/test`, { token: stranger.token, method: 'POST', body: {} }), 404, 'not_found');
  });

  it('a non-member, an unknown team and an unknown secret all answer 404 with no data', async () => {
    const { teamId, owner } = await teamWith();
    const stranger = await server.signIn();
    const created = await store(owner, teamId, { service: 'openai', api_key: KEYS[5], name: 'team-private-name' });
    const requests: Array<[string, string, unknown?]> = [
      ['GET', `/api/teams/${teamId}/integrations`],
      ['POST', `/api/teams/${teamId}/integrations`, { service: 'openai', api_key: KEYS[6] }],
      ['GET', `/api/teams/${teamId}/integrations/${created.id}`],
      ['PATCH', `/api/teams/${teamId}/integrations/${created.id}`, { name: 'pwned' }],
      ['DELETE', `/api/teams/${teamId}/integrations/${created.id}`],
    ];
    for (const [method, path, body] of requests) {
      const response = await server.api(path, { token: stranger.token, method, ...(body ? { body } : {}) });
      const text = await response.text();
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(text).not.toContain('team-private-name');
      // An unknown team answers the same.
      const unknown = await server.api(path.replace(teamId, UNKNOWN_ID), { token: stranger.token, method, ...(body ? { body } : {}) });
      expect(await unknown.text()).toBe(text);
    }
    // A member asking for an unknown secret, or another team's secret, gets 404 too.
    const other = await teamWith();
    const foreign = await store(other.owner, other.teamId, { service: 'openai', api_key: KEYS[7] });
    await expectError(await server.api(`/api/teams/${teamId}/integrations/${UNKNOWN_ID}`, { token: owner.token }), 404, 'not_found');
    await expectError(await server.api(`/api/teams/${teamId}/integrations/${foreign.id}`, { token: owner.token }), 404, 'not_found');
    await expectError(
      await server.api(`/api/teams/${teamId}/integrations/${foreign.id}`, { token: owner.token, method: 'PATCH', body: { name: 'x' } }),
      404,
      'not_found',
    );
    await expectError(await server.api(`/api/teams/${teamId}/integrations/${foreign.id}`, { token: owner.token, method: 'DELETE' }), 404, 'not_found');
    expect(await (await server.api(`/api/teams/${teamId}/integrations`, { token: owner.token })).json()).toEqual({ data: [created], next_cursor: null });
  });

  it('bad input: missing api_key, invalid JSON, malformed team id → 400, nothing stored', async () => {
    const { teamId, owner } = await teamWith();
    const base = `/api/teams/${teamId}/integrations`;
    await expectError(await server.api(base, { token: owner.token, body: { service: 'openai' } }), 400, 'invalid_request', 'api_key');
    await expectError(await server.api(base, { token: owner.token, body: { service: 'openai', api_key: '   ' } }), 400, 'invalid_request', 'api_key');
    await expectError(await server.api(base, { token: owner.token, body: `{"service":"openai","api_key":"${KEYS[0]}"` }), 400, 'invalid_json');
    await expectError(await server.api('/api/teams/nope/integrations', { token: owner.token, body: { service: 'openai', api_key: KEYS[0] } }), 400, 'invalid_request', 'teamId');
    await expectError(await server.api(`/api/teams/${teamId.toLowerCase()}x/integrations`, { token: owner.token }), 400, 'invalid_request', 'teamId');
    expect(await (await server.api(base, { token: owner.token })).json()).toEqual({ data: [], next_cursor: null });
  });

  it('changes are audited for the team with before/after settings and no key material', async () => {
    const { teamId, owner, admin } = await teamWith();
    const base = `/api/teams/${teamId}/integrations`;
    const created = await store(owner, teamId, { service: 'openai', api_key: KEYS[0] });
    expect((await server.api(`${base}/${created.id}`, { token: admin.token, method: 'PATCH', body: { name: 'B', api_key: KEYS[1] } })).status).toBe(200);
    expect((await server.api(`${base}/${created.id}`, { token: owner.token, method: 'DELETE' })).status).toBe(204);
    const response = await server.api(`/api/audit?team_id=${teamId}`, { token: owner.token });
    const text = await response.text();
    expect(response.status).toBe(200);
    const events = (JSON.parse(text) as { data: Array<{ action: string; actor_user_id: string; metadata: Record<string, unknown> }> }).data.filter(
      (event) => event.action.startsWith('integration.'),
    );
    expect(events.map((event) => [event.action, event.actor_user_id])).toEqual([
      ['integration.deleted', owner.userId],
      ['integration.key_replaced', admin.userId],
      ['integration.created', owner.userId],
    ]);
    expect(events[1]!.metadata).toMatchObject({ key_replaced: true, before: { name: 'openai' }, after: { name: 'B' } });
    expect(events[0]!.metadata).toMatchObject({ before: { name: 'B', service: 'openai' } });
    for (const key of KEYS) expect(text).not.toContain(key);
    for (const key of KEYS) expect(text).not.toContain(key.slice(-4));
  });

  it('no team key appears in any log line', () => {
    const logs = server.logs.lines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const key of KEYS) expect(logs).not.toContain(key);
  });
});

describe('storage failures', () => {
  let database: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startDatabaseProxy>>;
  let outage: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await startDatabaseProxy(database.url);
    outage = await startTestServer({ ...NO_IP_LIMITS, SMTP_URL: smtp.url, DATABASE_URL: proxy.url });
  });

  afterAll(async () => {
    proxy?.up();
    await outage?.close();
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

  it('an unreachable database answers 503 storage_unavailable on reads and writes, then recovers', async () => {
    const { teamId, owner } = await teamWith(outage);
    const base = `/api/teams/${teamId}/integrations`;
    const before = await state();
    proxy.down();
    try {
      await expectUnavailable(await outage.api(base, { token: owner.token, body: { service: 'openai', api_key: KEYS[0] } }));
      await expectUnavailable(await outage.api(base, { token: owner.token }));
    } finally {
      proxy.up();
    }
    expect(await state()).toEqual(before);
    expect((await outage.api(base, { token: owner.token })).status).toBe(200);
  });

  it('a connection lost mid-transaction answers 503 and leaves nothing half-written (create, key replacement, delete)', async () => {
    const { teamId, owner } = await teamWith(outage);
    const base = `/api/teams/${teamId}/integrations`;
    const before = await state();
    proxy.cutConnectionOn('insert into "audit_events"');
    await expectUnavailable(await outage.api(base, { token: owner.token, body: { service: 'openai', api_key: KEYS[1] } }));
    // Neither the secret nor the team's first data key survived the rollback.
    expect(await state()).toEqual(before);

    const created = await store(owner, teamId, { service: 'openai', api_key: KEYS[2] }, outage);
    const stored = await state();
    proxy.cutConnectionOn('insert into "audit_events"');
    await expectUnavailable(await outage.api(`${base}/${created.id}`, { token: owner.token, method: 'PATCH', body: { api_key: KEYS[3], name: 'new' } }));
    proxy.cutConnectionOn('insert into "audit_events"');
    await expectUnavailable(await outage.api(`${base}/${created.id}`, { token: owner.token, method: 'DELETE' }));
    expect(await state()).toEqual(stored);
    expect(await (await outage.api(`${base}/${created.id}`, { token: owner.token })).json()).toEqual(created);
    const logs = outage.logs.lines.join('\n');
    for (const key of KEYS) expect(logs).not.toContain(key);
  });
});
