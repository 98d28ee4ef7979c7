/**
 * What the Teams pages need from the server (issue 7, WEBAPP.md §6.4 "Teams"): the Teams table's
 * member count and month spend in the list (and the team), members' last activity, resending an
 * invitation (a new link; the old one stops working), and the invitation page's lookup and decline
 * — which, like accept, answer the one 404 to anyone but the invited user, and never log the token.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { queryRows } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const NO_IP_LIMITS = { SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0', SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0' };
const PUBLIC_URL = 'https://switchboard.example';

interface TeamSummary {
  id: string;
  name: string;
  role: string;
  member_count: number;
  month_spend_micros: number;
}
type User = Awaited<ReturnType<TestServer['signIn']>>;

let server: TestServer;
let smtp: SmtpCapture;
const tokens: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ ...NO_IP_LIMITS, SMTP_URL: smtp.url, PUBLIC_URL });
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => queryRows<T>(server.database.url, text, values);

async function json<T>(response: Response, status: number): Promise<T> {
  expect(response.status, await response.clone().text()).toBe(status);
  return (status === 204 ? undefined : await response.json()) as T;
}

async function errorCode(response: Response, status: number): Promise<string> {
  return (await json<{ error: { code: string } }>(response, status)).error.code;
}

async function createTeam(user: User, name: string): Promise<TeamSummary> {
  return json<TeamSummary>(await server.api('/api/teams', { token: user.token, body: { name } }), 201);
}

async function invite(owner: User, teamId: string, email: string): Promise<{ id: string; token: string }> {
  const invitation = await json<{ id: string }>(await server.api(`/api/teams/${teamId}/invitations`, { token: owner.token, body: { email, role: 'member' } }), 201);
  return { id: invitation.id, token: await mailedToken(email) };
}

async function mailedToken(email: string): Promise<string> {
  const mail = await smtp.nextTo(email);
  const link = /\/invitations\/accept\?token=([A-Za-z0-9_-]+)/.exec(mail.text);
  expect(link, mail.text).not.toBeNull();
  tokens.push(link![1]!);
  return link![1]!;
}

/** A rollup row of settled spend for a team (what the usage writer upserts with each batch). */
async function spend(userId: string, teamId: string, at: Date, costMicros: number) {
  await sql(
    `insert into usage_hourly (user_id, team_id, bucket_start, service, model, status_class, fallback, requests, errors,
       input_tokens, output_tokens, cost_micros, unpriced_requests, estimated_requests, latency_sum_ms, latency_hist, ttft_hist)
     values ($1, $2, $3, 'openai', 'gpt-4o-mini', '2xx', false, 1, 0, 10, 10, $4, 0, 0, 100, 0, 0)`,
    [userId, teamId, at.toISOString(), costMicros],
  );
}

describe('the Teams table', () => {
  it('lists each team with your role, its member count and its spend this month, in one answer', async () => {
    const owner = await server.signIn();
    const member = await server.signIn();
    const research = await createTeam(owner, 'Research');
    const ops = await createTeam(owner, 'Ops');
    const { token } = await invite(owner, research.id, member.email);
    await json(await server.api('/api/invitations/accept', { token: member.token, body: { token } }), 200);

    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    await spend(owner.userId, research.id, monthStart, 1_250_000);
    await spend(member.userId, research.id, new Date(now.getTime() - 60_000), 500_000);
    await spend(owner.userId, research.id, new Date(monthStart.getTime() - 15 * 60_000), 9_000_000); // last month
    await spend(owner.userId, ops.id, monthStart, 42);

    const list = await json<{ data: TeamSummary[] }>(await server.api('/api/teams', { token: owner.token }), 200);
    const byName = Object.fromEntries(list.data.map((team) => [team.name, team]));
    expect(byName.Research).toMatchObject({ role: 'owner', member_count: 2, month_spend_micros: 1_750_000 });
    expect(byName.Ops).toMatchObject({ role: 'owner', member_count: 1, month_spend_micros: 42 });

    const asMember = await json<{ data: TeamSummary[] }>(await server.api('/api/teams', { token: member.token }), 200);
    expect(asMember.data).toHaveLength(1);
    expect(asMember.data[0]).toMatchObject({ name: 'Research', role: 'member', member_count: 2, month_spend_micros: 1_750_000 });
    expect(await json<TeamSummary>(await server.api(`/api/teams/${research.id}`, { token: member.token }), 200)).toMatchObject({
      member_count: 2,
      month_spend_micros: 1_750_000,
    });
  });

  it('shows when each member was last active (their latest session use)', async () => {
    const owner = await server.signIn();
    const team = await createTeam(owner, 'Activity');
    await sql(`update sessions set last_used_at = '2026-01-02T03:04:05.678Z' where user_id = $1`, [owner.userId]);
    const page = await json<{ data: Array<{ user_id: string; last_active_at: string | null }> }>(
      await server.api(`/api/teams/${team.id}/members`, { token: owner.token }),
      200,
    );
    expect(page.data).toEqual([expect.objectContaining({ user_id: owner.userId, last_active_at: '2026-01-02T03:04:05.678Z' })]);
  });
});

describe('resending an invitation', () => {
  it('mails a new link with a new expiry; the old link stops working', async () => {
    const owner = await server.signIn();
    const invitee = await server.signIn();
    const team = await createTeam(owner, 'Resend');
    const first = await invite(owner, team.id, invitee.email);
    await sql(`update team_invitations set expires_at = now() + interval '1 hour' where id = $1`, [first.id]);

    const resent = await json<{ id: string; expires_at: string }>(await server.api(`/api/teams/${team.id}/invitations/${first.id}/resend`, { token: owner.token, body: {} }), 200);
    expect(resent.id).toBe(first.id);
    expect(new Date(resent.expires_at).getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
    expect(JSON.stringify(resent)).not.toMatch(/sbinv_/);
    const second = await mailedToken(invitee.email);
    expect(second).not.toBe(first.token);
    expect(await errorCode(await server.api('/api/invitations/accept', { token: invitee.token, body: { token: first.token } }), 404)).toBe('not_found');
    await json(await server.api('/api/invitations/accept', { token: invitee.token, body: { token: second } }), 200);

    const audit = await sql<{ action: string }>(`select action from audit_events where team_id = $1 and action like 'invitation.%' order by id`, [team.id]);
    expect(audit.map((row) => row.action)).toEqual(['invitation.created', 'invitation.resent']);
  });

  it('refuses a member (403), a stranger (404) and an invitation no longer pending (404)', async () => {
    const owner = await server.signIn();
    const member = await server.signIn();
    const stranger = await server.signIn();
    const team = await createTeam(owner, 'Resend rules');
    const joined = await invite(owner, team.id, member.email);
    await json(await server.api('/api/invitations/accept', { token: member.token, body: { token: joined.token } }), 200);
    const pending = await invite(owner, team.id, 'someone-else@example.com');
    const resend = (user: User, id: string) => server.api(`/api/teams/${team.id}/invitations/${id}/resend`, { token: user.token, body: {} });

    expect(await errorCode(await resend(member, pending.id), 403)).toBe('forbidden');
    expect(await errorCode(await resend(stranger, pending.id), 404)).toBe('not_found');
    expect(await errorCode(await resend(owner, joined.id), 404)).toBe('not_found');
    await json(await server.api(`/api/teams/${team.id}/invitations/${pending.id}`, { method: 'DELETE', token: owner.token }), 204);
    expect(await errorCode(await resend(owner, pending.id), 404)).toBe('not_found');
  });
});

describe('inviting an owner', () => {
  it('an owner may invite another owner; an admin may not (403)', async () => {
    const owner = await server.signIn();
    const admin = await server.signIn();
    const coOwner = await server.signIn();
    const team = await createTeam(owner, 'Co-owned');
    const adminInvite = await json<{ id: string }>(await server.api(`/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: admin.email, role: 'admin' } }), 201);
    expect(adminInvite.id).toBeTruthy();
    await json(await server.api('/api/invitations/accept', { token: admin.token, body: { token: await mailedToken(admin.email) } }), 200);

    expect(await errorCode(await server.api(`/api/teams/${team.id}/invitations`, { token: admin.token, body: { email: coOwner.email, role: 'owner' } }), 403)).toBe('forbidden');
    const invitation = await json<{ role: string }>(await server.api(`/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: coOwner.email, role: 'owner' } }), 201);
    expect(invitation.role).toBe('owner');
    const token = await mailedToken(coOwner.email);
    expect(await json<{ role: string }>(await server.api('/api/invitations/lookup', { token: coOwner.token, body: { token } }), 200)).toMatchObject({ role: 'owner' });
    expect(await json<{ role: string }>(await server.api('/api/invitations/accept', { token: coOwner.token, body: { token } }), 200)).toMatchObject({ role: 'owner' });
  });
});

describe('the invitation page: lookup and decline', () => {
  it('shows the invited user the team and role, and lets them decline (the link is then spent)', async () => {
    const owner = await server.signIn();
    const invitee = await server.signIn();
    const team = await createTeam(owner, 'Lookup');
    const { id, token } = await invite(owner, team.id, invitee.email);

    const preview = await json<Record<string, unknown>>(await server.api('/api/invitations/lookup', { token: invitee.token, body: { token } }), 200);
    expect(preview).toEqual({ team_id: team.id, team_name: 'Lookup', role: 'member', email: invitee.email, expires_at: expect.any(String) });

    await json(await server.api('/api/invitations/decline', { token: invitee.token, body: { token } }), 204);
    expect(await errorCode(await server.api('/api/invitations/lookup', { token: invitee.token, body: { token } }), 404)).toBe('not_found');
    expect(await errorCode(await server.api('/api/invitations/accept', { token: invitee.token, body: { token } }), 404)).toBe('not_found');
    expect(await errorCode(await server.api('/api/invitations/decline', { token: invitee.token, body: { token } }), 404)).toBe('not_found');
    const pending = await json<{ data: unknown[] }>(await server.api(`/api/teams/${team.id}/invitations`, { token: owner.token }), 200);
    expect(pending.data).toEqual([]);
    const audit = await sql<{ action: string; actor_user_id: string }>(`select action, actor_user_id from audit_events where target_id = $1 order by id`, [id]);
    expect(audit).toEqual([
      { action: 'invitation.created', actor_user_id: owner.userId },
      { action: 'invitation.declined', actor_user_id: invitee.userId },
    ]);
  });

  it('answers the same 404 to the wrong user, an unknown or expired token, and 401 when signed out', async () => {
    const owner = await server.signIn();
    const invitee = await server.signIn();
    const mallory = await server.signIn();
    const team = await createTeam(owner, 'Secret team name');
    const { id, token } = await invite(owner, team.id, invitee.email);

    for (const path of ['/api/invitations/lookup', '/api/invitations/decline']) {
      const wrongUser = await server.api(path, { token: mallory.token, body: { token } });
      expect(wrongUser.status).toBe(404);
      expect(await wrongUser.text()).not.toContain('Secret team name');
      expect(await errorCode(await server.api(path, { token: invitee.token, body: { token: `${token}x` } }), 404)).toBe('not_found');
      expect(await errorCode(await server.api(path, { body: { token } }), 401)).toBe('unauthenticated');
      expect(await errorCode(await server.api(path, { token: invitee.token, body: {} }), 400)).toBe('invalid_request');
    }
    await sql(`update team_invitations set expires_at = now() - interval '1 second' where id = $1`, [id]);
    expect(await errorCode(await server.api('/api/invitations/lookup', { token: invitee.token, body: { token } }), 404)).toBe('not_found');
    // Mallory's attempt to decline left it pending for the right person (until it expired).
    expect((await sql<{ revoked_at: Date | null }>(`select revoked_at from team_invitations where id = $1`, [id]))[0]?.revoked_at).toBeNull();
  });

  it('never logs an invitation token', () => {
    expect(tokens.length).toBeGreaterThan(3);
    const logs = server.logs.text();
    for (const token of tokens) expect(logs).not.toContain(token);
  });
});
