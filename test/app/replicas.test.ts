/**
 * Issue 4, item 8: a change takes effect everywhere at once. Two server processes share one
 * PostgreSQL and one Redis, as two replicas behind nginx would; a key revoked, replaced, deleted,
 * disabled or rolled through one changes what the other does within a second (Redis pub/sub
 * invalidation), even though both had it cached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openAIAnswer, startFakeOpenAI } from '../fakes/openai.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import type { TestServer } from '../helpers/test-server.js';

const KEY_1 = 'sk-replicas-first-key-0000000000000001';
const KEY_2 = 'sk-replicas-second-key-000000000000002';
const WITHIN_MS = 1_000;

let fake: FakeProvider;
let replicas: Replicas;
let database: TestDatabase;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [KEY_1, KEY_2] });
  replicas = await startReplicas({
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    // Long TTLs: only the invalidation can explain a change taking effect.
    SWITCHBOARD_SECRET_CACHE_TTL_SECONDS: '3600',
  });
  ({ a, b, database } = replicas);
});

afterAll(async () => {
  await replicas?.close();
  await fake?.close();
});

const chat = (server: TestServer, credential: string) =>
  server.api('/v1/chat/completions', {
    token: credential,
    body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
  });

const answerOf = async (response: Response) =>
  ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content;

/** Polls until `check` holds; answers how long it took, failing past the deadline. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('two replicas sharing PostgreSQL and Redis', () => {
  it('both report Redis ready', async () => {
    for (const server of [a, b]) {
      const ready = (await (await server.api('/readyz')).json()) as { checks: Record<string, string> };
      expect(ready.checks.redis).toBe('ok');
    }
  });

  it('stops a revoked platform key on the other replica within a second', async () => {
    const user = await a.signIn();
    expect((await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: KEY_1 } })).status).toBe(201);
    const key = (await (await a.api('/api/keys', { token: user.token, body: { name: 'replicated' } })).json()) as { id: string; key: string };
    // Warm both replicas' caches.
    expect((await chat(a, key.key)).status).toBe(200);
    expect((await chat(b, key.key)).status).toBe(200);
    expect((await chat(b, key.key)).status).toBe(200);

    expect((await a.api(`/api/keys/${key.id}`, { token: user.token, method: 'DELETE' })).status).toBe(204);
    const took = await within(WITHIN_MS, async () => (await chat(b, key.key)).status === 401);
    expect(took).toBeLessThan(WITHIN_MS);
    expect((await chat(a, key.key)).status).toBe(401);
  });

  it('serves a replaced provider key, and then none after deletion, on the other replica within a second', async () => {
    const user = await a.signIn();
    const created = await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: KEY_1 } });
    const integration = (await created.json()) as { id: string };
    expect(await answerOf(await chat(b, user.token))).toBe(openAIAnswer(1));
    expect(await answerOf(await chat(b, user.token))).toBe(openAIAnswer(1));

    const patched = await a.api(`/api/integrations/${integration.id}`, { token: user.token, method: 'PATCH', body: { api_key: KEY_2 } });
    expect(patched.status).toBe(200);
    await within(WITHIN_MS, async () => (await answerOf(await chat(b, user.token))) === openAIAnswer(2));

    expect((await a.api(`/api/integrations/${integration.id}`, { token: user.token, method: 'DELETE' })).status).toBe(204);
    await within(WITHIN_MS, async () => (await chat(b, user.token)).status === 400);
    const missing = await chat(b, user.token);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('integration_missing');
  });

  it('stops using a disabled integration on the other replica within a second, and uses it again once re-enabled', async () => {
    const user = await a.signIn();
    const first = (await (await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: KEY_1 } })).json()) as { id: string };
    await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: KEY_2 } });
    expect(await answerOf(await chat(b, user.token))).toBe(openAIAnswer(1));
    expect(await answerOf(await chat(b, user.token))).toBe(openAIAnswer(1));

    expect((await a.api(`/api/integrations/${first.id}/disable`, { token: user.token, method: 'POST' })).status).toBe(200);
    await within(WITHIN_MS, async () => (await answerOf(await chat(b, user.token))) === openAIAnswer(2));
    expect((await a.api(`/api/integrations/${first.id}/enable`, { token: user.token, method: 'POST' })).status).toBe(200);
    await within(WITHIN_MS, async () => (await answerOf(await chat(b, user.token))) === openAIAnswer(1));
  });

  it('serves a rolled key through its grace on the other replica, and stops it there within a second when rolled with none', async () => {
    const user = await a.signIn();
    expect((await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: KEY_1 } })).status).toBe(201);
    const key = (await (await a.api('/api/keys', { token: user.token, body: { name: 'rolled' } })).json()) as { id: string; key: string };
    expect((await chat(b, key.key)).status).toBe(200);
    const roll = async (id: string, seconds: number) => {
      const response = await a.api(`/api/keys/${id}/roll`, { token: user.token, body: { revoke_old_in: seconds } });
      expect(response.status).toBe(201);
      return (await response.json()) as { id: string; key: string };
    };
    // An hour's grace: the other replica reloads the key (revoked_at an hour ahead) and keeps serving it.
    const graced = await roll(key.id, 3600);
    expect((await chat(b, key.key)).status).toBe(200);
    expect((await chat(b, graced.key)).status).toBe(200);
    // The replacement, rolled with no grace, stops there within a second; the first key's grace runs on.
    await roll(graced.id, 0);
    await within(WITHIN_MS, async () => (await chat(b, graced.key)).status === 401);
    expect((await chat(b, key.key)).status).toBe(200);
  });

  it('removes a member’s team access on the other replica within a second', async () => {
    const owner = await a.signIn();
    const member = await a.signIn();
    const { newId } = await import('../../src/platform/ids.js');
    const teamId = newId();
    const pg = (await import('pg')).default;
    const sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    try {
      await sql.query('insert into teams (id, name) values ($1, $2)', [teamId, 'replicated team']);
      await sql.query("insert into memberships (team_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'member')", [teamId, owner.userId, member.userId]);
      await a.running.services.integrations.storeIntegration({ userId: owner.userId }, { kind: 'team', id: teamId }, { service: 'openai', api_key: KEY_2 });
      const key = (await (await a.api('/api/keys', { token: member.token, body: { name: 'team', team_id: teamId } })).json()) as { key: string };
      expect((await chat(b, key.key)).status).toBe(200);
      await sql.query('delete from memberships where team_id = $1 and user_id = $2', [teamId, member.userId]);
      a.running.services.bus.publish('membership', `${teamId}:${member.userId}`);
      await within(WITHIN_MS, async () => (await chat(b, key.key)).status === 401);
    } finally {
      await sql.end();
    }
  });
});
