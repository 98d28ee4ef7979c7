/**
 * Issue 4, item 11 — isolation you can prove. Generated from the route table: every management
 * route whose path takes an id (today's and any added later) is called by a second user who owns
 * nothing and belongs to no team, with the owner's real ids and a valid body. Each call must answer
 * 404 without revealing anything, and the database must be exactly as it was afterwards.
 *
 * A new id-taking route fails this test until it is given an entry in `ROUTES` below: coverage
 * cannot silently fall behind the API.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

interface Fixture {
  owner: { token: string; userId: string; email: string };
  member: { userId: string };
  sessionId: string;
  integrationId: string;
  keyId: string;
  teamId: string;
  teamIntegrationId: string;
  invitationId: string;
  budgetId: string;
  notificationId: string;
  usageId: string;
  /** Strings that must appear in no answer to the intruder. */
  secrets: string[];
}

/** How to fill each id-taking route: its parameters, and a valid body for writes. */
interface RouteCase {
  params(f: Fixture): Record<string, string>;
  body?: Record<string, unknown>;
  /**
   * Not 404: the path names a slot in the caller's own namespace (PUT /api/routes/{name} creates the
   * intruder's own route of that name); the owner's same-named route must stay untouched.
   */
  status?: number;
}

const team = (f: Fixture) => ({ teamId: f.teamId });

/** Keyed by `METHOD /api/path/{param}` exactly as /api/openapi.json lists them. */
const ROUTES: Record<string, RouteCase> = {
  'GET /api/integrations/{id}': { params: (f) => ({ id: f.integrationId }) },
  'PATCH /api/integrations/{id}': { params: (f) => ({ id: f.integrationId }), body: { name: 'hijacked' } },
  'DELETE /api/integrations/{id}': { params: (f) => ({ id: f.integrationId }) },
  'POST /api/integrations/{id}/test': { params: (f) => ({ id: f.integrationId }) },
  'POST /api/integrations/{id}/disable': { params: (f) => ({ id: f.integrationId }), body: { reason: 'hijacked' } },
  'POST /api/integrations/{id}/enable': { params: (f) => ({ id: f.integrationId }) },
  'GET /api/keys/{id}': { params: (f) => ({ id: f.keyId }) },
  'POST /api/keys/{id}/roll': { params: (f) => ({ id: f.keyId }), body: { revoke_old_in: 0 } },
  'GET /api/usage/{id}': { params: (f) => ({ id: f.usageId }) },
  'DELETE /api/keys/{id}': { params: (f) => ({ id: f.keyId }) },
  'DELETE /api/me/sessions/{id}': { params: (f) => ({ id: f.sessionId }) },
  'GET /api/teams/{teamId}': { params: team },
  'PATCH /api/teams/{teamId}': { params: team, body: { name: 'hijacked' } },
  'DELETE /api/teams/{teamId}': { params: team },
  'GET /api/teams/{teamId}/members': { params: team },
  'PATCH /api/teams/{teamId}/members/{userId}': { params: (f) => ({ ...team(f), userId: f.member.userId }), body: { role: 'admin' } },
  'DELETE /api/teams/{teamId}/members/{userId}': { params: (f) => ({ ...team(f), userId: f.member.userId }) },
  'GET /api/teams/{teamId}/invitations': { params: team },
  'POST /api/teams/{teamId}/invitations': { params: team, body: { email: 'intruder-invite@example.com', role: 'member' } },
  'DELETE /api/teams/{teamId}/invitations/{id}': { params: (f) => ({ ...team(f), id: f.invitationId }) },
  'POST /api/teams/{teamId}/invitations/{id}/resend': { params: (f) => ({ ...team(f), id: f.invitationId }) },
  'GET /api/teams/{teamId}/integrations': { params: team },
  'POST /api/teams/{teamId}/integrations': { params: team, body: { service: 'openai', api_key: 'sk-intruder-planted-key-000000000000' } },
  'GET /api/teams/{teamId}/integrations/{id}': { params: (f) => ({ ...team(f), id: f.teamIntegrationId }) },
  'PATCH /api/teams/{teamId}/integrations/{id}': { params: (f) => ({ ...team(f), id: f.teamIntegrationId }), body: { name: 'hijacked' } },
  'DELETE /api/teams/{teamId}/integrations/{id}': { params: (f) => ({ ...team(f), id: f.teamIntegrationId }) },
  'POST /api/teams/{teamId}/integrations/{id}/test': { params: (f) => ({ ...team(f), id: f.teamIntegrationId }) },
  'POST /api/teams/{teamId}/integrations/{id}/disable': { params: (f) => ({ ...team(f), id: f.teamIntegrationId }), body: { reason: 'hijacked' } },
  'POST /api/teams/{teamId}/integrations/{id}/enable': { params: (f) => ({ ...team(f), id: f.teamIntegrationId }) },
  'POST /api/teams/{teamId}/integrations/test': { params: team, body: { service: 'openai', api_key: 'sk-intruder-unsaved-check-000000000' } },
  // Admin routes: a non-admin must not even learn that they exist.
  'POST /api/admin/users/{id}/disable': { params: (f) => ({ id: f.owner.userId }) },
  'POST /api/admin/users/{id}/enable': { params: (f) => ({ id: f.owner.userId }) },
  'POST /api/admin/users/{id}/make-admin': { params: (f) => ({ id: f.owner.userId }) },
  'POST /api/admin/users/{id}/remove-admin': { params: (f) => ({ id: f.owner.userId }) },
  'POST /api/admin/users/{id}/revoke-sessions': { params: (f) => ({ id: f.owner.userId }) },
  'POST /api/admin/users/{id}/resend-verification': { params: (f) => ({ id: f.owner.userId }) },
  'POST /api/admin/teams/{id}/disable': { params: (f) => ({ id: f.teamId }) },
  'POST /api/admin/teams/{id}/enable': { params: (f) => ({ id: f.teamId }) },
  'DELETE /api/admin/prices/{id}': { params: () => ({ id: '01JB8ZQ6Q3V8Y3J0K9QK7T1M2N' }) },
  'GET /api/integrations/{id}/health': { params: (f) => ({ id: f.integrationId }) },
  'GET /api/teams/{teamId}/integrations/{id}/health': { params: (f) => ({ ...team(f), id: f.teamIntegrationId }) },
  'GET /api/routes/{name}': { params: () => ({ name: 'owner-route' }) },
  'DELETE /api/routes/{name}': { params: () => ({ name: 'owner-route' }) },
  'PUT /api/routes/{name}': { params: () => ({ name: 'owner-route' }), body: { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }] }, status: 201 },
  'GET /api/teams/{teamId}/routes': { params: team },
  'GET /api/teams/{teamId}/routes/{name}': { params: (f) => ({ ...team(f), name: 'team-route' }) },
  'PUT /api/teams/{teamId}/routes/{name}': { params: (f) => ({ ...team(f), name: 'team-route' }), body: { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }] } },
  'DELETE /api/teams/{teamId}/routes/{name}': { params: (f) => ({ ...team(f), name: 'team-route' }) },
  'POST /api/teams/{teamId}/routes/preview': { params: team, body: { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }] } },
  'GET /api/budgets/{id}': { params: (f) => ({ id: f.budgetId }) },
  'DELETE /api/budgets/{id}': { params: (f) => ({ id: f.budgetId }) },
  'POST /api/notifications/{id}/read': { params: (f) => ({ id: f.notificationId }) },
  'POST /api/alerts/{id}/read': { params: (f) => ({ id: f.notificationId }) },
  'POST /api/budgets/{id}/test-alert': { params: (f) => ({ id: f.budgetId }) },
};

/** Tables a write could touch; audit and usage rows are append-only logs of their own. */
const TABLES = ['users', 'sessions', 'refresh_tokens', 'teams', 'memberships', 'team_invitations', 'integrations', 'data_keys', 'platform_keys', 'budgets', 'notifications'];

let server: TestServer;
let smtp: SmtpCapture;
let sql: pg.Client;
let fixture: Fixture;
let openapiPaths: Record<string, Record<string, unknown>>;

async function json<T>(response: Response, status: number): Promise<T> {
  expect(response.status, await response.clone().text()).toBe(status);
  return (await response.json()) as T;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ SMTP_URL: smtp.url });
  sql = new pg.Client({ connectionString: server.database.url });
  await sql.connect();

  const owner = await server.signIn();
  const member = await server.signIn();
  const memberLogin = member;
  const integration = await json<{ id: string; key_last4: string }>(
    await server.api('/api/integrations', { token: owner.token, body: { service: 'openai', name: 'owner personal', api_key: 'sk-owner-personal-key-0000000000Zz9' } }),
    201,
  );
  const key = await json<{ id: string; key: string }>(await server.api('/api/keys', { token: owner.token, body: { name: 'owner key' } }), 201);
  const createdTeam = await json<{ id: string; name: string }>(await server.api('/api/teams', { token: owner.token, body: { name: 'Owner Team Alpha' } }), 201);
  const teamIntegration = await json<{ id: string }>(
    await server.api(`/api/teams/${createdTeam.id}/integrations`, {
      token: owner.token,
      body: { service: 'openai', name: 'team secret', api_key: 'sk-owner-team-key-00000000000000Yy8' },
    }),
    201,
  );
  // The member joins through a real invitation.
  await json(await server.api(`/api/teams/${createdTeam.id}/invitations`, { token: owner.token, body: { email: member.email, role: 'member' } }), 201);
  const mail = await smtp.nextTo(member.email);
  const token = /invitations\/accept\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  expect(token).toBeDefined();
  await json(await server.api('/api/invitations/accept', { token: memberLogin.token, body: { token } }), 200);
  // Routes (virtual models), personal and the team's, pinned to the owner's integrations.
  await json(await server.api('/api/routes/owner-route', { method: 'PUT', token: owner.token, body: { strategy: 'cost', targets: [{ model: 'openai/gpt-4o', integration_id: integration.id }] } }), 201);
  await json(
    await server.api(`/api/teams/${createdTeam.id}/routes/team-route`, { method: 'PUT', token: owner.token, body: { strategy: 'cost', targets: [{ model: 'openai/gpt-4o', integration_id: teamIntegration.id }] } }),
    201,
  );
  // And one invitation stays pending.
  const invitation = await json<{ id: string }>(
    await server.api(`/api/teams/${createdTeam.id}/invitations`, { token: owner.token, body: { email: 'pending-person@example.com', role: 'admin' } }),
    201,
  );
  const sessions = await json<{ data: Array<{ id: string; current: boolean }> }>(await server.api('/api/me/sessions', { token: owner.token }), 200);
  const budget = await json<{ id: string }>(await server.api('/api/budgets', { method: 'PUT', token: owner.token, body: { scope: 'team', scope_id: createdTeam.id, limit_micros: 1_000_000 } }), 201);
  const notificationId = '01JB8ZQ6Q3V8Y3J0K9QK7T1M2P';
  const usageId = '01JB8ZQ6Q3V8Y3J0K9QK7T1U5G';
  await sql.query(
    "insert into usage_records (id, request_id, user_id, key_id, integration_id, service, model, operation, priced, status, latency_ms) values ($1, 'req-owner-isolation', $2, $3, $4, 'openai', 'gpt-4o', 'chat', false, 200, 12)",
    [usageId, owner.userId, key.id, integration.id],
  );
  await sql.query("insert into notifications (id, user_id, kind, title, body) values ($1, $2, 'budget.threshold', 'Owner Team Alpha alert', 'owner alert')", [notificationId, owner.userId]);

  fixture = {
    owner,
    member: { userId: member.userId },
    sessionId: sessions.data.find((session) => session.current)!.id,
    integrationId: integration.id,
    keyId: key.id,
    teamId: createdTeam.id,
    teamIntegrationId: teamIntegration.id,
    invitationId: invitation.id,
    budgetId: budget.id,
    notificationId,
    usageId,
    secrets: [owner.email, member.email, 'owner personal', 'team secret', 'Owner Team Alpha', 'owner key', 'pending-person@example.com', integration.key_last4, key.key],
  };
  openapiPaths = (await json<{ paths: Record<string, Record<string, unknown>> }>(await server.api('/api/openapi.json'), 200)).paths;
});

afterAll(async () => {
  await sql?.end();
  await server?.close();
  await smtp?.close();
});

/** Every id-taking route in the route table, as `METHOD /api/path`. */
function idRoutes(): string[] {
  return Object.entries(openapiPaths)
    .filter(([path]) => path.includes('{'))
    .flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path.startsWith('/api') ? path : `/api${path}`}`),
    )
    .sort();
}

async function snapshot(): Promise<string> {
  const tables: Record<string, unknown[]> = {};
  for (const table of TABLES) tables[table] = (await sql.query(`select * from ${table} order by 1`)).rows;
  return JSON.stringify(tables);
}

describe('tenant isolation, generated from the route table', () => {
  it('covers every id-taking route (a new route must be added to ROUTES)', () => {
    const routes = idRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(ROUTES).length);
    expect(routes.filter((route) => !(route in ROUTES)), 'id-taking routes without an isolation case').toEqual([]);
    expect(Object.keys(ROUTES).filter((route) => !routes.includes(route)), 'cases for routes that no longer exist').toEqual([]);
  });

  it('answers 404 with nothing revealed to a user who owns nothing, and changes nothing', async () => {
    const intruder = await server.signIn();
    const before = await snapshot();
    const failures: string[] = [];
    for (const route of idRoutes()) {
      const routeCase = ROUTES[route];
      if (!routeCase) continue;
      const [method, template] = route.split(' ') as [string, string];
      const params = routeCase.params(fixture);
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = params[name];
        if (value === undefined) throw new Error(`${route}: no value for {${name}}`);
        return value;
      });
      const response = await server.api(path, { method, token: intruder.token, ...(routeCase.body ? { body: routeCase.body } : {}) });
      const text = await response.text();
      if (response.status !== (routeCase.status ?? 404)) failures.push(`${route} → ${response.status} ${text.slice(0, 200)}`);
      const leaked = fixture.secrets.filter((secret) => text.includes(secret));
      if (leaked.length > 0) failures.push(`${route} revealed ${leaked.length} owner value(s)`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it('lets the owner reach the same resources (the ids are real, so the 404s above mean isolation)', async () => {
    const { owner } = fixture;
    expect((await server.api(`/api/integrations/${fixture.integrationId}`, { token: owner.token })).status).toBe(200);
    expect((await server.api(`/api/keys/${fixture.keyId}`, { token: owner.token })).status).toBe(200);
    expect((await server.api(`/api/budgets/${fixture.budgetId}`, { token: owner.token })).status).toBe(200);
    expect((await server.api(`/api/teams/${fixture.teamId}`, { token: owner.token })).status).toBe(200);
    expect((await server.api(`/api/teams/${fixture.teamId}/integrations/${fixture.teamIntegrationId}`, { token: owner.token })).status).toBe(200);
    const invitations = (await (await server.api(`/api/teams/${fixture.teamId}/invitations`, { token: owner.token })).json()) as { data: Array<{ id: string }> };
    expect(invitations.data.map((invitation) => invitation.id)).toContain(fixture.invitationId);
    const members = (await (await server.api(`/api/teams/${fixture.teamId}/members`, { token: owner.token })).json()) as { data: Array<{ user_id: string }> };
    expect(members.data.map((member) => member.user_id).sort()).toEqual([fixture.owner.userId, fixture.member.userId].sort());
    // The routes the intruder addressed are intact.
    expect(await (await server.api('/api/routes/owner-route', { token: owner.token })).json()).toMatchObject({ strategy: 'cost', targets: [{ model: 'openai/gpt-4o', integration_id: fixture.integrationId }] });
    expect(await (await server.api(`/api/teams/${fixture.teamId}/routes/team-route`, { token: owner.token })).json()).toMatchObject({ strategy: 'cost', targets: [{ model: 'openai/gpt-4o', integration_id: fixture.teamIntegrationId }] });
  });

  it('keeps lists scoped: the intruder’s lists hold none of the owner’s data', async () => {
    const intruder = await server.signIn();
    for (const path of ['/api/integrations', '/api/keys', '/api/teams', '/api/usage', '/api/audit', '/api/me/sessions', '/api/budgets', '/api/notifications']) {
      const response = await server.api(path, { token: intruder.token });
      expect(response.status, path).toBe(200);
      const text = await response.text();
      expect(fixture.secrets.filter((secret) => text.includes(secret)), path).toEqual([]);
      for (const id of [fixture.integrationId, fixture.keyId, fixture.teamId, fixture.teamIntegrationId, fixture.sessionId, fixture.budgetId, fixture.notificationId]) {
        expect(text, path).not.toContain(id);
      }
    }
  });
});
