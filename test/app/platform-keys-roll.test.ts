/**
 * Issue 7 (lifecycle slice): "Roll key". POST /api/keys/:id/roll creates a replacement with the
 * same settings (name, scope, allowed models, rate limit, budget, expiry), shows it once, and
 * revokes the old key now or after a grace period. During the grace both keys work; after it the
 * old one answers 401 although it is still cached (revocation is judged per request).
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PROVIDER_KEY = 'sk-roll-provider-key-000000000000000001';

interface KeyBody {
  id: string;
  key: string;
  name: string;
  key_last4: string;
  team_id: string | null;
  models: string[] | null;
  rate_limit: { rpm?: number } | null;
  monthly_budget_micros: number | null;
  expires_at: string | null;
  revoked_at: string | null;
  status: string;
}
type RolledBody = KeyBody & { replaced: Omit<KeyBody, 'key'> };

let server: TestServer;
let fake: FakeProvider;
let sql: pg.Client;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl });
  sql = new pg.Client({ connectionString: server.database.url });
  await sql.connect();
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await sql?.end();
  await server?.close();
  await fake?.close();
});

const chat = (credential: string) =>
  server.api('/v1/chat/completions', { token: credential, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });

async function userWithKey(body: Record<string, unknown> = { name: 'deploy bot' }) {
  const user = await server.signIn();
  expect((await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
  const created = await server.api('/api/keys', { token: user.token, body });
  expect(created.status, await created.clone().text()).toBe(201);
  return { user, key: (await created.json()) as KeyBody };
}

async function roll(token: string, id: string, body: unknown): Promise<Response> {
  return server.api(`/api/keys/${id}/roll`, { token, body });
}

describe('rolling a platform key', () => {
  it('copies every setting, budget row included, shows the new key once, and revokes the old key at once', async () => {
    const user = await server.signIn();
    const teamId = newId();
    await sql.query('insert into teams (id, name) values ($1, $2)', [teamId, 'roll team']);
    await sql.query("insert into memberships (team_id, user_id, role) values ($1, $2, 'owner')", [teamId, user.userId]);
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const created = (await (
      await server.api('/api/keys', {
        token: user.token,
        body: { name: 'nightly', team_id: teamId, models: ['openai/*'], rate_limit: { rpm: 30 }, monthly_budget_micros: 5_000_000, expires_at: expiresAt },
      })
    ).json()) as KeyBody;
    const budget = await server.api('/api/budgets', { token: user.token, method: 'PUT', body: { scope: 'key', scope_id: created.id, limit_micros: 4_000_000, alert_thresholds: [25, 90], hard_limit: false } });
    expect(budget.status, await budget.clone().text()).toBeLessThan(300);
    await server.running.services.integrations.storeIntegration({ userId: user.userId }, { kind: 'team', id: teamId }, { service: 'openai', api_key: PROVIDER_KEY });
    expect((await chat(created.key)).status).toBe(200);

    const response = await roll(user.token, created.id, { revoke_old_in: 0 });
    expect(response.status).toBe(201);
    const rolled = (await response.json()) as RolledBody;
    expect(rolled.key).toMatch(/^sk-sb-[A-Za-z0-9_-]{43}$/);
    expect(rolled.key).not.toBe(created.key);
    expect(rolled.id).not.toBe(created.id);
    expect(rolled).toMatchObject({ name: 'nightly', team_id: teamId, models: ['openai/*'], rate_limit: { rpm: 30 }, monthly_budget_micros: 4_000_000, status: 'active', revoked_at: null });
    expect(new Date(rolled.expires_at!).toISOString()).toBe(expiresAt);
    expect(rolled.replaced).toMatchObject({ id: created.id, status: 'revoked' });

    const budgets = await sql.query<{ scope_id: string; limit_micros: string; alert_thresholds: number[]; hard_limit: boolean; owner_team_id: string | null; owner_user_id: string | null }>(
      "select scope_id, limit_micros, alert_thresholds, hard_limit, owner_team_id, owner_user_id from budgets where scope = 'key' and scope_id = any($1) order by scope_id",
      [[created.id, rolled.id]],
    );
    const [oldBudget, newBudget] = [budgets.rows.find((row) => row.scope_id === created.id), budgets.rows.find((row) => row.scope_id === rolled.id)];
    expect(newBudget).toEqual({ ...oldBudget, scope_id: rolled.id });

    expect((await chat(created.key)).status).toBe(401);
    expect((await chat(rolled.key)).status).toBe(200);
    // Shown once: never in a later answer, the database or the logs.
    const listed = await (await server.api('/api/keys', { token: user.token })).text();
    expect(listed).not.toContain(rolled.key);
    expect(JSON.stringify((await sql.query('select * from platform_keys')).rows)).not.toContain(rolled.key);
    expect(server.logs.text()).not.toContain(rolled.key);
    const audit = await sql.query<{ action: string; target_id: string; metadata: Record<string, unknown> }>(
      "select action, target_id, metadata from audit_events where action in ('platform_key.rolled', 'platform_key.created') and target_id = any($1) order by id",
      [[created.id, rolled.id]],
    );
    expect(audit.rows.map((row) => [row.action, row.target_id])).toEqual([
      ['platform_key.created', created.id],
      ['platform_key.created', rolled.id],
      ['platform_key.rolled', created.id],
    ]);
    expect(audit.rows[2]?.metadata).toMatchObject({ replacement_id: rolled.id, revoke_old_in: 0 });
  });

  it('keeps the old key working during the grace, and refuses it once the grace has passed, though cached', async () => {
    const { user, key } = await userWithKey();
    expect((await chat(key.key)).status).toBe(200);
    const started = Date.now();
    const rolled = (await (await roll(user.token, key.id, { revoke_old_in: 3600 })).json()) as RolledBody;
    expect(rolled.replaced.status).toBe('active');
    const revokesAt = new Date(rolled.replaced.revoked_at!).getTime();
    expect(revokesAt - started).toBeGreaterThanOrEqual(3_599_000);
    expect(revokesAt - started).toBeLessThan(3_700_000);

    expect((await chat(key.key)).status).toBe(200);
    expect((await chat(rolled.key)).status).toBe(200);
    const viewed = (await (await server.api(`/api/keys/${key.id}`, { token: user.token })).json()) as KeyBody;
    expect(viewed).toMatchObject({ status: 'active', revoked_at: rolled.replaced.revoked_at });

    // An hour later (the process clock moved; no invalidation was sent): the old key is refused.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(revokesAt + 1_000);
    const refused = await chat(key.key);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    expect((await chat(rolled.key)).status).toBe(200);
  });

  it('revokes a key in grace at once when asked (DELETE), and a second roll never extends the grace', async () => {
    const { user, key } = await userWithKey();
    const first = (await (await roll(user.token, key.id, { revoke_old_in: 600 })).json()) as RolledBody;
    const second = (await (await roll(user.token, key.id, { revoke_old_in: 86_400 })).json()) as RolledBody;
    expect(second.replaced.revoked_at).toBe(first.replaced.revoked_at);
    expect((await chat(key.key)).status).toBe(200);
    expect((await server.api(`/api/keys/${key.id}`, { token: user.token, method: 'DELETE' })).status).toBe(204);
    expect((await chat(key.key)).status).toBe(401);
    const viewed = (await (await server.api(`/api/keys/${key.id}`, { token: user.token })).json()) as KeyBody;
    expect(viewed.status).toBe('revoked');
    expect(new Date(viewed.revoked_at!).getTime()).toBeLessThan(new Date(first.replaced.revoked_at!).getTime());
    // A revoked key cannot be rolled.
    const again = await roll(user.token, key.id, { revoke_old_in: 0 });
    expect(again.status).toBe(409);
    expect((await chat(first.key)).status).toBe(200);
  });

  it('answers 404 for another user’s key and 400 for bad input, creating nothing', async () => {
    const { user, key } = await userWithKey();
    const stranger = await server.signIn();
    const theirs = await roll(stranger.token, key.id, { revoke_old_in: 0 });
    expect(theirs.status).toBe(404);
    expect(await theirs.text()).not.toContain('deploy bot');
    const cases: unknown[] = [{}, { revoke_old_in: -1 }, { revoke_old_in: 86_401 }, { revoke_old_in: 1.5 }, { revoke_old_in: '3600' }, { revoke_old_in: 0, name: 'renamed' }];
    for (const body of cases) {
      const response = await roll(user.token, key.id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { code: string; param: string | null } }).error;
      expect(error.code).toBe('invalid_request');
    }
    expect((await server.api('/api/keys/not-a-key/roll', { token: user.token, body: { revoke_old_in: 0 } })).status).toBe(400);
    expect((await roll(user.token, newId(), { revoke_old_in: 0 })).status).toBe(404);
    const count = await sql.query('select count(*)::int as n, count(revoked_at)::int as revoked from platform_keys where user_id = any($1)', [[user.userId, stranger.userId]]);
    expect(count.rows[0]).toEqual({ n: 1, revoked: 0 });
    expect((await chat(key.key)).status).toBe(200);
  });
});
