/**
 * Issue 7 (admin slice): the server gaps the Budgets / Routes / Settings / Admin pages needed.
 * - POST /api/routes/preview (and the team version): the candidate order the gateway would use
 *   now for an unsaved route, through the router's own ordering, with breaker states: a target
 *   whose endpoint breaker is open (after real provider failures) is marked skipped.
 * - POST /api/me/password: current password checked, policy applied, every other session ends,
 *   the calling one stays; audited; the password never reaches a log.
 * - GET /api/admin/users carries last_active_at (the latest session use).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import { insufficientQuota, startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const OPENAI_KEY = 'sk-web-admin-gaps-openai-00000000000Gp1';
const ANTHROPIC_KEY = 'sk-ant-web-admin-gaps-000000000000Gp2';
const PASSWORD = 'correct horse battery staple';

let openai: FakeProvider;
let anthropic: FakeProvider;
let server: TestServer;

beforeAll(async () => {
  openai = await startFakeOpenAI({ keys: [OPENAI_KEY] });
  anthropic = await startFakeAnthropic({ keys: [ANTHROPIC_KEY] });
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: openai.baseUrl,
    SWITCHBOARD_ANTHROPIC_BASE_URL: anthropic.baseUrl,
    SWITCHBOARD_RETRY_MAX_ATTEMPTS: '1',
    SWITCHBOARD_BREAKER_FAILURES: '2',
    SWITCHBOARD_BREAKER_COOLDOWN_MS: '600000',
  });
});

afterAll(async () => {
  await server?.close();
  await anthropic?.close();
  await openai?.close();
});

interface Preview {
  candidates: Array<{ model: string; integration_id: string | null; breaker: string; skipped: boolean; reason: string | null }>;
  fallback_local: boolean;
}

const preview = async (token: string, body: unknown, path = '/api/routes/preview') => server.api(path, { token, body });

describe('POST /api/routes/preview', () => {
  it('orders like the gateway, marks a target behind an open breaker as skipped, stores nothing', async () => {
    const user = await server.signIn();
    const created = async (service: string, key: string) => ((await (await server.api('/api/integrations', { token: user.token, body: { service, api_key: key } })).json()) as { id: string }).id;
    const openaiId = await created('openai', OPENAI_KEY);
    const anthropicId = await created('anthropic', ANTHROPIC_KEY);

    const route = { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }, { model: 'openai/gpt-4o-mini', integration_id: openaiId }, { model: 'gemini/gemini-2.0-flash' }], fallback_local: true };
    const first = await preview(user.token, route);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      candidates: [
        { model: 'anthropic/claude-haiku-4-5', integration_id: anthropicId, breaker: 'closed', skipped: false, reason: null },
        { model: 'openai/gpt-4o-mini', integration_id: openaiId, breaker: 'closed', skipped: false, reason: null },
        { model: 'gemini/gemini-2.0-flash', integration_id: null, breaker: 'closed', skipped: true, reason: 'no_integration' },
      ],
      fallback_local: true,
    });
    // cost: the cheaper catalog price first (gpt-4o-mini is cheaper than gpt-4o).
    const byCost = (await (await preview(user.token, { strategy: 'cost', targets: [{ model: 'openai/gpt-4o' }, { model: 'openai/gpt-4o-mini' }] })).json()) as Preview;
    expect(byCost.candidates.map((candidate) => candidate.model)).toEqual(['openai/gpt-4o-mini', 'openai/gpt-4o']);

    // The anthropic endpoint fails twice (real 500s from the fake): its breaker opens.
    for (let i = 0; i < 2; i += 1) {
      const failed = await server.api('/v1/chat/completions', { token: user.token, body: { model: 'anthropic/fake-error-500', messages: [{ role: 'user', content: 'hi' }] } });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    }
    const after = (await (await preview(user.token, route)).json()) as Preview;
    expect(after.candidates[0]).toEqual({ model: 'anthropic/claude-haiku-4-5', integration_id: anthropicId, breaker: 'open', skipped: true, reason: 'breaker_open' });
    expect(after.candidates[1]).toMatchObject({ model: 'openai/gpt-4o-mini', skipped: false });

    // Nothing was stored.
    expect(await (await server.api('/api/routes', { token: user.token })).json()).toEqual({ data: [] });
    // Keys never appear.
    expect(JSON.stringify(after)).not.toContain(ANTHROPIC_KEY);
  });

  it('rejects a bad route with a clear 400 and another tenant’s integration or team with 400/404', async () => {
    const owner = await server.signIn();
    const intruder = await server.signIn();
    const integration = ((await (await server.api('/api/integrations', { token: owner.token, body: { service: 'openai', api_key: OPENAI_KEY } })).json()) as { id: string }).id;
    const team = ((await (await server.api('/api/teams', { token: owner.token, body: { name: 'Preview team' } })).json()) as { id: string }).id;

    const empty = await preview(owner.token, { strategy: 'priority', targets: [] });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const weightless = await preview(owner.token, { strategy: 'weighted', targets: [{ model: 'openai/gpt-4o' }] });
    expect(weightless.status).toBe(400);
    expect(((await weightless.json()) as { error: { param: string } }).error.param).toBe('targets[0].weight');

    const foreign = await preview(intruder.token, { strategy: 'priority', targets: [{ model: 'openai/gpt-4o', integration_id: integration }] });
    expect(foreign.status).toBe(400);
    expect(JSON.stringify(await foreign.json())).not.toContain(OPENAI_KEY);
    const teamPath = `/api/teams/${team}/routes/preview`;
    expect((await preview(intruder.token, { strategy: 'priority', targets: [{ model: 'openai/gpt-4o' }] }, teamPath)).status).toBe(404);
    const mine = await preview(owner.token, { strategy: 'priority', targets: [{ model: 'openai/gpt-4o' }] }, teamPath);
    expect(mine.status).toBe(200);
    // The team has no openai key of its own.
    expect(((await mine.json()) as Preview).candidates).toEqual([{ model: 'openai/gpt-4o', integration_id: null, breaker: 'closed', skipped: true, reason: 'no_integration' }]);
  });
});

describe('POST /api/me/password', () => {
  it('needs the current password, applies the policy, ends every other session and keeps this one', async () => {
    const email = `pw-${randomBytes(4).toString('hex')}@example.com`;
    const here = await server.signIn(email);
    const other = (await (await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).json()) as { access_token: string; refresh_token: string };
    const elsewhere = { token: other.access_token, refreshToken: other.refresh_token };
    const NEW = 'a brand new passphrase 42';

    const wrong = await server.api('/api/me/password', { token: here.token, body: { current_password: 'not it at all', new_password: NEW } });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: { param: string } }).error.param).toBe('current_password');
    const weak = await server.api('/api/me/password', { token: here.token, body: { current_password: PASSWORD, new_password: 'short' } });
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as { error: { param: string } }).error.param).toBe('password');
    // Nothing changed yet: the old password still logs in.
    expect((await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).status).toBe(200);

    const changed = await server.api('/api/me/password', { token: here.token, body: { current_password: PASSWORD, new_password: NEW } });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { sessions_revoked: number }).sessions_revoked).toBe(2);
    expect((await server.api('/api/me', { token: here.token })).status).toBe(200);
    expect((await server.api('/api/me', { token: elsewhere.token })).status).toBe(401);
    expect((await server.api('/api/auth/refresh', { body: { refresh_token: elsewhere.refreshToken } })).status).toBe(401);
    expect((await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).status).toBe(401);
    expect((await server.api('/api/auth/login', { body: { email, password: NEW } })).status).toBe(200);

    const audit = (await (await server.api('/api/audit', { token: here.token })).json()) as { data: Array<{ action: string; metadata: unknown }> };
    expect(audit.data.find((event) => event.action === 'auth.password_changed')?.metadata).toEqual({ sessions_revoked: 2 });
    expect(server.logs.text()).not.toContain(NEW);
  });
});

describe('GET /api/admin/users last_active_at', () => {
  it('is the latest use of any session, null for a user who never signed in', async () => {
    const adminEmail = `admin-${randomBytes(4).toString('hex')}@example.com`;
    await server.running.services.accounts.createUser({ email: adminEmail, password: PASSWORD, isAdmin: true, verified: true });
    const admin = { token: ((await (await server.api('/api/auth/login', { body: { email: adminEmail, password: PASSWORD } })).json()) as { access_token: string }).access_token };
    const tag = randomBytes(3).toString('hex');
    await server.signIn(`active-${tag}@example.com`);
    await server.running.services.accounts.createUser({ email: `never-${tag}@example.com`, password: PASSWORD, verified: true });
    const found = (await (await server.api(`/api/admin/users?query=${tag}`, { token: admin.token })).json()) as { data: Array<{ email: string; last_active_at: string | null }> };
    const byEmail = new Map(found.data.map((user) => [user.email, user.last_active_at]));
    expect(byEmail.get(`never-${tag}@example.com`)).toBeNull();
    const active = byEmail.get(`active-${tag}@example.com`);
    expect(active).toBeTypeOf('string');
    expect(Math.abs(Date.now() - Date.parse(active!))).toBeLessThan(60_000);
  });

  it('GET /api/admin/health names each failing integration by id and service only', async () => {
    const adminEmail = `admin-${randomBytes(4).toString('hex')}@example.com`;
    await server.running.services.accounts.createUser({ email: adminEmail, password: PASSWORD, isAdmin: true, verified: true });
    const admin = { token: ((await (await server.api('/api/auth/login', { body: { email: adminEmail, password: PASSWORD } })).json()) as { access_token: string }).access_token };
    const user = await server.signIn();
    const integration = ((await (await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: OPENAI_KEY } })).json()) as { id: string }).id;
    // The provider says the quota is exhausted: that integration is skipped for a cooldown (its breaker opens).
    openai.enqueue({ kind: 'error', status: 429, body: insufficientQuota() });
    const refused = await server.api('/v1/chat/completions', { token: user.token, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const health = (await (await server.api('/api/admin/health', { token: admin.token })).json()) as { breaker_counts: { per_integration: { not_closed: unknown[] } } };
    expect(health.breaker_counts.per_integration.not_closed).toContainEqual({ id: integration, service: 'openai', state: 'open', retry_after_ms: expect.any(Number) });
    const text = JSON.stringify(health);
    expect(text).not.toContain(OPENAI_KEY);
    expect(text).not.toContain(user.email);
  });

  it('GET /api/admin/teams?query= finds teams by name, with spend this month', async () => {
    const adminEmail = `admin-${randomBytes(4).toString('hex')}@example.com`;
    await server.running.services.accounts.createUser({ email: adminEmail, password: PASSWORD, isAdmin: true, verified: true });
    const admin = { token: ((await (await server.api('/api/auth/login', { body: { email: adminEmail, password: PASSWORD } })).json()) as { access_token: string }).access_token };
    const owner = await server.signIn();
    const tag = randomBytes(3).toString('hex');
    const team = ((await (await server.api('/api/teams', { token: owner.token, body: { name: `Spenders ${tag}` } })).json()) as { id: string }).id;
    await server.api('/api/teams', { token: owner.token, body: { name: `Idle ${tag}` } });
    expect((await server.api(`/api/teams/${team}/integrations`, { token: owner.token, body: { service: 'openai', api_key: OPENAI_KEY } })).status).toBe(201);
    const chat = await server.api('/v1/chat/completions', { token: owner.token, headers: { 'x-switchboard-team': team }, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
    expect(chat.status).toBe(200);
    await server.running.services.recorder.flush();
    const found = (await (await server.api(`/api/admin/teams?query=${encodeURIComponent(`spenders ${tag}`)}`, { token: admin.token })).json()) as { data: Array<{ id: string; member_count: number; spend_this_month_micros: number }> };
    expect(found.data).toHaveLength(1);
    expect(found.data[0]).toMatchObject({ id: team, member_count: 1 });
    expect(found.data[0]!.spend_this_month_micros).toBeGreaterThan(0);
    const both = (await (await server.api(`/api/admin/teams?query=${tag}`, { token: admin.token })).json()) as { data: Array<{ spend_this_month_micros: number }> };
    expect(both.data.map((row) => row.spend_this_month_micros > 0).sort()).toEqual([false, true]);
  });
});
