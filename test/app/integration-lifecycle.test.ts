/**
 * Issue 7 (lifecycle slice): an integration can be disabled and re-enabled. A disabled integration
 * keeps its key but the gateway skips it: another of the caller's keys serves, a route falls over
 * to its next target, and when it was the only key the call fails with `integration_disabled`
 * (source user) naming it. Lists, detail and the live `integration.status` event say "disabled"
 * with the reason. Personal integrations: their owner; team secrets: owners and admins only.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openAIAnswer, startFakeOpenAI } from '../fakes/openai.js';
import { openEvents } from '../helpers/sse-reader.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const FIRST_KEY = 'sk-lifecycle-first-key-00000000000001';
const SECOND_KEY = 'sk-lifecycle-second-key-0000000000002';

interface IntegrationBody {
  id: string;
  health: string;
  status: string;
  disabled_at: string | null;
  disabled_reason: string | null;
}

let server: TestServer;
let fake: FakeProvider;
let sql: pg.Client;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [FIRST_KEY, SECOND_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl });
  sql = new pg.Client({ connectionString: server.database.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await server?.close();
  await fake?.close();
});

const chat = (token: string, model = 'openai/gpt-4o-mini', headers?: Record<string, string>) =>
  server.api('/v1/chat/completions', { token, body: { model, messages: [{ role: 'user', content: 'hi' }] }, ...(headers ? { headers } : {}) });

async function addIntegration(token: string, apiKey: string, name: string): Promise<string> {
  const response = await server.api('/api/integrations', { token, body: { service: 'openai', api_key: apiKey, name } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const post = (path: string, token: string, body?: unknown) => server.api(path, { token, method: 'POST', ...(body === undefined ? {} : { body }) });

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; source: string; message: string; param: string | null } }).error;
}

describe('disabling a personal integration', () => {
  it('skips it for requests, says why when it was the only key, and serves again once re-enabled', async () => {
    const user = await server.signIn();
    const first = await addIntegration(user.token, FIRST_KEY, 'primary');
    const second = await addIntegration(user.token, SECOND_KEY, 'backup');
    const served = await chat(user.token);
    expect(served.headers.get('x-switchboard-integration')).toBe(first);

    const disabled = await post(`/api/integrations/${first}/disable`, user.token, { reason: 'Rotating this key at the provider.' });
    expect(disabled.status).toBe(200);
    expect((await disabled.json()) as IntegrationBody).toMatchObject({ id: first, health: 'disabled', status: 'active', disabled_reason: 'Rotating this key at the provider.' });

    // The other key serves now, with no wait (the cache was dropped).
    const fallback = await chat(user.token);
    expect(fallback.status).toBe(200);
    expect(fallback.headers.get('x-switchboard-integration')).toBe(second);
    expect(((await fallback.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(openAIAnswer(2));

    // With both disabled, the call names the disabled integration and the way back, and
    // /v1/models no longer offers the service.
    const openaiListed = async () => ((await (await server.api('/v1/models', { token: user.token })).json()) as { data: Array<{ owned_by: string }> }).data.some((model) => model.owned_by === 'openai');
    expect(await openaiListed()).toBe(true);
    expect((await post(`/api/integrations/${second}/disable`, user.token)).status).toBe(200);
    expect(await openaiListed()).toBe(false);
    const before = fake.requests.length;
    const refused = await chat(user.token);
    expect(refused.status).toBe(400);
    const error = await errorOf(refused);
    expect(error).toMatchObject({ code: 'integration_disabled', source: 'user' });
    expect(error.message).toContain(`"primary" (${first}) is disabled: Rotating this key at the provider.`);
    expect(error.message).toContain(`POST /api/integrations/${first}/enable`);
    expect(fake.requests.length).toBe(before);

    const list = (await (await server.api('/api/integrations', { token: user.token })).json()) as { data: IntegrationBody[] };
    const byId = new Map(list.data.map((row) => [row.id, row]));
    expect(byId.get(first)).toMatchObject({ health: 'disabled', disabled_reason: 'Rotating this key at the provider.' });
    expect(byId.get(second)).toMatchObject({ health: 'disabled', disabled_reason: 'Disabled manually.' });
    expect(byId.get(second)?.disabled_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const enabled = await post(`/api/integrations/${first}/enable`, user.token);
    expect(enabled.status).toBe(200);
    expect((await enabled.json()) as IntegrationBody).toMatchObject({ id: first, disabled_at: null, disabled_reason: null });
    expect((await chat(user.token)).headers.get('x-switchboard-integration')).toBe(first);
    expect(await openaiListed()).toBe(true);
  });

  it('is idempotent and audited once per change, with the reason', async () => {
    const user = await server.signIn();
    const id = await addIntegration(user.token, FIRST_KEY, 'audited');
    const once = (await (await post(`/api/integrations/${id}/disable`, user.token, { reason: 'First reason.' })).json()) as IntegrationBody;
    const twice = (await (await post(`/api/integrations/${id}/disable`, user.token, { reason: 'Second reason.' })).json()) as IntegrationBody;
    expect(twice).toMatchObject({ disabled_at: once.disabled_at, disabled_reason: 'First reason.' });
    expect((await post(`/api/integrations/${id}/enable`, user.token)).status).toBe(200);
    expect((await post(`/api/integrations/${id}/enable`, user.token)).status).toBe(200);
    const events = await sql.query<{ action: string; metadata: Record<string, unknown> | null; actor_user_id: string }>(
      'select action, metadata, actor_user_id from audit_events where target_id = $1 order by id',
      [id],
    );
    expect(events.rows.map((row) => row.action)).toEqual(['integration.created', 'integration.disabled', 'integration.enabled']);
    expect(events.rows[1]).toMatchObject({ actor_user_id: user.userId, metadata: { reason: 'First reason.' } });
    expect(JSON.stringify(events.rows)).not.toContain(FIRST_KEY);
  });

  it('answers 404 for someone else’s integration and 400 for a bad body, changing nothing', async () => {
    const owner = await server.signIn();
    const stranger = await server.signIn();
    const id = await addIntegration(owner.token, FIRST_KEY, 'mine');
    for (const action of ['disable', 'enable']) {
      const response = await post(`/api/integrations/${id}/${action}`, stranger.token);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('mine');
    }
    for (const body of [{ reason: 'x'.repeat(501) }, { reason: 42 }, { disabled: true }]) {
      const response = await post(`/api/integrations/${id}/disable`, owner.token, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(response)).code).toBe('invalid_request');
    }
    const stored = await sql.query('select disabled_at from integrations where id = $1', [id]);
    expect(stored.rows[0].disabled_at).toBeNull();
    expect((await chat(owner.token)).status).toBe(200);
  });

  it('sends integration.status "disabled" with the reason, then the live status again', async () => {
    const user = await server.signIn();
    const stranger = await server.signIn();
    const id = await addIntegration(user.token, FIRST_KEY, 'live');
    const stream = await openEvents(server.url, user.token);
    const theirs = await openEvents(server.url, stranger.token);
    try {
      expect((await post(`/api/integrations/${id}/disable`, user.token, { reason: 'Paused by me.' })).status).toBe(200);
      const disabled = await stream.waitFor((e) => e.event === 'integration.status' && (e.data as { status: string }).status === 'disabled');
      expect(disabled.data).toMatchObject({ id, status: 'disabled', disabled_reason: 'Paused by me.' });
      expect((await post(`/api/integrations/${id}/enable`, user.token)).status).toBe(200);
      const back = await stream.waitFor((e) => e.event === 'integration.status' && (e.data as { id: string; status: string }).id === id && (e.data as { status: string }).status !== 'disabled');
      expect(back.data).not.toHaveProperty('disabled_reason');
      expect(theirs.events.filter((e) => e.event === 'integration.status')).toEqual([]);
    } finally {
      stream.close();
      theirs.close();
    }
  });
});

describe('routes and team secrets', () => {
  it('falls over from a route target pinned to a disabled integration to the next target', async () => {
    const user = await server.signIn();
    const first = await addIntegration(user.token, FIRST_KEY, 'pinned');
    const second = await addIntegration(user.token, SECOND_KEY, 'spare');
    const put = await server.api('/api/routes/steady', {
      token: user.token,
      method: 'PUT',
      body: { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini', integration_id: first }, { model: 'openai/gpt-4o', integration_id: second }] },
    });
    expect(put.status).toBeLessThan(300);
    expect((await chat(user.token, 'steady')).headers.get('x-switchboard-integration')).toBe(first);

    expect((await post(`/api/integrations/${first}/disable`, user.token)).status).toBe(200);
    const response = await chat(user.token, 'steady');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchboard-integration')).toBe(second);
    expect(response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o');
    const preview = await post('/api/routes/preview', user.token, { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini', integration_id: first }] });
    expect(((await preview.json()) as { candidates: unknown[] }).candidates).toEqual([
      { model: 'openai/gpt-4o-mini', integration_id: first, breaker: 'closed', skipped: true, reason: 'integration_disabled' },
    ]);

    // Pinned to the disabled one alone: the error names it.
    await server.api('/api/routes/only-first', { token: user.token, method: 'PUT', body: { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini', integration_id: first }] } });
    const refused = await chat(user.token, 'only-first');
    expect(refused.status).toBe(400);
    const error = await errorOf(refused);
    expect(error).toMatchObject({ code: 'integration_disabled', source: 'user' });
    expect(error.message).toContain(`The route's openai integration "pinned" (${first}) is disabled`);
  });

  it('lets team owners and admins disable and re-enable team secrets, not members; members then get the team error', async () => {
    const owner = await server.signIn();
    const admin = await server.signIn();
    const member = await server.signIn();
    const outsider = await server.signIn();
    const teamId = newId();
    await sql.query('insert into teams (id, name) values ($1, $2)', [teamId, 'lifecycle team']);
    await sql.query("insert into memberships (team_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'admin'), ($1, $4, 'member')", [teamId, owner.userId, admin.userId, member.userId]);
    const created = await server.api(`/api/teams/${teamId}/integrations`, { token: owner.token, body: { service: 'openai', api_key: FIRST_KEY, name: 'team key' } });
    const id = ((await created.json()) as { id: string }).id;
    const base = `/api/teams/${teamId}/integrations/${id}`;
    const asTeam = { 'x-switchboard-team': teamId };
    expect((await chat(member.token, undefined, asTeam)).status).toBe(200);

    expect((await post(`${base}/disable`, member.token)).status).toBe(403);
    expect((await post(`${base}/disable`, outsider.token)).status).toBe(404);
    const disabled = await post(`${base}/disable`, admin.token, { reason: 'Budget review.' });
    expect(disabled.status).toBe(200);
    expect((await disabled.json()) as IntegrationBody).toMatchObject({ health: 'disabled', disabled_reason: 'Budget review.' });

    const refused = await chat(member.token, undefined, asTeam);
    expect(refused.status).toBe(400);
    const error = await errorOf(refused);
    expect(error).toMatchObject({ code: 'integration_disabled', source: 'user' });
    expect(error.message).toContain(`This team's openai integration "team key" (${id}) is disabled: Budget review.`);
    expect(error.message).toContain(`POST /api/teams/${teamId}/integrations/${id}/enable`);
    const seen = (await (await server.api(`/api/teams/${teamId}/integrations`, { token: member.token })).json()) as { data: IntegrationBody[] };
    expect(seen.data[0]).toMatchObject({ id, health: 'disabled', disabled_reason: 'Budget review.' });

    expect((await post(`${base}/enable`, member.token)).status).toBe(403);
    expect((await post(`${base}/enable`, owner.token)).status).toBe(200);
    expect((await chat(member.token, undefined, asTeam)).status).toBe(200);
    const audit = await sql.query<{ action: string; team_id: string }>("select action, team_id from audit_events where target_id = $1 and action like 'integration.%abled' order by id", [id]);
    expect(audit.rows).toEqual([
      { action: 'integration.disabled', team_id: teamId },
      { action: 'integration.enabled', team_id: teamId },
    ]);
  });
});
