/**
 * Teams as their members use them (issue 4): create, invite by mail, accept, roles enforced,
 * leave and remove, the last owner stays, malformed ids 400, and a non-member sees nothing on any
 * team route (404, exactly like an unknown team).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { queryRows } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const NO_IP_LIMITS = { SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0', SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0' };
const PUBLIC_URL = 'https://switchboard.example';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const UNKNOWN_TEAM = '01JZZZZZZZZZZZZZZZZZZZZZZZ';

interface ErrorBody {
  error: { message: string; type: string; code: string; source: string; param: string | null };
}
interface Team {
  id: string;
  name: string;
  role: string;
  disabled: boolean;
}
type User = Awaited<ReturnType<TestServer['signIn']>>;

let server: TestServer;
let smtp: SmtpCapture;
const published: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ ...NO_IP_LIMITS, SMTP_URL: smtp.url, PUBLIC_URL });
  server.running.services.bus.subscribe('membership', (key) => published.push(key));
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => queryRows<T>(server.database.url, text, values);

async function expectError(response: Response, status: number, code: string, param?: string) {
  expect(response.status).toBe(status);
  const { error } = (await response.json()) as ErrorBody;
  expect(error.code).toBe(code);
  if (param) expect(error.param).toBe(param);
  return error;
}

async function createTeam(user: User, name = 'Research'): Promise<Team> {
  const response = await server.api('/api/teams', { token: user.token, body: { name } });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Team;
}

/** Invite by mail, read the link from the message, accept as the invitee. */
async function inviteAndJoin(owner: User, team: Team, invitee: User, role: 'admin' | 'member' = 'member') {
  const response = await server.api(`/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: invitee.email, role } });
  expect(response.status, await response.clone().text()).toBe(201);
  const token = await mailedToken(invitee.email);
  const accepted = await server.api('/api/invitations/accept', { token: invitee.token, body: { token } });
  expect(accepted.status, await accepted.clone().text()).toBe(200);
  return (await accepted.json()) as Team;
}

async function mailedToken(email: string): Promise<string> {
  const mail = await smtp.nextTo(email);
  const link = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}/invitations/accept\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  expect(link, mail.text).not.toBeNull();
  return link![1]!;
}

const members = async (user: User, teamId: string) => {
  const response = await server.api(`/api/teams/${teamId}/members`, { token: user.token });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Array<{ user_id: string; email: string; role: string }> }).data;
};

describe('create and list', () => {
  it('POST /api/teams answers 201 {id (ULID), name, role: owner}; GET lists my teams with my role', async () => {
    const alice = await server.signIn();
    const team = await createTeam(alice, '  Research  ');
    expect(team).toMatchObject({ name: 'Research', role: 'owner', disabled: false });
    expect(team.id).toMatch(ULID);
    const list = await server.api('/api/teams', { token: alice.token });
    // The list and the team add the Teams table's summary (test/app/teams-web.test.ts).
    const summary = { ...team, member_count: 1, month_spend_micros: 0 };
    expect(await list.json()).toEqual({ data: [summary], next_cursor: null });
    const one = await server.api(`/api/teams/${team.id}`, { token: alice.token });
    expect(await one.json()).toEqual(summary);
    expect(await members(alice, team.id)).toEqual([expect.objectContaining({ user_id: alice.userId, email: alice.email, role: 'owner' })]);
    expect(published).toContain(`${team.id}:${alice.userId}`);
  });

  it('rejects an empty or missing name and invalid JSON with 400, storing nothing', async () => {
    const alice = await server.signIn();
    await expectError(await server.api('/api/teams', { token: alice.token, body: { name: '   ' } }), 400, 'invalid_request', 'name');
    await expectError(await server.api('/api/teams', { token: alice.token, body: {} }), 400, 'invalid_request', 'name');
    await expectError(await server.api('/api/teams', { token: alice.token, body: '{"name": ' }), 400, 'invalid_json');
    expect(await (await server.api('/api/teams', { token: alice.token })).json()).toEqual({ data: [], next_cursor: null });
  });

  it('requires authentication', async () => {
    await expectError(await server.api('/api/teams'), 401, 'unauthenticated');
    await expectError(await server.api('/api/teams', { body: { name: 'x' } }), 401, 'unauthenticated');
    const t = UNKNOWN_TEAM;
    for (const [method, path] of [
      ['GET', `/api/teams/${t}`], ['DELETE', `/api/teams/${t}`], ['GET', `/api/teams/${t}/members`],
      ['DELETE', `/api/teams/${t}/members/${t}`], ['GET', `/api/teams/${t}/invitations`], ['DELETE', `/api/teams/${t}/invitations/${t}`],
      ['GET', `/api/teams/${t}/integrations`], ['DELETE', `/api/teams/${t}/integrations/${t}`], ['GET', '/api/audit'],
    ]) {
      await expectError(await server.api(path!, { method: method! }), 401, 'unauthenticated');
    }
    await expectError(await server.api('/api/invitations/accept', { body: { token: 'x' } }), 401, 'unauthenticated');
  });
});

describe('invitations', () => {
  it('mails a link with a one-time token that the invited user accepts to join with the invited role', async () => {
    const alice = await server.signIn();
    const bob = await server.signIn();
    const team = await createTeam(alice);
    const response = await server.api(`/api/teams/${team.id}/invitations`, { token: alice.token, body: { email: bob.email.toUpperCase(), role: 'admin' } });
    expect(response.status).toBe(201);
    const invitation = (await response.json()) as Record<string, unknown>;
    expect(invitation).toMatchObject({ team_id: team.id, email: bob.email, role: 'admin', invited_by: alice.userId });
    expect(Object.keys(invitation)).not.toContain('token');
    const expiresIn = Date.parse(invitation.expires_at as string) - Date.parse(invitation.created_at as string);
    expect(expiresIn).toBe(7 * 24 * 3600 * 1000);

    const pending = await server.api(`/api/teams/${team.id}/invitations`, { token: alice.token });
    expect(((await pending.json()) as { data: unknown[] }).data).toEqual([invitation]);

    const token = await mailedToken(bob.email);
    expect(token.length).toBeGreaterThanOrEqual(43); // ≥ 256 random bits, base64url
    const [stored] = await sql<{ token_hash: Buffer }>('select token_hash from team_invitations where id = $1', [invitation.id]);
    expect(stored!.token_hash.toString('utf8')).not.toContain(token);

    const accepted = await server.api('/api/invitations/accept', { token: bob.token, body: { token } });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ id: team.id, role: 'admin' });
    expect((await members(alice, team.id)).map((m) => [m.email, m.role])).toContainEqual([bob.email, 'admin']);
    expect(published).toContain(`${team.id}:${bob.userId}`);

    // Single use, and no longer pending.
    await expectError(await server.api('/api/invitations/accept', { token: bob.token, body: { token } }), 404, 'not_found');
    const after = await server.api(`/api/teams/${team.id}/invitations`, { token: alice.token });
    expect(((await after.json()) as { data: unknown[] }).data).toEqual([]);
    expect(server.logs.lines.join('\n')).not.toContain(token);
  });

  it('the wrong user, an unknown token and a revoked invitation all answer the same 404 without details', async () => {
    const alice = await server.signIn();
    const bob = await server.signIn();
    const mallory = await server.signIn();
    const team = await createTeam(alice, 'Secret project');
    const created = await server.api(`/api/teams/${team.id}/invitations`, { token: alice.token, body: { email: bob.email } });
    const invitation = (await created.json()) as { id: string; role: string };
    expect(invitation.role).toBe('member');
    const token = await mailedToken(bob.email);

    const wrongUser = await expectError(await server.api('/api/invitations/accept', { token: mallory.token, body: { token } }), 404, 'not_found');
    const unknown = await expectError(await server.api('/api/invitations/accept', { token: bob.token, body: { token: `${token}x` } }), 404, 'not_found');
    expect(wrongUser).toEqual(unknown);
    expect(JSON.stringify(wrongUser)).not.toContain('Secret project');

    expect((await server.api(`/api/teams/${team.id}/invitations/${invitation.id}`, { token: alice.token, method: 'DELETE' })).status).toBe(204);
    await expectError(await server.api('/api/invitations/accept', { token: bob.token, body: { token } }), 404, 'not_found');
    await expectError(await server.api(`/api/teams/${team.id}/invitations/${invitation.id}`, { token: alice.token, method: 'DELETE' }), 404, 'not_found');
    expect((await members(alice, team.id)).map((m) => m.user_id)).toEqual([alice.userId]);
  });

  it('an expired invitation cannot be accepted', async () => {
    const alice = await server.signIn();
    const bob = await server.signIn();
    const team = await createTeam(alice);
    const created = await server.api(`/api/teams/${team.id}/invitations`, { token: alice.token, body: { email: bob.email } });
    const { id } = (await created.json()) as { id: string };
    const token = await mailedToken(bob.email);
    await sql("update team_invitations set expires_at = now() - interval '1 second' where id = $1", [id]);
    await expectError(await server.api('/api/invitations/accept', { token: bob.token, body: { token } }), 404, 'not_found');
  });

  it('inviting someone who is already a member answers 409 conflict, storing nothing', async () => {
    const alice = await server.signIn();
    const bob = await server.signIn();
    const team = await createTeam(alice);
    await inviteAndJoin(alice, team, bob);
    for (const email of [bob.email, alice.email.toUpperCase()]) {
      await expectError(await server.api(`/api/teams/${team.id}/invitations`, { token: alice.token, body: { email } }), 409, 'conflict', 'email');
    }
    expect(await sql('select id from team_invitations where team_id = $1 and accepted_at is null', [team.id])).toEqual([]);
  });

  it('when the mail cannot be sent the invitation is undone: 503 mail_unavailable, nothing stored', async () => {
    const noMail = await startTestServer({ ...NO_IP_LIMITS, SMTP_URL: 'smtp://127.0.0.1:9', PUBLIC_URL });
    try {
      const alice = await noMail.signIn();
      const created = await noMail.api('/api/teams', { token: alice.token, body: { name: 'T' } });
      const team = (await created.json()) as Team;
      const response = await noMail.api(`/api/teams/${team.id}/invitations`, { token: alice.token, body: { email: 'bob@example.com' } });
      expect(response.status).toBe(503);
      expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'mail_unavailable', source: 'platform' });
      const pending = await noMail.api(`/api/teams/${team.id}/invitations`, { token: alice.token });
      expect(await pending.json()).toEqual({ data: [], next_cursor: null });
      const client = new pg.Client({ connectionString: noMail.database.url });
      await client.connect();
      const audit = await client.query("select id from audit_events where action = 'invitation.created'");
      await client.end();
      expect(audit.rows).toEqual([]);
    } finally {
      await noMail.close();
    }
  });

  it('validates the invitation body: email and role (owners may invite owners since issue 7: test/app/teams-web.test.ts)', async () => {
    const alice = await server.signIn();
    const team = await createTeam(alice);
    const path = `/api/teams/${team.id}/invitations`;
    await expectError(await server.api(path, { token: alice.token, body: { email: 'not-an-address' } }), 400, 'invalid_request', 'email');
    await expectError(await server.api(path, { token: alice.token, body: { email: 'a@b.example', role: 'superuser' } }), 400, 'invalid_request', 'role');
    expect(await sql('select id from team_invitations where team_id = $1', [team.id])).toEqual([]);
  });
});

describe('roles', () => {
  it('members read but cannot manage; admins manage members only; owners manage everyone', async () => {
    const owner = await server.signIn();
    const admin = await server.signIn();
    const member = await server.signIn();
    const other = await server.signIn();
    const team = await createTeam(owner);
    await inviteAndJoin(owner, team, admin, 'admin');
    await inviteAndJoin(owner, team, member, 'member');
    const base = `/api/teams/${team.id}`;

    // A member can see the team and its members, nothing more.
    expect((await server.api(base, { token: member.token })).status).toBe(200);
    expect((await members(member, team.id)).length).toBe(3);
    await expectError(await server.api(base, { token: member.token, method: 'PATCH', body: { name: 'x' } }), 403, 'forbidden');
    await expectError(await server.api(`${base}/invitations`, { token: member.token, body: { email: other.email } }), 403, 'forbidden');
    await expectError(await server.api(`${base}/invitations`, { token: member.token }), 403, 'forbidden');
    await expectError(await server.api(`${base}/members/${admin.userId}`, { token: member.token, method: 'DELETE' }), 403, 'forbidden');
    await expectError(await server.api(base, { token: member.token, method: 'DELETE' }), 403, 'forbidden');

    // An admin renames, invites members, but cannot touch the owner, promote, or invite admins.
    const renamed = await server.api(base, { token: admin.token, method: 'PATCH', body: { name: 'Renamed' } });
    expect(await renamed.json()).toMatchObject({ name: 'Renamed', role: 'admin' });
    await expectError(await server.api(`${base}/invitations`, { token: admin.token, body: { email: other.email, role: 'admin' } }), 403, 'forbidden');
    await expectError(await server.api(`${base}/members/${member.userId}`, { token: admin.token, method: 'PATCH', body: { role: 'admin' } }), 403, 'forbidden');
    await expectError(await server.api(`${base}/members/${owner.userId}`, { token: admin.token, method: 'PATCH', body: { role: 'member' } }), 403, 'forbidden');
    await expectError(await server.api(`${base}/members/${owner.userId}`, { token: admin.token, method: 'DELETE' }), 403, 'forbidden');
    await expectError(await server.api(base, { token: admin.token, method: 'DELETE' }), 403, 'forbidden');

    // The owner promotes and demotes.
    const promoted = await server.api(`${base}/members/${member.userId}`, { token: owner.token, method: 'PATCH', body: { role: 'owner' } });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ user_id: member.userId, email: member.email, role: 'owner' });
    expect(published).toContain(`${team.id}:${member.userId}`);
    await expectError(await server.api(`${base}/members/${member.userId}`, { token: owner.token, method: 'PATCH', body: { role: 'boss' } }), 400, 'invalid_request', 'role');
    await expectError(await server.api(`${base}/members/${other.userId}`, { token: owner.token, method: 'PATCH', body: { role: 'admin' } }), 404, 'not_found');
  });

  it('the last owner cannot leave, be demoted or removed (409 last_owner); with a second owner they can', async () => {
    const owner = await server.signIn();
    const admin = await server.signIn();
    const team = await createTeam(owner);
    await inviteAndJoin(owner, team, admin, 'admin');
    const base = `/api/teams/${team.id}/members`;

    const error = await expectError(await server.api(`${base}/${owner.userId}`, { token: owner.token, method: 'DELETE' }), 409, 'last_owner');
    expect(error.message).toMatch(/last owner/);
    await expectError(await server.api(`${base}/${owner.userId}`, { token: owner.token, method: 'PATCH', body: { role: 'admin' } }), 409, 'last_owner');

    expect((await server.api(`${base}/${admin.userId}`, { token: owner.token, method: 'PATCH', body: { role: 'owner' } })).status).toBe(200);
    expect((await server.api(`${base}/${owner.userId}`, { token: owner.token, method: 'DELETE' })).status).toBe(204);
    // Gone: the team is now invisible to the one who left.
    await expectError(await server.api(`/api/teams/${team.id}`, { token: owner.token }), 404, 'not_found');
    expect(await (await server.api('/api/teams', { token: owner.token })).json()).toEqual({ data: [], next_cursor: null });
    await expectError(await server.api(`${base}/${admin.userId}`, { token: admin.token, method: 'DELETE' }), 409, 'last_owner');
  });

  it('members leave; admins remove members; owners delete the team (members lose access)', async () => {
    const owner = await server.signIn();
    const admin = await server.signIn();
    const m1 = await server.signIn();
    const m2 = await server.signIn();
    const team = await createTeam(owner);
    for (const [user, role] of [[admin, 'admin'], [m1, 'member'], [m2, 'member']] as const) await inviteAndJoin(owner, team, user, role);
    const base = `/api/teams/${team.id}`;

    expect((await server.api(`${base}/members/${m1.userId}`, { token: m1.token, method: 'DELETE' })).status).toBe(204);
    expect((await server.api(`${base}/members/${m2.userId}`, { token: admin.token, method: 'DELETE' })).status).toBe(204);
    await expectError(await server.api(base, { token: m1.token }), 404, 'not_found');
    await expectError(await server.api(base, { token: m2.token }), 404, 'not_found');
    expect(published).toEqual(expect.arrayContaining([`${team.id}:${m1.userId}`, `${team.id}:${m2.userId}`]));

    expect((await server.api(base, { token: owner.token, method: 'DELETE' })).status).toBe(204);
    await expectError(await server.api(base, { token: admin.token }), 404, 'not_found');
    await expectError(await server.api(base, { token: owner.token }), 404, 'not_found');
  });

  it('roleOf reports the role in an enabled team, nothing for a disabled user or once the team is disabled', async () => {
    const owner = await server.signIn();
    const bob = await server.signIn();
    const team = await createTeam(owner);
    await inviteAndJoin(owner, team, bob, 'member');
    const { teams } = server.running.services;
    expect(await teams.roleOf(team.id, owner.userId)).toBe('owner');
    expect(await teams.roleOf(team.id, bob.userId)).toBe('member');
    expect(await teams.roleOf(team.id, (await server.signIn()).userId)).toBeUndefined();
    await sql('update users set disabled_at = now() where id = $1', [bob.userId]);
    expect(await teams.roleOf(team.id, bob.userId)).toBeUndefined();
    await sql('update teams set disabled_at = now() where id = $1', [team.id]);
    expect(await teams.roleOf(team.id, owner.userId)).toBeUndefined();
  });
});

describe('isolation and ids', () => {
  it('a non-member gets 404 with no data on every team route, exactly like an unknown team', async () => {
    const owner = await server.signIn();
    const stranger = await server.signIn();
    const team = await createTeam(owner, 'Private name');
    const invited = await server.api(`/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: 'x@example.com' } });
    const { id: invitationId } = (await invited.json()) as { id: string };
    const routes = (teamId: string): Array<[string, string, unknown?]> => [
      ['GET', `/api/teams/${teamId}`],
      ['PATCH', `/api/teams/${teamId}`, { name: 'pwned' }],
      ['DELETE', `/api/teams/${teamId}`],
      ['GET', `/api/teams/${teamId}/members`],
      ['PATCH', `/api/teams/${teamId}/members/${owner.userId}`, { role: 'member' }],
      ['DELETE', `/api/teams/${teamId}/members/${owner.userId}`],
      ['DELETE', `/api/teams/${teamId}/members/${stranger.userId}`],
      ['GET', `/api/teams/${teamId}/invitations`],
      ['POST', `/api/teams/${teamId}/invitations`, { email: stranger.email }],
      ['DELETE', `/api/teams/${teamId}/invitations/${invitationId}`],
      ['GET', `/api/teams/${teamId}/integrations`],
      ['POST', `/api/teams/${teamId}/integrations`, { service: 'openai', api_key: 'sk-x-1234' }],
      ['GET', `/api/audit?team_id=${teamId}`],
    ];
    const real = routes(team.id);
    const unknown = routes(UNKNOWN_TEAM);
    for (const [index, [method, path, body]] of real.entries()) {
      const response = await server.api(path, { token: stranger.token, method, ...(body ? { body } : {}) });
      const text = await response.text();
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(text).not.toContain('Private name');
      const [, unknownPath, unknownBody] = unknown[index]!;
      const other = await server.api(unknownPath, { token: stranger.token, method, ...(unknownBody ? { body: unknownBody } : {}) });
      expect(other.status).toBe(404);
      expect(JSON.parse(text)).toEqual(await other.json());
    }
    // Nothing changed.
    expect(await (await server.api(`/api/teams/${team.id}`, { token: owner.token })).json()).toEqual({ ...team, member_count: 1, month_spend_micros: 0 });
    expect((await members(owner, team.id)).length).toBe(1);
  });

  it.each([
    ['GET', '/api/teams/not-a-ulid', 'teamId'],
    ['GET', '/api/teams/01JZZZZZZZZZZZZZZZZZZZZZZ/members', 'teamId'],
    ['PATCH', '/api/teams/01JZZZZZZZZZZZZZZZZZZZZZZU', 'teamId'],
    ['DELETE', `/api/teams/${UNKNOWN_TEAM}/members/bob`, 'userId'],
    ['DELETE', `/api/teams/${UNKNOWN_TEAM}/invitations/1`, 'id'],
    ['GET', '/api/teams/abc/integrations', 'teamId'],
    ['GET', '/api/audit?team_id=abc', 'team_id'],
  ])('%s %s (malformed id) → 400 invalid_request with param %s', async (method, path, param) => {
    const alice = await server.signIn();
    const body = method === 'PATCH' ? { name: 'x' } : undefined;
    await expectError(await server.api(path, { token: alice.token, method, ...(body ? { body } : {}) }), 400, 'invalid_request', param);
  });

  it('every team route is in the OpenAPI document', async () => {
    const doc = (await (await server.api('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of ['/api/teams', '/api/teams/{teamId}', '/api/teams/{teamId}/members', '/api/teams/{teamId}/members/{userId}',
      '/api/teams/{teamId}/invitations', '/api/teams/{teamId}/invitations/{id}', '/api/invitations/accept']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});
