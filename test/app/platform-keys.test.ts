/**
 * Platform keys (issue 4, item 7) and key resolution in a team context (item 6), driven over HTTP:
 * a key is shown once and stored hashed, authenticates AI calls (Bearer and x-api-key) but not the
 * management API, stops working the moment it is revoked or expires, enforces its model
 * allow-list, and is metered. Team context picks the caller's own integration, else the team's,
 * and never falls back to another tenant's key when the provider rejects one.
 */
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openAIAnswer, startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const OWN_KEY = 'sk-platform-keys-own-000000000000000001';
const TEAM_KEY = 'sk-platform-keys-team-00000000000000002';
const REJECTED_TEAM_KEY = 'sk-platform-keys-revoked-at-provider-03';

interface CreatedKey {
  id: string;
  key: string;
  name: string;
  key_last4: string;
  team_id: string | null;
  models: string[] | null;
  expires_at: string | null;
  status: string;
}

let server: TestServer;
let fake: FakeProvider;
let sql: pg.Client;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [OWN_KEY, TEAM_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl });
  sql = new pg.Client({ connectionString: server.database.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await server?.close();
  await fake?.close();
});

async function createKey(token: string, body: Record<string, unknown>): Promise<CreatedKey> {
  const response = await server.api('/api/keys', { token, body });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as CreatedKey;
}

function chat(credential: string, init: { model?: string; headers?: Record<string, string> } = {}) {
  return server.api('/v1/chat/completions', {
    token: credential,
    body: { model: init.model ?? 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    ...(init.headers ? { headers: init.headers } : {}),
  });
}

async function addOwnIntegration(token: string, apiKey = OWN_KEY): Promise<string> {
  const response = await server.api('/api/integrations', { token, body: { service: 'openai', api_key: apiKey } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** A team with members, seeded in SQL (the teams API has its own tests). */
async function seedTeam(members: Array<{ userId: string; role: 'owner' | 'admin' | 'member' }>): Promise<string> {
  const teamId = newId();
  await sql.query('insert into teams (id, name) values ($1, $2)', [teamId, `team ${teamId.slice(-4)}`]);
  for (const member of members) {
    await sql.query('insert into memberships (team_id, user_id, role) values ($1, $2, $3)', [teamId, member.userId, member.role]);
  }
  return teamId;
}

async function addTeamIntegration(teamId: string, actorUserId: string, apiKey: string): Promise<string> {
  const view = await server.running.services.integrations.storeIntegration(
    { userId: actorUserId },
    { kind: 'team', id: teamId },
    { service: 'openai', api_key: apiKey },
  );
  return view.id;
}

describe('creating and listing keys', () => {
  it('shows the key once, stores only its hash, and never returns it again', async () => {
    const user = await server.signIn();
    const created = await createKey(user.token, { name: 'ci job', models: ['openai/*'] });
    expect(created.key).toMatch(/^sk-sb-[A-Za-z0-9_-]{43}$/);
    expect(created.key_last4).toBe(created.key.slice(-4));
    expect(created).toMatchObject({ name: 'ci job', team_id: null, models: ['openai/*'], expires_at: null, status: 'active' });

    const stored = await sql.query<{ key_hash: Buffer }>('select key_hash from platform_keys where id = $1', [created.id]);
    expect(stored.rows[0]?.key_hash.equals(createHash('sha256').update(created.key).digest())).toBe(true);
    const everything = JSON.stringify((await sql.query('select * from platform_keys')).rows);
    expect(everything).not.toContain(created.key);

    const one = (await (await server.api(`/api/keys/${created.id}`, { token: user.token })).json()) as Record<string, unknown>;
    const list = (await (await server.api('/api/keys', { token: user.token })).json()) as { data: Array<Record<string, unknown>> };
    expect(one.key).toBeUndefined();
    expect(one.id).toBe(created.id);
    expect(list.data.map((key) => key.id)).toEqual([created.id]);
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect(server.logs.text()).not.toContain(created.key);
  });

  it('rejects bad input with a 400 and stores nothing', async () => {
    const user = await server.signIn();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x', expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
      [{ name: 'x', expires_at: 'tomorrow' }, 'expires_at'],
      [{ name: 'x', team_id: 'not-a-team' }, 'team_id'],
      [{ name: 'x', models: 'openai/*' }, 'models'],
      [{ name: 'x', rate_limit: { rpm: -1 } }, 'rate_limit.rpm'],
      [{ name: 'x', monthly_budget_micros: 1.5 }, 'monthly_budget_micros'],
      [{ name: 'x', key: 'sk-sb-chosen-by-me' }, ''],
    ];
    for (const [body, param] of cases) {
      const response = await server.api('/api/keys', { token: user.token, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { code: string; param: string | null } }).error;
      expect(error.code).toBe('invalid_request');
      if (param) expect(error.param).toBe(param);
    }
    const invalidJson = await server.api('/api/keys', { token: user.token, body: '{"name":' });
    expect(invalidJson.status).toBe(400);
    const count = await sql.query('select count(*)::int as n from platform_keys where user_id = $1', [user.userId]);
    expect(count.rows[0].n).toBe(0);
  });

  it('answers 404 for another user’s key and 400 for a malformed id, changing nothing', async () => {
    const owner = await server.signIn();
    const stranger = await server.signIn();
    const key = await createKey(owner.token, { name: 'mine' });
    for (const method of ['GET', 'DELETE']) {
      const response = await server.api(`/api/keys/${key.id}`, { token: stranger.token, method });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('mine');
    }
    expect((await server.api('/api/keys/nope', { token: owner.token })).status).toBe(400);
    expect((await chat(key.key)).status).not.toBe(401);
    const teamOfStranger = await seedTeam([{ userId: stranger.userId, role: 'owner' }]);
    const response = await server.api('/api/keys', { token: owner.token, body: { name: 'x', team_id: teamOfStranger } });
    expect(response.status).toBe(404);
  });
});

describe('authenticating AI calls with a key', () => {
  it('serves a call with the key (Bearer and x-api-key), metering it to the key, but never the management API', async () => {
    const user = await server.signIn();
    const integrationId = await addOwnIntegration(user.token);
    const key = await createKey(user.token, { name: 'sdk' });

    const client = new OpenAI({ apiKey: key.key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(openAIAnswer(1));
    expect(response.headers.get('x-switchboard-integration')).toBe(integrationId);
    const requestId = response.headers.get('x-request-id');

    const viaHeader = await server.api('/v1/chat/completions', {
      headers: { 'x-api-key': key.key },
      body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(viaHeader.status).toBe(200);

    expect((await server.api('/api/me', { token: key.key })).status).toBe(401);
    expect((await server.api('/api/keys', { token: key.key })).status).toBe(401);

    await server.running.services.recorder.flush();
    const usage = (await (await server.api(`/api/usage?key_id=${key.id}`, { token: user.token })).json()) as {
      data: Array<{ request_id: string; key_id: string; integration_id: string }>;
    };
    expect(usage.data).toHaveLength(2);
    expect(usage.data.map((row) => row.request_id)).toContain(requestId);
    expect(usage.data.every((row) => row.key_id === key.id && row.integration_id === integrationId)).toBe(true);
    expect(server.logs.text()).not.toContain(key.key);
  });

  it('records last use and audits the first use, in the background', async () => {
    const user = await server.signIn();
    await addOwnIntegration(user.token);
    const key = await createKey(user.token, { name: 'audited' });
    expect((await chat(key.key)).status).toBe(200);
    expect((await chat(key.key)).status).toBe(200);
    await server.running.services.activity.flush();
    const row = await sql.query('select last_used_at from platform_keys where id = $1', [key.id]);
    expect(row.rows[0].last_used_at).toBeInstanceOf(Date);
    const events = await sql.query('select action from audit_events where target_id = $1 order by id', [key.id]);
    expect(events.rows.map((event) => event.action)).toEqual(['platform_key.created', 'platform_key.first_used']);
    const viewed = (await (await server.api(`/api/keys/${key.id}`, { token: user.token })).json()) as { last_used_at: string | null };
    expect(viewed.last_used_at).not.toBeNull();
  });

  it('refuses unknown, malformed, revoked and expired keys with 401', async () => {
    const user = await server.signIn();
    await addOwnIntegration(user.token);
    expect((await chat('sk-sb-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
    expect((await chat('sk-sb-')).status).toBe(401);

    const key = await createKey(user.token, { name: 'to revoke' });
    expect((await chat(key.key)).status).toBe(200);
    expect((await server.api(`/api/keys/${key.id}`, { token: user.token, method: 'DELETE' })).status).toBe(204);
    const refused = await chat(key.key);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    // Idempotent, and still listed as revoked.
    expect((await server.api(`/api/keys/${key.id}`, { token: user.token, method: 'DELETE' })).status).toBe(204);
    const viewed = (await (await server.api(`/api/keys/${key.id}`, { token: user.token })).json()) as { status: string; revoked_at: string };
    expect(viewed.status).toBe('revoked');

    const shortLived = await createKey(user.token, { name: 'short', expires_at: new Date(Date.now() + 1_500).toISOString() });
    expect((await chat(shortLived.key)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect((await chat(shortLived.key)).status).toBe(401);
  });

  it('enforces the model allow-list', async () => {
    const user = await server.signIn();
    await addOwnIntegration(user.token);
    const key = await createKey(user.token, { name: 'mini only', models: ['openai/gpt-4o-mini'] });
    expect((await chat(key.key, { model: 'openai/gpt-4o-mini' })).status).toBe(200);
    const refused = await chat(key.key, { model: 'openai/gpt-4o' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: 'model_not_allowed', param: 'model' });
    const wildcard = await createKey(user.token, { name: 'any openai', models: ['openai/*'] });
    expect((await chat(wildcard.key, { model: 'openai/gpt-4o' })).status).toBe(200);
  });
});

describe('team context', () => {
  it('serves team members with the team key when they have none of their own, metered to user, key and team', async () => {
    const owner = await server.signIn();
    const member = await server.signIn();
    const teamId = await seedTeam([
      { userId: owner.userId, role: 'owner' },
      { userId: member.userId, role: 'member' },
    ]);
    const teamIntegration = await addTeamIntegration(teamId, owner.userId, TEAM_KEY);
    const memberKey = await createKey(member.token, { name: 'team key', team_id: teamId });
    expect(memberKey.team_id).toBe(teamId);

    const viaKey = await chat(memberKey.key);
    expect(viaKey.status).toBe(200);
    expect(viaKey.headers.get('x-switchboard-integration')).toBe(teamIntegration);
    expect(((await viaKey.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(openAIAnswer(2));

    const viaHeader = await chat(owner.token, { headers: { 'x-switchboard-team': teamId } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get('x-switchboard-integration')).toBe(teamIntegration);

    // Without the team context the same user has no key at all.
    const personal = await chat(owner.token);
    expect(personal.status).toBe(400);
    expect(((await personal.json()) as { error: { code: string } }).error.code).toBe('integration_missing');

    await server.running.services.recorder.flush();
    const rows = await sql.query<{ user_id: string; key_id: string | null; team_id: string | null; integration_id: string }>(
      'select user_id, key_id, team_id, integration_id from usage_records where integration_id = $1 order by id',
      [teamIntegration],
    );
    expect(rows.rows).toEqual([
      { user_id: member.userId, key_id: memberKey.id, team_id: teamId, integration_id: teamIntegration },
      { user_id: owner.userId, key_id: null, team_id: teamId, integration_id: teamIntegration },
    ]);
  });

  it('prefers the caller’s own integration over the team’s', async () => {
    const user = await server.signIn();
    const teamId = await seedTeam([{ userId: user.userId, role: 'member' }]);
    await addTeamIntegration(teamId, user.userId, TEAM_KEY);
    const own = await addOwnIntegration(user.token);
    const response = await chat(user.token, { headers: { 'x-switchboard-team': teamId } });
    expect(response.headers.get('x-switchboard-integration')).toBe(own);
  });

  it('answers 404 for a team the caller is not in, 400 for a malformed team id', async () => {
    const insider = await server.signIn();
    const outsider = await server.signIn();
    const teamId = await seedTeam([{ userId: insider.userId, role: 'owner' }]);
    await addTeamIntegration(teamId, insider.userId, TEAM_KEY);
    const before = fake.requests.length;
    const notMember = await chat(outsider.token, { headers: { 'x-switchboard-team': teamId } });
    expect(notMember.status).toBe(404);
    expect(await notMember.text()).not.toContain(TEAM_KEY.slice(-4));
    const malformed = await chat(outsider.token, { headers: { 'x-switchboard-team': 'team-1' } });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { param: string } }).error.param).toBe('x-switchboard-team');
    const otherKey = await createKey(insider.token, { name: 'personal' });
    const mismatch = await chat(otherKey.key, { headers: { 'x-switchboard-team': teamId } });
    expect(mismatch.status).toBe(200);
    const scoped = await createKey(insider.token, { name: 'scoped', team_id: teamId });
    const otherTeam = await seedTeam([{ userId: insider.userId, role: 'owner' }]);
    expect((await chat(scoped.key, { headers: { 'x-switchboard-team': otherTeam } })).status).toBe(400);
    expect(fake.requests.length).toBe(before + 1);
  });

  it('never falls back to another key when the provider rejects the team key', async () => {
    const user = await server.signIn();
    const teamId = await seedTeam([{ userId: user.userId, role: 'member' }]);
    const rejected = await addTeamIntegration(teamId, user.userId, REJECTED_TEAM_KEY);
    const before = fake.requests.length;
    const response = await chat(user.token, { headers: { 'x-switchboard-team': teamId } });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-switchboard-integration')).toBe(rejected);
    expect(((await response.json()) as { error: { code: string; source: string } }).error).toMatchObject({ code: 'provider_key_rejected', source: 'user' });
    expect(fake.requests.slice(before).map((request) => request.credential)).toEqual([REJECTED_TEAM_KEY]);
  });

  it('stops a team key the moment its user leaves the team', async () => {
    const owner = await server.signIn();
    const member = await server.signIn();
    const teamId = await seedTeam([
      { userId: owner.userId, role: 'owner' },
      { userId: member.userId, role: 'member' },
    ]);
    await addTeamIntegration(teamId, owner.userId, TEAM_KEY);
    const key = await createKey(member.token, { name: 'leaving', team_id: teamId });
    expect((await chat(key.key)).status).toBe(200);
    expect((await chat(member.token, { headers: { 'x-switchboard-team': teamId } })).status).toBe(200);
    await sql.query('delete from memberships where team_id = $1 and user_id = $2', [teamId, member.userId]);
    server.running.services.bus.publish('membership', `${teamId}:${member.userId}`);
    expect((await chat(key.key)).status).toBe(401);
    expect((await chat(member.token, { headers: { 'x-switchboard-team': teamId } })).status).toBe(404);
  });
});
