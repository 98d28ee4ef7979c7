/**
 * Issue 5, item 7: integration health. Saving a key and `POST …/integrations/:id/test` validate it
 * with each provider's cheapest authenticated call; fakes on 127.0.0.1 answer 200 / 401 / 402 /
 * 429 / 5xx / nothing, and the status, last_error (never key material), last_checked_at and the
 * stored model list follow. A provider 401 during traffic marks the integration invalid.
 *
 * The OpenAI fake (test/fakes/openai.ts) serves GET /v1/models. The other services' check
 * endpoints are served by the small fakes below, in each provider's documented shape (see the
 * references in src/gateway/providers/<service>/<service>.key-check.ts).
 */
import OpenAI from 'openai';
import pg from 'pg';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startFakeServer, type FakeServer } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const OPENAI_KEY = 'sk-health-openai-good-00000000000000Ok1';
const OPENAI_BAD = 'sk-health-openai-bad-000000000000000Bad';
const GOOD = 'health-good-key-000000000000000000Good';
const BAD = 'health-bad-key-0000000000000000000Bad0';
const KEYS = [OPENAI_KEY, OPENAI_BAD, GOOD, BAD];
const CHECK_TIMEOUT_MS = 400;

type CheckService = 'anthropic' | 'cohere' | 'gemini' | 'stability' | 'runway';

/** Per service: the check path, how the key travels, the success body and the bad-key answer. */
const SHAPES: Record<CheckService, { path: string; credential(headers: IncomingHttpHeaders): string | undefined; ok(): unknown; rejected: [number, unknown] }> = {
  anthropic: {
    path: '/v1/models',
    credential: (headers) => headers['x-api-key'] as string | undefined,
    ok: () => ({
      data: [{ type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' }],
      has_more: false,
      first_id: 'claude-sonnet-4-5-20250929',
      last_id: 'claude-sonnet-4-5-20250929',
    }),
    rejected: [401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' }, request_id: 'req_011CHealth' }],
  },
  cohere: {
    path: '/v1/models',
    credential: (headers) => /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1],
    ok: () => ({
      models: [
        { name: 'command-a-03-2025', endpoints: ['chat'], finetuned: false, context_length: 256000 },
        { name: 'acme-finetune-7', endpoints: ['chat'], finetuned: true, context_length: 128000 },
      ],
      next_page_token: null,
    }),
    rejected: [401, { id: 'a1b2c3', message: 'invalid api token' }],
  },
  gemini: {
    path: '/v1beta/models',
    credential: (headers) => headers['x-goog-api-key'] as string | undefined,
    ok: () => ({ models: [{ name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', supportedGenerationMethods: ['generateContent'] }] }),
    rejected: [
      400,
      {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
        },
      },
    ],
  },
  stability: {
    path: '/v1/user/account',
    credential: (headers) => /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1],
    ok: () => ({ id: 'user-1', email: 'someone@example.com', profile_picture: '', organizations: [{ id: 'org-1', name: 'acme', role: 'MEMBER', is_default: true }] }),
    rejected: [401, { id: 'e1', name: 'unauthorized', errors: ['authentication failed'] }],
  },
  runway: {
    path: '/v1/organization',
    credential: (headers) => /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1],
    ok: () => ({
      creditBalance: 1250,
      tier: { maxMonthlyCreditSpend: 10000, models: { gen4_turbo: { maxConcurrentGenerations: 2, maxDailyGenerations: 50 }, gen4_aleph: { maxConcurrentGenerations: 1, maxDailyGenerations: 10 } } },
      usage: { models: {} },
    }),
    rejected: [401, { error: 'Invalid API token' }],
  },
};

async function startCheckFake(service: CheckService): Promise<FakeServer> {
  const shape = SHAPES[service];
  return startFakeServer({
    readCredential: shape.credential,
    async handle({ request, res, takeScenario }) {
      if (request.method !== 'GET' || request.path !== shape.path) return sendJson(res, 404, { message: 'not found' });
      if (request.credential !== GOOD) return sendJson(res, shape.rejected[0], shape.rejected[1]);
      const scenario = takeScenario();
      if (scenario?.kind === 'hang') return;
      if (scenario?.kind === 'error') return sendJson(res, scenario.status, scenario.body ?? {});
      return sendJson(res, 200, shape.ok());
    },
  });
}

let server: TestServer;
let smtp: SmtpCapture;
let openaiFake: FakeProvider;
const fakes = {} as Record<CheckService, FakeServer>;
let sql: pg.Client;
let user: { token: string; userId: string };

interface CheckView {
  id: string;
  status: 'active' | 'invalid' | 'quota_exceeded' | 'unreachable';
  last_error: string | null;
  last_checked_at: string | null;
  checked?: boolean;
  latency_ms?: number | null;
  models?: string[] | null;
}

beforeAll(async () => {
  openaiFake = await startFakeOpenAI({ keys: [OPENAI_KEY], models: ['gpt-4o-mini', 'gpt-4o', 'ft:gpt-4o-mini:acme::custom'] });
  for (const service of Object.keys(SHAPES) as CheckService[]) fakes[service] = await startCheckFake(service);
  smtp = await startSmtpCapture();
  server = await startTestServer({
    SMTP_URL: smtp.url,
    SWITCHBOARD_KEY_CHECK_ON_SAVE: 'true',
    SWITCHBOARD_KEY_CHECK_TIMEOUT_MS: String(CHECK_TIMEOUT_MS),
    SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl,
    SWITCHBOARD_ANTHROPIC_BASE_URL: fakes.anthropic.origin,
    SWITCHBOARD_COHERE_BASE_URL: fakes.cohere.origin,
    SWITCHBOARD_GEMINI_BASE_URL: fakes.gemini.origin,
    SWITCHBOARD_STABILITY_BASE_URL: fakes.stability.origin,
    SWITCHBOARD_RUNWAY_BASE_URL: fakes.runway.origin,
  });
  sql = new pg.Client({ connectionString: server.database.url });
  await sql.connect();
  const signedIn = await server.signIn();
  user = { token: signedIn.token, userId: signedIn.userId };
});

afterAll(async () => {
  await sql?.end();
  await server?.close();
  await smtp?.close();
  await openaiFake?.close();
  for (const fake of Object.values(fakes)) await fake?.close();
});

async function save(body: Record<string, unknown>, token = user.token): Promise<CheckView> {
  const response = await server.api('/api/integrations', { token, body });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as CheckView;
}

async function test(id: string, token = user.token): Promise<CheckView> {
  const response = await server.api(`/api/integrations/${id}/test`, { method: 'POST', token });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as CheckView;
}

/** last_error must not contain the key or any 8-character piece of it. */
function expectNoKeyMaterial(text: string | null) {
  for (const key of KEYS) for (let i = 0; i + 8 <= key.length; i += 4) expect(text ?? '').not.toContain(key.slice(i, i + 8));
}

describe('on save', () => {
  it('checks a good OpenAI key, stores the provider’s model list and shows it on /test', async () => {
    const before = openaiFake.requests.length;
    const saved = await save({ service: 'openai', api_key: OPENAI_KEY });
    expect(saved).toMatchObject({ status: 'active', last_error: null });
    expect(Date.parse(saved.last_checked_at!)).toBeGreaterThan(Date.now() - 60_000);
    const call = openaiFake.requests.slice(before).find((request) => request.path === '/v1/models')!;
    expect(call.method).toBe('GET');
    expect(call.credential).toBe(OPENAI_KEY);

    const tested = await test(saved.id);
    expect(tested).toMatchObject({ id: saved.id, status: 'active', checked: true, last_error: null });
    expect(tested.latency_ms).toBeGreaterThanOrEqual(0);
    expect(tested.models).toEqual(['gpt-4o-mini', 'gpt-4o', 'ft:gpt-4o-mini:acme::custom']);
    const { rows } = await sql.query<{ models: string[] }>('select models from integrations where id = $1', [saved.id]);
    expect(rows[0]!.models).toContain('ft:gpt-4o-mini:acme::custom');
  });

  it('saves a rejected key (201) with status invalid and a scrubbed last_error; a replaced key is checked again', async () => {
    const saved = await save({ service: 'openai', api_key: OPENAI_BAD });
    expect(saved.status).toBe('invalid');
    expect(saved.last_error).toMatch(/rejected the key \(HTTP 401/);
    expectNoKeyMaterial(saved.last_error);

    const renamed = await server.api(`/api/integrations/${saved.id}`, { method: 'PATCH', token: user.token, body: { name: 'renamed' } });
    expect(((await renamed.json()) as CheckView).status).toBe('invalid');

    const replaced = await server.api(`/api/integrations/${saved.id}`, { method: 'PATCH', token: user.token, body: { api_key: OPENAI_KEY } });
    expect(replaced.status).toBe(200);
    expect((await replaced.json()) as CheckView).toMatchObject({ status: 'active', last_error: null });
  });
});

describe('per service', () => {
  it.each([
    ['anthropic', ['claude-sonnet-4-5-20250929']],
    ['cohere', ['command-a-03-2025', 'acme-finetune-7']],
    ['gemini', ['gemini-2.5-flash']],
    ['runway', ['gen4_turbo', 'gen4_aleph']],
    ['stability', null],
  ] as const)('%s: a good key is active (with the provider’s models), a bad one invalid', async (service, models) => {
    const good = await save({ service, api_key: GOOD });
    expect(good).toMatchObject({ status: 'active', last_error: null });
    expect((await test(good.id)).models).toEqual(models);
    const request = fakes[service].requests.at(-1)!;
    expect(request.path).toBe(SHAPES[service].path);
    if (service === 'anthropic') expect(request.headers['anthropic-version']).toBe('2023-06-01');
    if (service === 'runway') expect(request.headers['x-runway-version']).toBe('2024-11-06');

    const bad = await save({ service, api_key: BAD });
    expect(bad.status).toBe('invalid');
    expectNoKeyMaterial(bad.last_error);
  });

  it('midjourney has no key check: saved as is, /test says so and calls nobody', async () => {
    const saved = await save({ service: 'midjourney', api_key: GOOD, base_url: 'https://mj.example.com' });
    expect(saved).toMatchObject({ status: 'active', last_checked_at: null });
    expect(await test(saved.id)).toMatchObject({ checked: false, latency_ms: null, last_checked_at: null });
  });
});

describe('verdicts', () => {
  it.each([
    ['429 with a quota error', { kind: 'error', status: 429, body: { message: "You're out of credits: check your billing." } }, 'quota_exceeded', /quota or credit/],
    ['402', { kind: 'error', status: 402, body: { message: 'Payment required' } }, 'quota_exceeded', /HTTP 402/],
    ['429 rate limit', { kind: 'error', status: 429, body: { message: 'too many requests, slow down' } }, 'active', /rate-limited the check/],
    ['503', { kind: 'error', status: 503, body: { message: 'unavailable' } }, 'unreachable', /HTTP 503/],
    ['404 (wrong base_url)', { kind: 'error', status: 404, body: {} }, 'unreachable', /check base_url/],
    ['no answer', { kind: 'hang' }, 'unreachable', new RegExp(`within ${CHECK_TIMEOUT_MS} ms`)],
  ] as const)('%s gives its status', async (_name, scenario, status, error) => {
    const saved = await save({ service: 'cohere', api_key: GOOD });
    fakes.cohere.enqueue(scenario);
    const started = performance.now();
    const tested = await test(saved.id);
    expect(performance.now() - started).toBeLessThan(CHECK_TIMEOUT_MS + 1_500);
    expect(tested.status).toBe(status);
    expect(tested.last_error).toMatch(error);
    expectNoKeyMaterial(tested.last_error);
    // The model list of the last successful check stays.
    expect(tested.models).toEqual(['command-a-03-2025', 'acme-finetune-7']);
  });

  it('a Runway organization without credits is quota_exceeded', async () => {
    const saved = await save({ service: 'runway', api_key: GOOD });
    fakes.runway.enqueue({ kind: 'error', status: 200, body: { creditBalance: 0, tier: { maxMonthlyCreditSpend: 100, models: { gen4_turbo: {} } }, usage: { models: {} } } });
    expect(await test(saved.id)).toMatchObject({ status: 'quota_exceeded', last_error: expect.stringMatching(/no credits/), models: ['gen4_turbo'] });
  });

  it('an unreachable provider blocks nothing: the save succeeds and the status says so', async () => {
    fakes.stability.enqueue({ kind: 'hang' });
    const saved = await save({ service: 'stability', api_key: GOOD });
    expect(saved.status).toBe('unreachable');
    expect((await server.api(`/api/integrations/${saved.id}`, { token: user.token })).status).toBe(200);
  });
});

describe('access', () => {
  it('answers 404 for another user’s integration and an unknown id, and changes nothing', async () => {
    const saved = await save({ service: 'cohere', api_key: GOOD });
    const stranger = await server.signIn();
    const before = fakes.cohere.requests.length;
    for (const path of [`/api/integrations/${saved.id}/test`, '/api/integrations/01JB8ZQ6Q3V8Y3J0K9QK7T1M2N/test']) {
      const response = await server.api(path, { method: 'POST', token: stranger.token });
      expect(response.status).toBe(404);
    }
    expect(fakes.cohere.requests.length).toBe(before);
    expect((await server.api(`/api/integrations/${saved.id}/test`, { method: 'POST' })).status).toBe(401);
  });

  it('team keys: owners and admins test them; strangers get 404', async () => {
    const created = await server.api('/api/teams', { token: user.token, body: { name: 'health team' } });
    const team = (await created.json()) as { id: string };
    const stored = await server.api(`/api/teams/${team.id}/integrations`, { token: user.token, body: { service: 'gemini', api_key: GOOD } });
    expect(stored.status).toBe(201);
    const saved = (await stored.json()) as CheckView;
    expect(saved.status).toBe('active');
    const tested = await server.api(`/api/teams/${team.id}/integrations/${saved.id}/test`, { method: 'POST', token: user.token });
    expect(tested.status).toBe(200);
    expect(await tested.json()).toMatchObject({ status: 'active', checked: true, models: ['gemini-2.5-flash'] });
    const stranger = await server.signIn();
    expect((await server.api(`/api/teams/${team.id}/integrations/${saved.id}/test`, { method: 'POST', token: stranger.token })).status).toBe(404);
  });
});

describe('traffic', () => {
  it('a provider 401 during a request marks the integration invalid within a second, without key material', async () => {
    const person = await server.signIn();
    const saved = await save({ service: 'openai', api_key: OPENAI_KEY }, person.token);
    expect(saved.status).toBe('active');
    openaiFake.enqueue({
      kind: 'error',
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${OPENAI_KEY.slice(0, 8)}****${OPENAI_KEY.slice(-4)}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
    });
    const client = new OpenAI({ apiKey: person.token, baseURL: `${server.url}/v1`, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });

    const started = performance.now();
    let view: CheckView;
    for (;;) {
      view = (await (await server.api(`/api/integrations/${saved.id}`, { token: person.token })).json()) as CheckView;
      if (view.status === 'invalid' || performance.now() - started > 1_000) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(view.status).toBe('invalid');
    expect(view.last_error).toMatch(/rejected the key during a request \(HTTP 401\)/);
    expectNoKeyMaterial(view.last_error);
    // The owner is told once: an in-app notification and a mail, neither with key material.
    const mail = await smtp.nextTo(person.email);
    expect(mail.text).toContain('rejected the key during a request (HTTP 401)');
    expect(mail.text).toContain(`/api/integrations/${saved.id}/test`);
    expectNoKeyMaterial(mail.raw);
    const notices = ((await (await server.api('/api/notifications', { token: person.token })).json()) as { data: Array<{ kind: string; body: string; data: { integration_id: string } }> }).data;
    expect(notices).toEqual([expect.objectContaining({ kind: 'integration.invalid', data: expect.objectContaining({ integration_id: saved.id }) })]);
    expectNoKeyMaterial(notices[0]!.body);

    // Still used (the key may have been fixed at the provider): the next request goes out with it.
    const answer = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toContain('fake-openai');
    // A test clears the verdict.
    expect(await test(saved.id, person.token)).toMatchObject({ status: 'active', last_error: null });
  });

  it('never logs a provider key', () => {
    const logs = server.logs.text();
    expect(logs.length).toBeGreaterThan(1000);
    for (const key of KEYS) expect(logs).not.toContain(key);
  });
});
