/**
 * Issue 5, item 6: `GET /v1/models`, read with the official `openai` SDK's `models.list()`. The
 * list follows the caller's (and their team's) integrations: the catalog's models of each
 * service they can use plus the provider's own list from the last key check; a platform key's
 * allow-list applies; a change to an integration shows at once; steady state needs no query.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const OPENAI_KEY = 'sk-models-openai-000000000000000000Mo1';
const ANTHROPIC_KEY = 'sk-ant-models-0000000000000000000Mo2';
const TEAM_KEY = 'sk-models-team-openai-0000000000000Mo3';

let server: TestServer;
let openaiFake: FakeProvider;
let anthropicFake: FakeProvider;

beforeAll(async () => {
  openaiFake = await startFakeOpenAI({ keys: [OPENAI_KEY, TEAM_KEY], models: ['gpt-4o-mini', 'ft:gpt-4o-mini:acme::custom'] });
  anthropicFake = await startFakeAnthropic({ keys: [ANTHROPIC_KEY] });
  server = await startTestServer({
    SWITCHBOARD_KEY_CHECK_ON_SAVE: 'true',
    SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl,
    SWITCHBOARD_ANTHROPIC_BASE_URL: anthropicFake.baseUrl,
  });
});

afterAll(async () => {
  await server?.close();
  await openaiFake?.close();
  await anthropicFake?.close();
});

const sdk = (credential: string, headers: Record<string, string> = {}) =>
  new OpenAI({ apiKey: credential, baseURL: `${server.url}/v1`, maxRetries: 0, defaultHeaders: headers });

async function ids(client: OpenAI): Promise<string[]> {
  const list: string[] = [];
  for await (const model of client.models.list()) list.push(model.id);
  return list;
}

async function integrate(token: string, body: Record<string, unknown>, path = '/api/integrations'): Promise<string> {
  const response = await server.api(path, { token, body });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const appQueries = async () => (await server.running.services.metrics.dbQueries.get()).values.find((value) => value.labels.pool === 'app')?.value ?? 0;

describe('GET /v1/models', () => {
  it('lists only the built-in local generator without integrations, then the catalog and the provider’s own models of each integrated service', async () => {
    const user = await server.signIn();
    expect(await ids(sdk(user.token))).toEqual(['local/pattern']);

    const openaiId = await integrate(user.token, { service: 'openai', api_key: OPENAI_KEY });
    const page = await sdk(user.token).models.list();
    const first = page.data.find((model) => model.id === 'openai/gpt-4o-mini')!;
    expect(first).toEqual({ id: 'openai/gpt-4o-mini', object: 'model', created: expect.any(Number), owned_by: 'openai' });
    const listed = await ids(sdk(user.token));
    // Catalog models of the service, and the fine-tune only the provider's list knows.
    expect(listed).toEqual(expect.arrayContaining(['openai/gpt-4o-mini', 'openai/gpt-5', 'openai/dall-e-3', 'openai/sora-2', 'openai/ft:gpt-4o-mini:acme::custom']));
    expect(listed.every((id) => id.startsWith('openai/') || id === 'local/pattern')).toBe(true);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(listed);
    // A dated catalog price gives the model its date.
    expect(page.data.find((model) => model.id === 'openai/gpt-5')?.created).toBe(Date.parse('2025-08-07') / 1000);

    // A new integration shows at once (the per-owner cache is dropped on change) …
    const anthropicId = await integrate(user.token, { service: 'anthropic', api_key: ANTHROPIC_KEY });
    expect(await ids(sdk(user.token))).toEqual(expect.arrayContaining(['anthropic/claude-sonnet-4-5', 'openai/gpt-4o-mini']));
    // … and so does a deleted one.
    expect((await server.api(`/api/integrations/${openaiId}`, { method: 'DELETE', token: user.token })).status).toBe(204);
    const afterDelete = await ids(sdk(user.token));
    expect(afterDelete.some((id) => id.startsWith('openai/'))).toBe(false);
    expect(afterDelete).toContain('anthropic/claude-haiku-4-5');
    expect((await server.api(`/api/integrations/${anthropicId}`, { method: 'DELETE', token: user.token })).status).toBe(204);
    expect(await ids(sdk(user.token))).toEqual(['local/pattern']);
  });

  it('applies a platform key’s model allow-list', async () => {
    const user = await server.signIn();
    await integrate(user.token, { service: 'openai', api_key: OPENAI_KEY });
    await integrate(user.token, { service: 'anthropic', api_key: ANTHROPIC_KEY });
    const created = await server.api('/api/keys', { token: user.token, body: { name: 'narrow', models: ['openai/gpt-4o*', 'anthropic/claude-haiku-4-5'] } });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const listed = await ids(sdk(key));
    expect(listed).toContain('openai/gpt-4o-mini');
    expect(listed).toContain('anthropic/claude-haiku-4-5');
    expect(listed.every((id) => id.startsWith('openai/gpt-4o') || id === 'anthropic/claude-haiku-4-5')).toBe(true);
    expect(listed).not.toContain('openai/ft:gpt-4o-mini:acme::custom');
  });

  it('includes the team’s services when acting for a team, and only then', async () => {
    const owner = await server.signIn();
    const team = (await (await server.api('/api/teams', { token: owner.token, body: { name: 'models team' } })).json()) as { id: string };
    await integrate(owner.token, { service: 'openai', api_key: TEAM_KEY }, `/api/teams/${team.id}/integrations`);
    expect(await ids(sdk(owner.token))).toEqual(['local/pattern']);
    const asTeam = await ids(sdk(owner.token, { 'x-switchboard-team': team.id }));
    expect(asTeam).toEqual(expect.arrayContaining(['openai/gpt-4o-mini', 'openai/ft:gpt-4o-mini:acme::custom']));
    const stranger = await server.signIn();
    const refused = await server.api('/v1/models', { token: stranger.token, headers: { 'x-switchboard-team': team.id } });
    expect(refused.status).toBe(404);
  });

  it('needs no database query per call in steady state', async () => {
    const user = await server.signIn();
    await integrate(user.token, { service: 'openai', api_key: OPENAI_KEY });
    const { key } = (await (await server.api('/api/keys', { token: user.token, body: { name: 'steady' } })).json()) as { key: string };
    await ids(sdk(key));
    const before = await appQueries();
    for (let i = 0; i < 5; i += 1) expect((await ids(sdk(key))).length).toBeGreaterThan(5);
    expect(await appQueries()).toBe(before);
  });

  it('requires authentication, and never logs a provider key', async () => {
    const response = await fetch(`${server.url}/v1/models`);
    expect(response.status).toBe(401);
    const logs = server.logs.text();
    for (const key of [OPENAI_KEY, ANTHROPIC_KEY, TEAM_KEY]) expect(logs).not.toContain(key);
  });
});
