/**
 * GET /api/audit (issue 4): your own actions, and a team's for its owners and admins, newest
 * first and paged; membership and integration changes carry before/after settings and never key
 * material or mailed tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const NO_IP_LIMITS = { SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0', SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0' };
const KEY_1 = 'sk-audit-test-key-one-00000000000000Au1q';
const KEY_2 = 'sk-audit-test-key-two-00000000000000Au2w';

interface AuditEvent {
  id: string;
  action: string;
  actor_user_id: string | null;
  team_id: string | null;
  target_kind: string | null;
  target_id: string | null;
  metadata: Record<string, unknown> | null;
  created_at: string;
}
interface Page {
  data: AuditEvent[];
  next_cursor: string | null;
}
type User = Awaited<ReturnType<TestServer['signIn']>>;

let server: TestServer;
let smtp: SmtpCapture;
const mailedTokens: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ ...NO_IP_LIMITS, SMTP_URL: smtp.url });
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

async function audit(user: User, query = ''): Promise<{ page: Page; text: string }> {
  const response = await server.api(`/api/audit${query}`, { token: user.token });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return { page: JSON.parse(text) as Page, text };
}

async function join(owner: User, teamId: string, user: User, role: 'admin' | 'member') {
  expect((await server.api(`/api/teams/${teamId}/invitations`, { token: owner.token, body: { email: user.email, role } })).status).toBe(201);
  const token = /token=([A-Za-z0-9_-]+)/.exec((await smtp.nextTo(user.email)).text)![1]!;
  mailedTokens.push(token);
  expect((await server.api('/api/invitations/accept', { token: user.token, body: { token } })).status).toBe(200);
}

describe('team audit', () => {
  let owner: User;
  let admin: User;
  let member: User;
  let teamId: string;

  beforeAll(async () => {
    owner = await server.signIn();
    admin = await server.signIn();
    member = await server.signIn();
    const created = await server.api('/api/teams', { token: owner.token, body: { name: 'Audited' } });
    teamId = ((await created.json()) as { id: string }).id;
    await join(owner, teamId, admin, 'admin');
    await join(owner, teamId, member, 'member');
    const base = `/api/teams/${teamId}`;
    expect((await server.api(`${base}/members/${member.userId}`, { token: owner.token, method: 'PATCH', body: { role: 'admin' } })).status).toBe(200);
    expect((await server.api(base, { token: admin.token, method: 'PATCH', body: { name: 'Audited 2' } })).status).toBe(200);
    const secret = await server.api(`${base}/integrations`, { token: owner.token, body: { service: 'openai', api_key: KEY_1, name: 'shared' } });
    const secretId = ((await secret.json()) as { id: string }).id;
    const patch = { api_key: KEY_2, monthly_quota: { limit_micros: 5_000_000 } };
    expect((await server.api(`${base}/integrations/${secretId}`, { token: admin.token, method: 'PATCH', body: patch })).status).toBe(200);
    expect((await server.api(`${base}/members/${member.userId}`, { token: member.token, method: 'DELETE' })).status).toBe(204);
  });

  it('owners and admins read the team’s events newest first, with before/after and no key material', async () => {
    for (const reader of [owner, admin]) {
      const { page, text } = await audit(reader, `?team_id=${teamId}`);
      expect(page.data.map((event) => event.action)).toEqual([
        'membership.left',
        'integration.key_replaced',
        'integration.created',
        'team.updated',
        'membership.role_changed',
        'membership.added',
        'invitation.created',
        'membership.added',
        'invitation.created',
        'membership.added',
        'team.created',
      ]);
      expect(page.data.every((event) => event.team_id === teamId)).toBe(true);
      const byAction = (action: string) => page.data.find((event) => event.action === action)!;
      expect(byAction('membership.left')).toMatchObject({ actor_user_id: member.userId, target_id: member.userId, metadata: { before: { role: 'admin' } } });
      expect(byAction('membership.role_changed')).toMatchObject({
        actor_user_id: owner.userId,
        target_kind: 'membership',
        target_id: member.userId,
        metadata: { before: { role: 'member' }, after: { role: 'admin' } },
      });
      expect(byAction('team.updated').metadata).toEqual({ before: { name: 'Audited' }, after: { name: 'Audited 2' } });
      expect(byAction('integration.key_replaced')).toMatchObject({
        actor_user_id: admin.userId,
        metadata: {
          key_replaced: true,
          before: { name: 'shared', monthly_quota: null },
          after: { name: 'shared', monthly_quota: { limit_micros: 5_000_000 } },
        },
      });
      expect(page.data.filter((event) => event.action === 'membership.added').map((event) => event.metadata?.after)).toEqual([
        { role: 'member' },
        { role: 'admin' },
        { role: 'owner' },
      ]);
      for (const secret of [KEY_1, KEY_2, KEY_1.slice(-4), KEY_2.slice(-4), ...mailedTokens]) expect(text).not.toContain(secret);
    }
  });

  it('pages with limit and cursor', async () => {
    const all = (await audit(owner, `?team_id=${teamId}`)).page.data.map((event) => event.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?team_id=${teamId}&limit=4${cursor ? `&cursor=${cursor}` : ''}`;
      const { page } = await audit(owner, query);
      expect(page.data.length).toBeLessThanOrEqual(4);
      seen.push(...page.data.map((event) => event.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(all).toEqual([...all].sort().reverse());
  });

  it('a member gets 403; a non-member and an unknown team 404; a malformed team id 400', async () => {
    const plain = await server.signIn();
    await join(owner, teamId, plain, 'member');
    const forbidden = await server.api(`/api/audit?team_id=${teamId}`, { token: plain.token });
    expect(forbidden.status).toBe(403);
    const stranger = await server.signIn();
    const hidden = await server.api(`/api/audit?team_id=${teamId}`, { token: stranger.token });
    const unknown = await server.api('/api/audit?team_id=01JZZZZZZZZZZZZZZZZZZZZZZZ', { token: stranger.token });
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toEqual(await unknown.json());
    const malformed = await server.api('/api/audit?team_id=nope', { token: owner.token });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { param: string } }).error.param).toBe('team_id');
    expect((await server.api('/api/audit')).status).toBe(401);
  });

  it('without team_id you see only your own actions, personal and team alike', async () => {
    const { page } = await audit(admin);
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data.every((event) => event.actor_user_id === admin.userId)).toBe(true);
    expect(page.data.map((event) => event.action)).toEqual(expect.arrayContaining(['integration.key_replaced', 'team.updated', 'auth.login']));
    const { page: mine } = await audit(member);
    expect(mine.data.every((event) => event.actor_user_id === member.userId)).toBe(true);
    expect(mine.data.map((event) => event.action)).toContain('membership.left');
    expect(mine.data.map((event) => event.action)).not.toContain('integration.key_replaced');
  });

  it('no key or mailed token appears in any log line', () => {
    const logs = server.logs.lines.join('\n');
    for (const secret of [KEY_1, KEY_2, ...mailedTokens]) expect(logs).not.toContain(secret);
  });
});
