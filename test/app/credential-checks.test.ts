/**
 * Issue 7, §6.3 item 4: credential checks. POST /api/integrations/test checks UNSAVED credentials
 * (the body of a create, validated the same way, SSRF rules included) against the provider's
 * cheapest authenticated call and stores nothing; the stored-key check POST …/{id}/test answers
 * the same `{ok, status, latency_ms, models, error}` beside its integration fields. Team variants
 * need an owner or admin. The unsaved check is rate-limited per user. No key in any answer or log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const GOOD_KEY = 'sk-check-good-key-00000000000000000Good';
const BAD_KEY = 'sk-check-bad-key-000000000000000000Bad0';
const PER_MINUTE = 4;

let fake: FakeProvider;
let smtp: SmtpCapture;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [GOOD_KEY], models: ['gpt-4o-mini', 'gpt-4o'] });
  smtp = await startSmtpCapture();
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_KEY_TEST_PER_MINUTE: String(PER_MINUTE), SMTP_URL: smtp.url });
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
  await fake?.close();
});

interface Answer {
  ok: boolean;
  status: string;
  latency_ms: number | null;
  models?: string[];
  error?: { source: string; code: string; message: string };
}

async function expectError(response: Response, status: number, code: string, param?: string) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const { error } = JSON.parse(text) as { error: { code: string; param: string | null; message: string } };
  expect(error.code).toBe(code);
  if (param) expect(error.param).toBe(param);
  expect(text).not.toContain(GOOD_KEY);
  expect(text).not.toContain(BAD_KEY);
  return error;
}

const unsaved = (token: string, body: unknown, path = '/api/integrations/test') => server.api(path, { token, body });

describe('POST /api/integrations/test (unsaved credentials)', () => {
  it('accepts a good key, lists its models and stores nothing', async () => {
    const user = await server.signIn();
    const response = await unsaved(user.token, { service: 'openai', api_key: GOOD_KEY });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(text).not.toContain(GOOD_KEY);
    const answer = JSON.parse(text) as Answer;
    expect(answer).toMatchObject({ ok: true, status: 'active' });
    expect(answer.error).toBeUndefined();
    expect(answer.models).toEqual(expect.arrayContaining(['gpt-4o-mini', 'gpt-4o']));
    expect(typeof answer.latency_ms).toBe('number');
    const listed = (await (await server.api('/api/integrations', { token: user.token })).json()) as { data: unknown[] };
    expect(listed.data).toEqual([]);
  });

  it('reports a rejected key with who must act and the code a request would get', async () => {
    const user = await server.signIn();
    const answer = (await (await unsaved(user.token, { service: 'openai', api_key: BAD_KEY })).json()) as Answer;
    expect(answer).toMatchObject({ ok: false, status: 'invalid', error: { source: 'user', code: 'provider_key_rejected' } });
    expect(answer.error?.message).not.toContain(BAD_KEY);
  });

  it('validates the body as a create does, before spending the rate limit', async () => {
    const user = await server.signIn();
    await expectError(await unsaved(user.token, { service: 'nope', api_key: GOOD_KEY }), 400, 'invalid_request', 'service');
    await expectError(await unsaved(user.token, { service: 'openai' }), 400, 'invalid_request', 'api_key');
    await expectError(await unsaved(user.token, { service: 'openai', api_key: '   ' }), 400, 'invalid_request', 'api_key');
    await expectError(await unsaved(user.token, { service: 'openai', api_key: GOOD_KEY, base_url: 'ftp://example.com' }), 400, 'invalid_request', 'base_url');
    const privateError = await expectError(await unsaved(user.token, { service: 'openai', api_key: GOOD_KEY, base_url: 'http://10.0.0.7/v1' }), 400, 'upstream_not_allowed', 'base_url');
    expect(privateError.message).toContain('SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS');
    await expectError(await unsaved(user.token, { service: 'midjourney', api_key: GOOD_KEY, base_url: 'https://mj.example.com' }), 400, 'invalid_request', 'service');
    // None of those spent a check: the whole allowance is still there.
    for (let i = 0; i < PER_MINUTE; i++) expect((await unsaved(user.token, { service: 'openai', api_key: GOOD_KEY })).status).toBe(200);
  });

  it('limits checks per user, not per server', async () => {
    const user = await server.signIn();
    const other = await server.signIn();
    for (let i = 0; i < PER_MINUTE; i++) expect((await unsaved(user.token, { service: 'openai', api_key: BAD_KEY })).status).toBe(200);
    const refused = await unsaved(user.token, { service: 'openai', api_key: GOOD_KEY });
    await expectError(refused.clone(), 429, 'rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await unsaved(other.token, { service: 'openai', api_key: GOOD_KEY })).status).toBe(200);
  });

  it('needs authentication', async () => {
    expect((await server.api('/api/integrations/test', { body: { service: 'openai', api_key: GOOD_KEY } })).status).toBe(401);
  });
});

describe('team variant and the stored-key check', () => {
  async function teamWithMember() {
    const owner = await server.signIn();
    const member = await server.signIn();
    const team = (await (await server.api('/api/teams', { token: owner.token, body: { name: 'Checks' } })).json()) as { id: string };
    expect((await server.api(`/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: member.email, role: 'member' } })).status).toBe(201);
    const mail = await smtp.nextTo(member.email);
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    expect((await server.api('/api/invitations/accept', { token: member.token, body: { token } })).status).toBe(200);
    return { teamId: team.id, owner, member };
  }

  it('lets a team owner check unsaved credentials; a member gets 403, a stranger 404', async () => {
    const { teamId, owner, member } = await teamWithMember();
    const stranger = await server.signIn();
    const path = `/api/teams/${teamId}/integrations/test`;
    const answer = (await (await unsaved(owner.token, { service: 'openai', api_key: GOOD_KEY }, path)).json()) as Answer;
    expect(answer).toMatchObject({ ok: true, status: 'active' });
    await expectError(await unsaved(member.token, { service: 'openai', api_key: GOOD_KEY }, path), 403, 'forbidden');
    await expectError(await unsaved(stranger.token, { service: 'openai', api_key: GOOD_KEY }, path), 404, 'not_found');
    const listed = (await (await server.api(`/api/teams/${teamId}/integrations`, { token: owner.token })).json()) as { data: unknown[] };
    expect(listed.data).toEqual([]);
  });

  it('answers ok/status/latency_ms/models/error on the stored-key check too, keeping its integration fields', async () => {
    const user = await server.signIn();
    const created = (await (await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: BAD_KEY } })).json()) as { id: string };
    const bad = (await (await server.api(`/api/integrations/${created.id}/test`, { token: user.token, method: 'POST' })).json()) as Answer & { id: string; checked: boolean; key_last4: string };
    expect(bad).toMatchObject({ id: created.id, checked: true, ok: false, status: 'invalid', error: { source: 'user', code: 'provider_key_rejected' } });
    expect(bad.key_last4).toBe(BAD_KEY.slice(-4));
    expect((await server.api(`/api/integrations/${created.id}`, { token: user.token, method: 'PATCH', body: { api_key: GOOD_KEY } })).status).toBe(200);
    const good = (await (await server.api(`/api/integrations/${created.id}/test`, { token: user.token, method: 'POST' })).json()) as Answer;
    expect(good).toMatchObject({ ok: true, status: 'active' });
    expect(good.error).toBeUndefined();
    expect(good.models).toEqual(expect.arrayContaining(['gpt-4o-mini']));
  });

  it('never logs a key', () => {
    expect(server.logs.text()).not.toContain(GOOD_KEY);
    expect(server.logs.text()).not.toContain(BAD_KEY);
  });
});
