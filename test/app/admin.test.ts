/**
 * Platform admin endpoints (issue 4): list, disable and enable users and teams, platform-wide
 * usage. Non-admins (and anonymous callers) get the 404 an unknown path gets: the surface does not
 * reveal itself. Disabling a user ends their sessions and tells every replica; nothing answers key
 * material.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import { queryRows } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const NO_IP_LIMITS = { SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0', SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0' };
const PASSWORD = 'correct horse battery staple';
const UNKNOWN_ID = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
const KEY = 'sk-admin-test-provider-key-000000000Ad9z';

interface ErrorBody {
  error: { message: string; type: string; code: string; source: string; param: string | null };
}
interface AdminUser {
  id: string;
  email: string;
  is_admin: boolean;
  disabled: boolean;
}

let server: TestServer;
let admin: { token: string; userId: string; email: string };
const published: string[] = [];

beforeAll(async () => {
  server = await startTestServer(NO_IP_LIMITS);
  const email = `admin-${randomBytes(4).toString('hex')}@example.com`;
  const created = await server.running.services.accounts.createUser({ email, password: PASSWORD, isAdmin: true, verified: true });
  const login = await server.api('/api/auth/login', { body: { email, password: PASSWORD } });
  admin = { token: ((await login.json()) as { access_token: string }).access_token, userId: created.id, email };
  for (const topic of ['user', 'team'] as const) server.running.services.bus.subscribe(topic, (key) => published.push(`${topic}:${key}`));
});

afterAll(async () => {
  await server?.close();
});

const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => queryRows<T>(server.database.url, text, values);

async function expectError(response: Response, status: number, code: string, param?: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  if (param) expect(body.error.param).toBe(param);
  return body;
}

describe('access', () => {
  it('non-admins and anonymous callers get the same 404 as an unknown path on every admin route', async () => {
    const user = await server.signIn();
    const unknownPath = await (await server.api('/api/admin/no-such-thing', { token: user.token })).json();
    const routes: Array<[string, string]> = [
      ['GET', '/api/admin/users'],
      ['POST', `/api/admin/users/${admin.userId}/disable`],
      ['POST', `/api/admin/users/${user.userId}/enable`],
      ['GET', '/api/admin/teams'],
      ['POST', `/api/admin/teams/${UNKNOWN_ID}/disable`],
      ['POST', `/api/admin/teams/${UNKNOWN_ID}/enable`],
      ['GET', '/api/admin/usage'],
    ];
    for (const [method, path] of routes) {
      for (const token of [user.token, undefined]) {
        const response = await server.api(path, { method, ...(token ? { token } : {}) });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(await response.json()).toEqual(unknownPath);
      }
    }
    expect(((await (await server.api('/api/admin/users', { token: admin.token })).json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    const [row] = await sql<{ disabled_at: Date | null }>('select disabled_at from users where id = $1', [admin.userId]);
    expect(row!.disabled_at).toBeNull();
  });

  it('an admin token minted before a demotion stops working at once', async () => {
    const email = `demoted-${randomBytes(4).toString('hex')}@example.com`;
    const created = await server.running.services.accounts.createUser({ email, password: PASSWORD, isAdmin: true, verified: true });
    const login = await server.api('/api/auth/login', { body: { email, password: PASSWORD } });
    const token = ((await login.json()) as { access_token: string }).access_token;
    expect((await server.api('/api/admin/users', { token })).status).toBe(200);
    await sql('update users set is_admin = false where id = $1', [created.id]);
    await expectError(await server.api('/api/admin/users', { token }), 404, 'route_not_found');
  });
});

describe('users', () => {
  it('lists users newest first, paged, filtered by email fragment, without password hashes', async () => {
    const tag = randomBytes(3).toString('hex');
    const users = [];
    for (let i = 0; i < 3; i += 1) users.push(await server.signIn(`Filter-${tag}-${i}@example.com`));
    const response = await server.api(`/api/admin/users?email=${tag.toUpperCase()}&limit=2`, { token: admin.token });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toMatch(/password|argon2/i);
    const first = JSON.parse(text) as { data: AdminUser[]; next_cursor: string };
    expect(first.data.map((u) => u.email)).toEqual([`filter-${tag}-2@example.com`, `filter-${tag}-1@example.com`]);
    expect(first.data[0]).toEqual({
      id: users[2]!.userId,
      email: `filter-${tag}-2@example.com`,
      is_admin: false,
      email_verified: true,
      disabled: false,
      created_at: expect.any(String),
      spend_this_month_micros: 0,
      teams: [],
      last_active_at: expect.any(String),
    });
    const second = await server.api(`/api/admin/users?email=${tag}&limit=2&cursor=${first.next_cursor}`, { token: admin.token });
    expect(await second.json()).toEqual({ data: [expect.objectContaining({ id: users[0]!.userId })], next_cursor: null });
    // LIKE wildcards in the filter are literal.
    expect(await (await server.api('/api/admin/users?email=%25', { token: admin.token })).json()).toEqual({ data: [], next_cursor: null });
  });

  it('disabling a user revokes their sessions, blocks login and refresh, and publishes `user`; enabling restores login', async () => {
    const victim = await server.signIn();
    const second = await server.api('/api/auth/login', { body: { email: victim.email, password: PASSWORD } });
    const secondRefresh = ((await second.json()) as { refresh_token: string }).refresh_token;

    expect((await server.api(`/api/admin/users/${victim.userId}/disable`, { token: admin.token, method: 'POST' })).status).toBe(204);
    expect(published).toContain(`user:${victim.userId}`);
    const sessions = await sql<{ revoked_at: Date | null; revoked_reason: string }>('select revoked_at, revoked_reason from sessions where user_id = $1', [victim.userId]);
    expect(sessions.length).toBe(2);
    expect(sessions.every((s) => s.revoked_at !== null && s.revoked_reason === 'user_disabled')).toBe(true);

    await expectError(await server.api('/api/auth/login', { body: { email: victim.email, password: PASSWORD } }), 401, 'invalid_credentials');
    for (const refresh_token of [victim.refreshToken, secondRefresh]) {
      await expectError(await server.api('/api/auth/refresh', { body: { refresh_token } }), 401, 'invalid_refresh_token');
    }
    const listed = (await (await server.api(`/api/admin/users?email=${encodeURIComponent(victim.email)}`, { token: admin.token })).json()) as { data: AdminUser[] };
    expect(listed.data).toEqual([expect.objectContaining({ id: victim.userId, disabled: true })]);

    expect((await server.api(`/api/admin/users/${victim.userId}/enable`, { token: admin.token, method: 'POST' })).status).toBe(204);
    expect((await server.api('/api/auth/login', { body: { email: victim.email, password: PASSWORD } })).status).toBe(200);
    // Re-enabling does not bring old sessions back.
    await expectError(await server.api('/api/auth/refresh', { body: { refresh_token: secondRefresh } }), 401, 'invalid_refresh_token');
  });

  it('refuses to disable yourself, an unknown user (404) and a malformed id (400)', async () => {
    await expectError(await server.api(`/api/admin/users/${admin.userId}/disable`, { token: admin.token, method: 'POST' }), 400, 'invalid_request', 'id');
    await expectError(await server.api(`/api/admin/users/${UNKNOWN_ID}/disable`, { token: admin.token, method: 'POST' }), 404, 'not_found');
    await expectError(await server.api('/api/admin/users/nope/enable', { token: admin.token, method: 'POST' }), 400, 'invalid_request', 'id');
    await expectError(await server.api('/api/admin/teams/nope/disable', { token: admin.token, method: 'POST' }), 400, 'invalid_request', 'id');
  });
});

describe('teams', () => {
  it('lists teams with member counts; disabling publishes `team`, stops roleOf, shows to members; enabling restores', async () => {
    const owner = await server.signIn();
    const created = await server.api('/api/teams', { token: owner.token, body: { name: 'Admin-visible' } });
    const team = (await created.json()) as { id: string };
    expect((await server.api(`/api/teams/${team.id}/integrations`, { token: owner.token, body: { service: 'openai', api_key: KEY } })).status).toBe(201);

    const list = await server.api('/api/admin/teams', { token: admin.token });
    const text = await list.text();
    expect(JSON.parse(text).data).toContainEqual({ id: team.id, name: 'Admin-visible', member_count: 1, disabled: false, created_at: expect.any(String), spend_this_month_micros: 0 });
    expect(text).not.toContain(KEY);

    expect((await server.api(`/api/admin/teams/${team.id}/disable`, { token: admin.token, method: 'POST' })).status).toBe(204);
    expect(published).toContain(`team:${team.id}`);
    expect(await server.running.services.teams.roleOf(team.id, owner.userId)).toBeUndefined();
    expect(await (await server.api(`/api/teams/${team.id}`, { token: owner.token })).json()).toMatchObject({ disabled: true });

    expect((await server.api(`/api/admin/teams/${team.id}/enable`, { token: admin.token, method: 'POST' })).status).toBe(204);
    expect(await server.running.services.teams.roleOf(team.id, owner.userId)).toBe('owner');
    await expectError(await server.api(`/api/admin/teams/${UNKNOWN_ID}/disable`, { token: admin.token, method: 'POST' }), 404, 'not_found');
  });
});

describe('usage', () => {
  it('totals requests, tokens and cost per UTC day and service over a range; unknown counts stay null', async () => {
    const user = await server.signIn();
    const insert = (createdAt: string, service: string, input: number | null, output: number | null, cost: number | null) =>
      sql(
        `insert into usage_records (id, request_id, user_id, service, model, operation, input_tokens, output_tokens, cost_micros, priced, status, latency_ms, created_at)
         values ($1, $2, $3, $4, 'm', 'chat', $5, $6, $7, $8, 200, 10, $9)`,
        [newId(), newId(), user.userId, service, input, output, cost, cost !== null, createdAt],
      );
    await insert('2026-03-01T10:00:00Z', 'openai', 10, 5, 100);
    await insert('2026-03-01T23:59:59Z', 'openai', 20, 7, 250);
    await insert('2026-03-01T12:00:00Z', 'anthropic', null, null, null);
    await insert('2026-03-02T00:00:00Z', 'openai', 1, 1, 1);
    await insert('2026-03-05T00:00:00Z', 'openai', 1, 1, 1); // outside the range

    const response = await server.api('/api/admin/usage?from=2026-03-01&to=2026-03-03', { token: admin.token });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-03T00:00:00.000Z',
      data: [
        { day: '2026-03-01', service: 'anthropic', requests: 1, input_tokens: null, output_tokens: null, cost_micros: null },
        { day: '2026-03-01', service: 'openai', requests: 2, input_tokens: 30, output_tokens: 12, cost_micros: 350 },
        { day: '2026-03-02', service: 'openai', requests: 1, input_tokens: 1, output_tokens: 1, cost_micros: 1 },
      ],
      next_cursor: null,
    });
    await expectError(await server.api('/api/admin/usage?from=2026-03-03&to=2026-03-01', { token: admin.token }), 400, 'invalid_request', 'from');
    await expectError(await server.api('/api/admin/usage?from=yesterday', { token: admin.token }), 400, 'invalid_request', 'from');
    await expectError(await server.api('/api/admin/usage?from=2020-01-01&to=2026-01-01', { token: admin.token }), 400, 'invalid_request', 'from');
  });

  it('admin actions are audited with before/after and no key appears in any log', async () => {
    const rows = await sql<{ action: string; actor_user_id: string; metadata: Record<string, unknown> }>(
      "select action, actor_user_id, metadata from audit_events where action in ('user.disabled', 'team.disabled') order by id",
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((row) => row.actor_user_id === admin.userId)).toBe(true);
    expect(rows[0]!.metadata).toMatchObject({ before: { disabled: false }, after: { disabled: true } });
    expect(server.logs.lines.join('\n')).not.toContain(KEY);
  });
});
