/**
 * Issue 7, §6.3 item 5: the integration list and detail (personal and team) add `breaker`,
 * `latency_p50_ms` and `requests_24h` beside status/last_error/last_checked_at, from the breakers
 * and the last 24 hours of usage; only the owner's requests count, never key material.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const KEY = 'sk-detail-key-0000000000000000000000Det1';
const FLAKY_KEY = 'sk-detail-flaky-00000000000000000000Flk2';

let fake: FakeProvider;
let flaky: FakeProvider;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [KEY], latencyMs: 20 });
  flaky = await startFakeOpenAI({ keys: [FLAKY_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true', SWITCHBOARD_BREAKER_FAILURES: '2' });
});

afterAll(async () => {
  await server?.close();
  await flaky?.close();
  await fake?.close();
});

interface Detail {
  id: string;
  status: string;
  health: string;
  breaker: string;
  latency_p50_ms: number | null;
  requests_24h: number;
  last_error: string | null;
  last_checked_at: string | null;
  last_used_at: string | null;
}

const chat = (token: string, model = 'openai/gpt-4o-mini') => server.api('/v1/chat/completions', { token, body: { model, messages: [{ role: 'user', content: 'hi' }] } });

describe('integration detail and list', () => {
  it('counts the last 24 hours of its own requests, with the median latency of the successful ones', async () => {
    const user = await server.signIn();
    const other = await server.signIn();
    const created = (await (await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: KEY } })).json()) as { id: string };
    expect((await server.api('/api/integrations', { token: other.token, body: { service: 'openai', api_key: KEY } })).status).toBe(201);

    const fresh = (await (await server.api(`/api/integrations/${created.id}`, { token: user.token })).json()) as Detail;
    expect(fresh).toMatchObject({ id: created.id, health: 'unchecked', breaker: 'closed', latency_p50_ms: null, requests_24h: 0, last_used_at: null });

    for (let i = 0; i < 3; i++) expect((await chat(user.token)).status).toBe(200);
    expect((await chat(other.token)).status).toBe(200);
    await server.running.services.recorder.flush();

    const response = await server.api(`/api/integrations/${created.id}`, { token: user.token });
    const text = await response.text();
    expect(text).not.toContain(KEY);
    const detail = JSON.parse(text) as Detail;
    expect(detail).toMatchObject({ id: created.id, status: 'active', breaker: 'closed', requests_24h: 3 });
    expect(detail.latency_p50_ms).toBeGreaterThanOrEqual(20);
    // The latest of its requests, a moment ago.
    expect(Date.now() - Date.parse(detail.last_used_at!)).toBeLessThan(60_000);
    expect(detail).toHaveProperty('last_error');
    expect(detail).toHaveProperty('last_checked_at');

    const list = (await (await server.api('/api/integrations', { token: user.token })).json()) as { data: Detail[] };
    expect(list.data).toEqual([detail]);
  });

  it('says how much of its monthly quota this month’s requests spent (null without a quota); only its own requests count', async () => {
    const user = await server.signIn();
    const other = await server.signIn();
    const quota = { limit_micros: 5_000_000 };
    const created = (await (await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: KEY, monthly_quota: quota } })).json()) as { id: string; quota_spent_micros: number | null };
    expect(created.quota_spent_micros).toBe(0);
    expect((await server.api('/api/integrations', { token: other.token, body: { service: 'openai', api_key: KEY, monthly_quota: quota } })).status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await chat(user.token)).status).toBe(200);
    expect((await chat(other.token)).status).toBe(200);
    await server.running.services.recorder.flush();

    const usage = (await (await server.api('/api/usage?limit=100', { token: user.token })).json()) as { data: Array<{ integration_id: string; cost_micros: number | null }> };
    const expected = usage.data.filter((row) => row.integration_id === created.id).reduce((sum, row) => sum + (row.cost_micros ?? 0), 0);
    expect(expected).toBeGreaterThan(0);
    const detail = (await (await server.api(`/api/integrations/${created.id}`, { token: user.token })).json()) as { quota_spent_micros: number | null };
    expect(detail.quota_spent_micros).toBe(expected);

    const plain = (await (await server.api('/api/integrations', { token: other.token, body: { service: 'openai', api_key: KEY, name: 'no quota' } })).json()) as { quota_spent_micros: number | null };
    expect(plain.quota_spent_micros).toBeNull();
  });

  it('shows an open breaker after the endpoint fails, on the team list too', async () => {
    const owner = await server.signIn();
    const team = (await (await server.api('/api/teams', { token: owner.token, body: { name: 'Detail' } })).json()) as { id: string };
    const created = await server.api(`/api/teams/${team.id}/integrations`, { token: owner.token, body: { service: 'openai', api_key: FLAKY_KEY, base_url: flaky.baseUrl } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const teamChat = () =>
      server.api('/v1/chat/completions', { token: owner.token, headers: { 'x-switchboard-team': team.id }, body: { model: 'openai/fake-error-503', messages: [{ role: 'user', content: 'hi' }] } });
    for (let i = 0; i < 2; i++) expect((await teamChat()).status).toBeGreaterThanOrEqual(500);
    await server.running.services.recorder.flush();

    const list = (await (await server.api(`/api/teams/${team.id}/integrations`, { token: owner.token })).json()) as { data: Detail[] };
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ id, health: 'failing', breaker: 'open', requests_24h: 2, latency_p50_ms: null });
    const detail = (await (await server.api(`/api/teams/${team.id}/integrations/${id}`, { token: owner.token })).json()) as Detail;
    expect(detail).toEqual(list.data[0]);
  });

  it('never logs a key', () => {
    expect(server.logs.text()).not.toContain(KEY);
    expect(server.logs.text()).not.toContain(FLAKY_KEY);
  });
});
