/**
 * Issue 4's "Done when", end to end, as new users live it over the HTTP API only: Alice and Bob
 * sign up and verify through the mailed link, Alice creates a team and invites Bob by mail, Bob
 * accepts; Alice stores a team OpenAI key (answered masked); each creates a team-scoped platform
 * key and is served by the team key, metered to the right user, key and team; Carol, a third
 * user, sees nothing of the team, its keys or its usage (404, no data); replaying a spent refresh
 * token after the grace window revokes the whole session; and no secret ever reaches the logs.
 * The tests run in order and share the journey's state.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openAIAnswer, startFakeOpenAI } from '../fakes/openai.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const TEAM_KEY = 'sk-tenancy-journey-team-key-000000000001';
const PUBLIC_URL = 'https://switchboard.example';
const TEAM_NAME = 'Tenancy Journey Research';

interface User {
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}
interface Usage {
  request_id: string;
  key_id: string | null;
  team_id: string | null;
  integration_id: string;
  status: number;
}

let fake: FakeProvider;
let smtp: SmtpCapture;
let server: TestServer;
let sql: pg.Client;
/** Every secret the journey handles: none may appear in the server's logs. */
const secrets: string[] = [TEAM_KEY];

// The journey's state, filled in as the tests go.
let alice: User;
let bob: User;
let carol: User;
let teamId: string;
let integrationId: string;
const keys: Record<'alice' | 'bob', { id: string; key: string }> = {} as never;
const requestIds: Record<'alice' | 'bob', string> = {} as never;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [TEAM_KEY] });
  smtp = await startSmtpCapture();
  server = await startTestServer({ SMTP_URL: smtp.url, SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, PUBLIC_URL });
  sql = new pg.Client({ connectionString: server.database.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await server?.close();
  await smtp?.close();
  await fake?.close();
});

/** The token of the next `<PUBLIC_URL><path>?token=…` link mailed to `email`. */
async function mailedToken(email: string, path: '/verify-email' | '/invitations/accept'): Promise<string> {
  const mail = await smtp.nextTo(email);
  const link = new RegExp(`${`${PUBLIC_URL}${path}`.replace(/[.?/]/g, '\\$&')}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  expect(link, `mail to ${email} holds a ${path} link:\n${mail.text}`).not.toBeNull();
  secrets.push(link![1]!);
  return link![1]!;
}

async function login(email: string, password: string): Promise<{ access_token: string; refresh_token: string }> {
  const response = await server.api('/api/auth/login', { body: { email, password } });
  expect(response.status, await response.clone().text()).toBe(200);
  const tokens = (await response.json()) as { access_token: string; refresh_token: string };
  secrets.push(tokens.access_token, tokens.refresh_token);
  return tokens;
}

/** Sign up, verify through the mailed link, log in: the way a new user arrives. */
async function arrive(name: string): Promise<User> {
  const email = `${name}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `${name}'s own passphrase ${randomBytes(6).toString('hex')}`;
  secrets.push(password);
  const signup = await server.api('/api/auth/signup', { body: { email, password } });
  expect(signup.status).toBe(201);
  const token = await mailedToken(email, '/verify-email');
  const verified = await server.api('/api/auth/verify-email', { body: { token } });
  expect(verified.status, await verified.clone().text()).toBe(200);
  const tokens = await login(email, password);
  return { email, password, token: tokens.access_token, refreshToken: tokens.refresh_token };
}

const chat = (credential: string, headers?: Record<string, string>) =>
  server.api('/v1/chat/completions', {
    token: credential,
    body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hello team' }] },
    ...(headers ? { headers } : {}),
  });

async function usageOf(user: User): Promise<Usage[]> {
  const response = await server.api('/api/usage', { token: user.token });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: Usage[]; next_cursor: string | null };
  expect(body.next_cursor).toBeNull();
  return body.data;
}

describe('a team, its shared key and its members, as new users go through it', () => {
  it('Alice and Bob sign up, verify through the mailed link and log in', async () => {
    alice = await arrive('alice');
    bob = await arrive('bob');
    for (const user of [alice, bob]) {
      const me = await server.api('/api/me', { token: user.token });
      expect(await me.json()).toMatchObject({ email: user.email, email_verified: true });
    }
  });

  it('Alice creates a team and invites Bob by mail; Bob accepts with his own session', async () => {
    const created = await server.api('/api/teams', { token: alice.token, body: { name: TEAM_NAME } });
    expect(created.status).toBe(201);
    const team = (await created.json()) as { id: string; role: string };
    expect(team.role).toBe('owner');
    teamId = team.id;

    const invited = await server.api(`/api/teams/${teamId}/invitations`, { token: alice.token, body: { email: bob.email } });
    expect(invited.status, await invited.clone().text()).toBe(201);
    const token = await mailedToken(bob.email, '/invitations/accept');
    const accepted = await server.api('/api/invitations/accept', { token: bob.token, body: { token } });
    expect(accepted.status, await accepted.clone().text()).toBe(200);
    expect(await accepted.json()).toMatchObject({ id: teamId, name: TEAM_NAME, role: 'member' });

    const members = await server.api(`/api/teams/${teamId}/members`, { token: bob.token });
    const list = ((await members.json()) as { data: Array<{ email: string; role: string }> }).data;
    expect(list.map((m) => [m.email, m.role]).sort()).toEqual([[alice.email, 'owner'], [bob.email, 'member']].sort());
  });

  it('Alice stores the team OpenAI key; it is answered masked, to her and to Bob', async () => {
    const stored = await server.api(`/api/teams/${teamId}/integrations`, { token: alice.token, body: { service: 'openai', api_key: TEAM_KEY } });
    expect(stored.status, await stored.clone().text()).toBe(201);
    const text = await stored.text();
    expect(text).not.toContain(TEAM_KEY);
    const integration = JSON.parse(text) as { id: string; key_last4: string; team_id: string };
    expect(integration).toMatchObject({ key_last4: TEAM_KEY.slice(-4), team_id: teamId });
    integrationId = integration.id;

    const seenByBob = await server.api(`/api/teams/${teamId}/integrations/${integrationId}`, { token: bob.token });
    expect(seenByBob.status).toBe(200);
    const bobText = await seenByBob.text();
    expect(bobText).not.toContain(TEAM_KEY);
    expect(JSON.parse(bobText)).toMatchObject({ id: integrationId, key_last4: TEAM_KEY.slice(-4) });
  });

  it('each member’s own team-scoped platform key is served by the team key', async () => {
    for (const [name, user] of [['alice', alice], ['bob', bob]] as const) {
      const created = await server.api('/api/keys', { token: user.token, body: { name: `${name}'s laptop`, team_id: teamId } });
      expect(created.status, await created.clone().text()).toBe(201);
      const key = (await created.json()) as { id: string; key: string; team_id: string };
      expect(key.team_id).toBe(teamId);
      keys[name] = { id: key.id, key: key.key };
      secrets.push(key.key);

      const before = fake.requests.length;
      const response = await chat(key.key);
      expect(response.status, await response.clone().text()).toBe(200);
      expect(response.headers.get('x-switchboard-integration')).toBe(integrationId);
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
      expect(body.choices[0]?.message.content).toBe(openAIAnswer(1));
      expect(fake.requests.slice(before).map((request) => request.credential)).toEqual([TEAM_KEY]);
      requestIds[name] = response.headers.get('x-request-id')!;
      expect(requestIds[name]).toBeTruthy();
    }
    expect(keys.alice.id).not.toBe(keys.bob.id);
  });

  it('each call is metered to its own user, key and team, and nobody sees the other’s', async () => {
    await server.running.services.recorder.flush();
    const own = { alice: await usageOf(alice), bob: await usageOf(bob) };
    for (const [name, other] of [['alice', 'bob'], ['bob', 'alice']] as const) {
      expect(own[name]).toHaveLength(1);
      expect(own[name][0]).toMatchObject({
        request_id: requestIds[name],
        key_id: keys[name].id,
        team_id: teamId,
        integration_id: integrationId,
        status: 200,
      });
      expect(own[name].map((row) => row.request_id)).not.toContain(requestIds[other]);
    }
    // The same, straight from the table (read-only): one row per call, on the right user.
    const { rows } = await sql.query<{ email: string; key_id: string; team_id: string }>(
      'select u.email, r.key_id, r.team_id from usage_records r join users u on u.id = r.user_id where r.request_id = any($1) order by u.email',
      [[requestIds.alice, requestIds.bob]],
    );
    expect(rows).toEqual(
      [
        { email: alice.email, key_id: keys.alice.id, team_id: teamId },
        { email: bob.email, key_id: keys.bob.id, team_id: teamId },
      ].sort((a, b) => a.email.localeCompare(b.email)),
    );
  });
});

describe('Carol, who is in no team, sees none of it', () => {
  it('gets 404 with no team data on every team route, her own key and a team call', async () => {
    carol = await arrive('carol');
    const leaks = [TEAM_NAME, alice.email, bob.email, TEAM_KEY.slice(-4), keys.alice.id.toLowerCase()];
    const notFound = async (response: Response, what: string) => {
      expect(response.status, what).toBe(404);
      const text = await response.text();
      expect((JSON.parse(text) as { error: { code: string } }).error.code, what).toBe('not_found');
      for (const leak of leaks) expect(text.toLowerCase(), `${what} leaks team data`).not.toContain(leak.toLowerCase());
    };
    for (const path of [
      `/api/teams/${teamId}`,
      `/api/teams/${teamId}/members`,
      `/api/teams/${teamId}/integrations`,
      `/api/teams/${teamId}/integrations/${integrationId}`,
      `/api/teams/${teamId}/invitations`,
      `/api/keys/${keys.alice.id}`,
    ]) {
      await notFound(await server.api(path, { token: carol.token }), `GET ${path}`);
    }
    const before = fake.requests.length;
    await notFound(await chat(carol.token, { 'x-switchboard-team': teamId }), 'team chat');
    expect(fake.requests.length, 'the provider was never called for Carol').toBe(before);

    expect(await (await server.api('/api/teams', { token: carol.token })).json()).toEqual({ data: [], next_cursor: null });
    await server.running.services.recorder.flush();
    expect(await usageOf(carol)).toEqual([]);
  });
});

describe('refresh token reuse', () => {
  it('a spent refresh token replayed after the grace window revokes the whole session', async () => {
    const session = await login(alice.email, alice.password);
    const r0 = session.refresh_token;
    const refresh = (token: string) => server.api('/api/auth/refresh', { body: { refresh_token: token } });
    const first = await refresh(r0);
    expect(first.status).toBe(200);
    const r1 = ((await first.json()) as { refresh_token: string }).refresh_token;
    secrets.push(r1);
    expect(r1).not.toBe(r0);

    // A spent token stays usable for REFRESH_REUSE_GRACE_MS (10 s, concurrent tabs). Rather than
    // sleep past it, move R0's spent-at 11 s into the past: to the server this is exactly a replay
    // 11 s later. The server compares used_at with its own clock, so this is all it takes.
    const moved = await sql.query("update refresh_tokens set used_at = used_at - interval '11 seconds' where token_hash = $1 and used_at is not null", [
      createHash('sha256').update(r0, 'utf8').digest(),
    ]);
    expect(moved.rowCount).toBe(1);

    for (const token of [r0, r1]) {
      const refused = await refresh(token);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_refresh_token');
    }
    expect((await server.api('/api/me', { token: session.access_token })).status).toBe(401);
    // Only that session: Alice's first login still works.
    expect((await server.api('/api/me', { token: alice.token })).status).toBe(200);
  });
});

describe('logs', () => {
  it('never contain a provider key, password, platform key, refresh/access token or mailed token', () => {
    const logs = server.logs.text();
    expect(logs.length).toBeGreaterThan(0);
    // 3 passwords, 3 verification + 1 invitation tokens, 4 logins × 2 tokens, 1 rotated, 2 platform keys, team key.
    expect(secrets.length).toBe(1 + 3 + 4 + 8 + 1 + 2);
    for (const secret of secrets) expect(logs.includes(secret), `a secret reached the logs: …${secret.slice(-4)}`).toBe(false);
  });
});
