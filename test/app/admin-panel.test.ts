/**
 * Issue 7, §6.3 item 8: what the admin panel needs beyond issue 4's list/disable/enable. User
 * search (email fragment or id) with spend this month and teams; make/remove admin; sign a user
 * out everywhere (their event stream ends too); resend verification; the platform audit log with
 * actor/action/target filters and a cursor; GET /api/admin/health with db, redis, migrations, job
 * queue, worker heartbeat, breaker counts and the 15-minute error rate by source. Non-admins get
 * 404 everywhere; nothing carries a provider key.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { openEvents } from '../helpers/sse-reader.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PROVIDER_KEY = 'sk-admin-panel-provider-key-0000000Adm1';
const PASSWORD = 'correct horse battery staple';

let fake: FakeProvider;
let smtp: SmtpCapture;
let server: TestServer;
let admin: { token: string; userId: string };

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  smtp = await startSmtpCapture();
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SMTP_URL: smtp.url });
  const email = `admin-${randomBytes(4).toString('hex')}@example.com`;
  const created = await server.running.services.accounts.createUser({ email, password: PASSWORD, isAdmin: true, verified: true });
  const login = await server.api('/api/auth/login', { body: { email, password: PASSWORD } });
  admin = { token: ((await login.json()) as { access_token: string }).access_token, userId: created.id };
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
  await fake?.close();
});

interface AdminUser {
  id: string;
  email: string;
  is_admin: boolean;
  spend_this_month_micros: number;
  teams: Array<{ id: string; name: string; role: string }>;
}
interface AuditEntry {
  id: string;
  action: string;
  actor_user_id: string;
  target_id: string;
}

const post = (path: string, token = admin.token) => server.api(path, { token, method: 'POST' });
const usersMatching = async (query: string) => (await (await server.api(`/api/admin/users?query=${encodeURIComponent(query)}`, { token: admin.token })).json()) as { data: AdminUser[]; next_cursor: string | null };

describe('admin panel endpoints', () => {
  it('finds users by email fragment or id, with spend this month and teams', async () => {
    const tag = randomBytes(3).toString('hex');
    const spender = await server.signIn(`spender-${tag}@example.com`);
    const idle = await server.signIn(`idle-${tag}@example.com`);
    const team = (await (await server.api('/api/teams', { token: spender.token, body: { name: `Team ${tag}` } })).json()) as { id: string };
    expect((await server.api('/api/integrations', { token: spender.token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
    const chat = await server.api('/v1/chat/completions', { token: spender.token, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
    expect(chat.status).toBe(200);
    await server.running.services.recorder.flush();

    const found = await usersMatching(tag.toUpperCase());
    expect(found.data.map((user) => user.email).sort()).toEqual([idle.email, spender.email].sort());
    const spenderRow = found.data.find((user) => user.id === spender.userId)!;
    expect(spenderRow.spend_this_month_micros).toBeGreaterThan(0);
    expect(spenderRow.teams).toEqual([{ id: team.id, name: `Team ${tag}`, role: 'owner' }]);
    expect(found.data.find((user) => user.id === idle.userId)).toMatchObject({ spend_this_month_micros: 0, teams: [] });
    expect((await usersMatching(idle.userId)).data.map((user) => user.id)).toEqual([idle.userId]);

    // Keyset pages.
    const first = (await (await server.api(`/api/admin/users?query=${tag}&limit=1`, { token: admin.token })).json()) as { data: AdminUser[]; next_cursor: string };
    const second = (await (await server.api(`/api/admin/users?query=${tag}&limit=1&cursor=${first.next_cursor}`, { token: admin.token })).json()) as { data: AdminUser[]; next_cursor: string | null };
    expect([...first.data, ...second.data].map((user) => user.id).sort()).toEqual([idle.userId, spender.userId].sort());
    expect(second.next_cursor).toBeNull();
  });

  it('makes and removes admins; an admin cannot remove their own role', async () => {
    const user = await server.signIn();
    expect((await server.api('/api/admin/users', { token: user.token })).status).toBe(404);
    expect((await post(`/api/admin/users/${user.userId}/make-admin`)).status).toBe(204);
    // The role travels in the access token: the next one (after a refresh) carries it.
    const refreshed = (await (await server.api('/api/auth/refresh', { body: { refresh_token: user.refreshToken } })).json()) as { access_token: string };
    expect((await server.api('/api/admin/users', { token: refreshed.access_token })).status).toBe(200);
    expect((await usersMatching(user.userId)).data[0]?.is_admin).toBe(true);
    expect((await post(`/api/admin/users/${user.userId}/remove-admin`)).status).toBe(204);
    expect((await server.api('/api/admin/users', { token: refreshed.access_token })).status).toBe(404);
    const own = await post(`/api/admin/users/${admin.userId}/remove-admin`);
    expect(own.status).toBe(400);
    expect(((await own.json()) as { error: { param: string } }).error.param).toBe('id');
  });

  it('signs a user out everywhere: tokens stop, refresh fails, their event stream ends', async () => {
    const user = await server.signIn();
    const stream = await openEvents(server.url, user.token);
    await stream.waitForComment((comment) => comment === 'connected');
    const response = await post(`/api/admin/users/${user.userId}/revoke-sessions`);
    expect(await response.json()).toEqual({ revoked: 1 });
    await stream.waitFor((event) => event.event === 'session.revoked');
    await stream.ended;
    expect((await server.api('/api/me', { token: user.token })).status).toBe(401);
    expect((await server.api('/api/auth/refresh', { body: { refresh_token: user.refreshToken } })).status).toBe(401);
  });

  it('resends a verification mail to an unverified user only', async () => {
    const email = `unverified-${randomBytes(3).toString('hex')}@example.com`;
    const unverified = await server.running.services.accounts.createUser({ email, password: PASSWORD });
    expect((await post(`/api/admin/users/${unverified.id}/resend-verification`)).status).toBe(204);
    const mail = await smtp.nextTo(email);
    expect(mail.text).toContain('verify-email?token=');
    const verified = await server.signIn();
    expect((await post(`/api/admin/users/${verified.userId}/resend-verification`)).status).toBe(400);
    expect((await post('/api/admin/users/01JZZZZZZZZZZZZZZZZZZZZZZZ/resend-verification')).status).toBe(404);
  });

  it('reads the audit log by actor, action (or prefix) and target, page by page', async () => {
    const user = await server.signIn();
    expect((await post(`/api/admin/users/${user.userId}/make-admin`)).status).toBe(204);
    expect((await post(`/api/admin/users/${user.userId}/remove-admin`)).status).toBe(204);
    const read = async (query: string) => (await (await server.api(`/api/admin/audit?${query}`, { token: admin.token })).json()) as { data: AuditEntry[]; next_cursor: string | null };

    // The user's own user.created event targets them too; the admin's actions are two.
    expect((await read(`target=${user.userId}`)).data.map((entry) => entry.action)).toEqual(['user.admin_revoked', 'user.admin_granted', 'user.created']);
    const byTarget = await read(`target=${user.userId}&actor=${admin.userId}`);
    expect(byTarget.data.map((entry) => entry.action)).toEqual(['user.admin_revoked', 'user.admin_granted']);
    expect(byTarget.data.every((entry) => entry.actor_user_id === admin.userId)).toBe(true);
    expect((await read(`target=${user.userId}&action=user.admin_granted`)).data).toHaveLength(1);
    expect((await read(`target=${user.userId}&action=user.`)).data).toHaveLength(3);
    expect((await read(`actor=${user.userId}&action=user.admin_granted`)).data).toEqual([]);
    const first = await read(`target=${user.userId}&actor=${admin.userId}&limit=1`);
    const second = await read(`target=${user.userId}&actor=${admin.userId}&limit=1&cursor=${first.next_cursor}`);
    expect([...first.data, ...second.data]).toEqual(byTarget.data);
    expect((await server.api('/api/admin/audit?actor=nope', { token: admin.token })).status).toBe(400);
  });

  it('reports platform health: db, redis, migrations, jobs, worker heartbeat, breakers and errors by source', async () => {
    const user = await server.signIn();
    expect((await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
    const failed = await server.api('/v1/chat/completions', { token: user.token, body: { model: 'openai/fake-error-503', messages: [{ role: 'user', content: 'hi' }] } });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    await server.running.services.recorder.flush();

    const response = await server.api('/api/admin/health', { token: admin.token });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toContain(PROVIDER_KEY);
    const health = JSON.parse(text) as {
      db: string;
      redis: string;
      migrations: string;
      jobs: { depth: number; running: number; oldest_queued_age_seconds: number | null };
      workers: Array<{ alive: boolean }>;
      breaker_counts: { per_provider: Array<{ service: string; closed: number; open: number }>; per_integration: { not_closed: unknown[] } };
      errors_15m: { requests: number; errors: { provider: number }; error_rate: { provider: number } };
      breakers: unknown[];
    };
    expect(health).toMatchObject({ db: 'ok', redis: 'disabled', migrations: 'ok', jobs: { depth: 0, running: 0, oldest_queued_age_seconds: null } });
    expect(health.workers).toHaveLength(1);
    expect(health.workers[0]?.alive).toBe(true);
    expect(health.breaker_counts.per_provider.find((entry) => entry.service === 'openai')).toMatchObject({ closed: 1, open: 0 });
    expect(health.errors_15m.requests).toBeGreaterThanOrEqual(2);
    expect(health.errors_15m.errors.provider).toBeGreaterThanOrEqual(1);
    expect(health.errors_15m.error_rate.provider).toBeGreaterThan(0);
    expect(health.errors_15m.error_rate.provider).toBeLessThan(1);
    expect(Array.isArray(health.breakers)).toBe(true);
  });

  it('is 404 for anyone else, and never logs a provider key', async () => {
    const user = await server.signIn();
    for (const path of ['/api/admin/audit', '/api/admin/health']) expect((await server.api(path, { token: user.token })).status).toBe(404);
    for (const action of ['make-admin', 'remove-admin', 'revoke-sessions', 'resend-verification']) {
      expect((await post(`/api/admin/users/${user.userId}/${action}`, user.token)).status).toBe(404);
    }
    expect(server.logs.text()).not.toContain(PROVIDER_KEY);
  });
});
