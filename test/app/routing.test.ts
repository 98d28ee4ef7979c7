/**
 * Issue 6 items 1–4, driven as a user would: routes (virtual models) through the API, then the
 * official OpenAI SDK asks for the route name. A fault proxy (test/helpers/fault-proxy.ts) sits in
 * front of the Anthropic fake so tests can make the first candidate fail and count what reaches it.
 *
 * Done-when: "with the first provider returning 500s, requests succeed via the fallback and the
 * breaker opens (the failing upstream then sees only probes)".
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openAIAnswer, startFakeOpenAI } from '../fakes/openai.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const OPENAI_KEY = 'sk-route-openai-00000000000000000000011';
const ANTHROPIC_KEY = 'sk-ant-route-0000000000000000000000012';
const LOCAL_KEY = 'sk-local-route-000000000000000000000013';
const COOLDOWN_MS = 700;
/** Anthropic's 500 body (docs.anthropic.com/en/api/errors). */
const ANTHROPIC_500 = { type: 'error', error: { type: 'api_error', message: 'Internal server error' } };

let server: TestServer;
let openaiFake: FakeProvider;
let anthropicFake: FakeProvider;
let localFake: FakeProvider;
let proxy: FaultProxy;
let alice: { token: string; userId: string; openai: string; anthropic: string };

const sdk = (token: string) => new OpenAI({ apiKey: token, baseURL: `${server.url}/v1`, maxRetries: 0 });
const chat = (token: string, model: string) =>
  sdk(token).chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello' }] }).withResponse();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function integrate(token: string, body: Record<string, unknown>, path = '/api/integrations'): Promise<string> {
  const response = await server.api(path, { token, body });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function putRoute(token: string, name: string, body: unknown, prefix = '/api'): Promise<Response> {
  return server.api(`${prefix}/routes/${name}`, { method: 'PUT', token, body });
}

beforeAll(async () => {
  openaiFake = await startFakeOpenAI({ keys: [OPENAI_KEY] });
  localFake = await startFakeOpenAI({ keys: [LOCAL_KEY] });
  anthropicFake = await startFakeAnthropic({ keys: [ANTHROPIC_KEY] });
  proxy = await startFaultProxy(new URL(anthropicFake.baseUrl).origin);
  const anthropicPath = new URL(anthropicFake.baseUrl).pathname.replace(/\/$/, '');
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl,
    SWITCHBOARD_ANTHROPIC_BASE_URL: `${proxy.origin}${anthropicPath}`,
    SWITCHBOARD_LOCAL_LLM_URL: localFake.baseUrl,
    SWITCHBOARD_LOCAL_LLM_API_KEY: LOCAL_KEY,
    SWITCHBOARD_RETRY_MAX_ATTEMPTS: '2',
    SWITCHBOARD_RETRY_BASE_DELAY_MS: '5',
    SWITCHBOARD_RETRY_MAX_DELAY_MS: '1500',
    SWITCHBOARD_BREAKER_FAILURES: '4',
    SWITCHBOARD_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
    SWITCHBOARD_BREAKER_FAILURE_RATE: '0.5',
  });
  const user = await server.signIn();
  alice = {
    token: user.token,
    userId: user.userId,
    openai: await integrate(user.token, { service: 'openai', api_key: OPENAI_KEY }),
    anthropic: await integrate(user.token, { service: 'anthropic', api_key: ANTHROPIC_KEY }),
  };
});

afterAll(async () => {
  await server?.close();
  await proxy?.close();
  for (const fake of [openaiFake, anthropicFake, localFake]) await fake?.close();
});

beforeEach(() => proxy.always({ kind: 'pass' }));

describe('route CRUD and isolation', () => {
  it('creates, reads, replaces, lists and deletes a route; validates the body', async () => {
    const body = { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini', integration_id: alice.openai }, { model: 'anthropic/claude-haiku-4-5' }] };
    const created = await putRoute(alice.token, 'crud', body);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'crud', strategy: 'priority', fallback_local: false, constraints: null, owner: { kind: 'user', id: alice.userId } });
    const replaced = await putRoute(alice.token, 'crud', { ...body, strategy: 'cost', fallback_local: true });
    expect(replaced.status).toBe(200);
    expect(await (await server.api('/api/routes/crud', { token: alice.token })).json()).toMatchObject({ strategy: 'cost', fallback_local: true });
    const list = (await (await server.api('/api/routes', { token: alice.token })).json()) as { data: Array<{ name: string }> };
    expect(list.data.map((route) => route.name)).toContain('crud');

    const bad: Array<[string, unknown, string]> = [
      ['Bad.Name', body, 'name'],
      ['ok', { strategy: 'weighted', targets: [{ model: 'openai/gpt-4o-mini' }] }, 'targets[0].weight'],
      ['ok', { strategy: 'priority', targets: [{ model: 'nosuch/model' }] }, 'targets[0].model'],
      ['ok', { strategy: 'priority', targets: [{ model: 'gpt-4o-mini' }] }, 'targets[0].model'],
      ['ok', { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5', integration_id: alice.openai }] }, 'targets[0].integration_id'],
      ['ok', { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini', integration_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }] }, 'targets[0].integration_id'],
    ];
    for (const [name, payload, param] of bad) {
      const response = await putRoute(alice.token, name, payload);
      expect(response.status, JSON.stringify(payload)).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe(param);
    }
    expect((await putRoute(alice.token, 'ok', { strategy: 'nope', targets: [] })).status).toBe(400);
    expect((await server.api('/api/routes/ok', { token: alice.token })).status).toBe(404);

    expect((await server.api('/api/routes/crud', { method: 'DELETE', token: alice.token })).status).toBe(204);
    expect((await server.api('/api/routes/crud', { token: alice.token })).status).toBe(404);
  });

  it("another tenant's route is invisible (404) and never routes their requests; team routes follow roles", async () => {
    expect((await putRoute(alice.token, 'private', { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }] })).status).toBe(201);
    const mallory = await server.signIn();
    expect((await server.api('/api/routes/private', { token: mallory.token })).status).toBe(404);
    expect((await server.api('/api/routes/private', { method: 'DELETE', token: mallory.token })).status).toBe(404);
    const asMallory = await sdk(mallory.token).chat.completions.create({ model: 'private', messages: [{ role: 'user', content: 'x' }] }).catch((error: unknown) => error);
    expect(asMallory).toBeInstanceOf(OpenAI.BadRequestError);

    const team = (await (await server.api('/api/teams', { token: alice.token, body: { name: 'routing team' } })).json()) as { id: string };
    expect((await putRoute(alice.token, 'shared', { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }] }, `/api/teams/${team.id}`)).status).toBe(201);
    expect((await server.api(`/api/teams/${team.id}/routes`, { token: mallory.token })).status).toBe(404);
    expect((await putRoute(mallory.token, 'shared', { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }] }, `/api/teams/${team.id}`)).status).toBe(404);
    const teamList = (await (await server.api(`/api/teams/${team.id}/routes`, { token: alice.token })).json()) as { data: Array<{ name: string }> };
    expect(teamList.data.map((route) => route.name)).toEqual(['shared']);
    await server.api('/api/routes/private', { method: 'DELETE', token: alice.token });
  });
});

describe('routing a request', () => {
  it('a route name routes by priority; the response names what served; no DB query per request in steady state', async () => {
    expect((await putRoute(alice.token, 'cheap', { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }, { model: 'anthropic/claude-haiku-4-5' }] })).status).toBe(201);
    const first = await chat(alice.token, 'cheap');
    expect(first.data.choices[0]?.message.content).toBe(openAIAnswer(1));
    expect(first.response.headers.get('x-switchboard-integration')).toBe(alice.openai);
    expect(first.response.headers.get('x-switchboard-fallback')).toBeNull();
    const appQueries = async () => (await server.running.services.metrics.dbQueries.get()).values.find((value) => value.labels.pool === 'app')?.value ?? 0;
    const before = await appQueries();
    for (let i = 0; i < 5; i += 1) await chat(alice.token, 'cheap');
    expect(await appQueries()).toBe(before);
  });

  it('"auto" without a stored route: the services you have keys for, cheapest first; a stored "auto" wins', async () => {
    const seen = proxy.seen();
    const { response } = await chat(alice.token, 'auto');
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.openai);
    expect(proxy.seen()).toBe(seen);
    const nobody = await server.signIn();
    const error = (await chat(nobody.token, 'auto').catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect((error.error as { code: string }).code).toBe('integration_missing');
    await putRoute(alice.token, 'auto', { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }] });
    expect((await chat(alice.token, 'auto')).response.headers.get('x-switchboard-integration')).toBe(alice.anthropic);
    await server.api('/api/routes/auto', { method: 'DELETE', token: alice.token });
  });

  it("acting for a team, the team's route serves when the caller has none of that name", async () => {
    const team = (await (await server.api('/api/teams', { token: alice.token, body: { name: 'route team' } })).json()) as { id: string };
    const teamKey = await integrate(alice.token, { service: 'openai', api_key: OPENAI_KEY }, `/api/teams/${team.id}/integrations`);
    await putRoute(alice.token, 'team-only', { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini', integration_id: teamKey }] }, `/api/teams/${team.id}`);
    const asTeam = new OpenAI({ apiKey: alice.token, baseURL: `${server.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-switchboard-team': team.id } });
    const { response } = await asTeam.chat.completions.create({ model: 'team-only', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.headers.get('x-switchboard-integration')).toBe(teamKey);
    const personal = (await chat(alice.token, 'team-only').catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(personal.status).toBe(400);
  });

  it('cost orders the cheapest catalog price first', async () => {
    await putRoute(alice.token, 'by-cost', { strategy: 'cost', targets: [{ model: 'anthropic/claude-sonnet-4-5' }, { model: 'openai/gpt-4o-mini' }] });
    const seen = proxy.seen();
    const { response } = await chat(alice.token, 'by-cost');
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.openai);
    expect(proxy.seen()).toBe(seen);
  });

  it('latency orders by the moving average of time to first byte, learned from traffic', async () => {
    // Teach the stats: Claude answers 150 ms late, gpt-4o-mini at once.
    proxy.always({ kind: 'latency', ms: 150 });
    await putRoute(alice.token, 'claude-first', { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }] });
    await putRoute(alice.token, 'mini-first', { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }] });
    for (let i = 0; i < 3; i += 1) {
      await chat(alice.token, 'claude-first');
      await chat(alice.token, 'mini-first');
    }
    await putRoute(alice.token, 'fastest', { strategy: 'latency', targets: [{ model: 'anthropic/claude-haiku-4-5' }, { model: 'openai/gpt-4o-mini' }] });
    const seen = proxy.seen();
    for (let i = 0; i < 3; i += 1) expect((await chat(alice.token, 'fastest')).response.headers.get('x-switchboard-integration')).toBe(alice.openai);
    expect(proxy.seen()).toBe(seen);
  });

  it('weighted draws targets in proportion to their weights', async () => {
    await putRoute(alice.token, 'split', { strategy: 'weighted', targets: [{ model: 'anthropic/claude-haiku-4-5', weight: 1 }, { model: 'openai/gpt-4o-mini', weight: 3 }] });
    const served = { openai: 0, anthropic: 0 };
    for (let i = 0; i < 80; i += 1) {
      const integration = (await chat(alice.token, 'split')).response.headers.get('x-switchboard-integration');
      if (integration === alice.openai) served.openai += 1;
      else if (integration === alice.anthropic) served.anthropic += 1;
    }
    expect(served.openai + served.anthropic).toBe(80);
    // 3:1 expected (60/20); each bound fails by chance with odds below one in ten million.
    expect(served.openai).toBeGreaterThan(40);
    expect(served.anthropic).toBeGreaterThan(2);
  });

  it('constraints leave no candidate → 400 no_route_candidate', async () => {
    await putRoute(alice.token, 'too-cheap', { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }], constraints: { max_input_price_per_mtok_micros: 1 } });
    const error = (await chat(alice.token, 'too-cheap').catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect((error.error as { code: string }).code).toBe('no_route_candidate');
  });

  it('retries a 429 honouring Retry-After before answering', async () => {
    await putRoute(alice.token, 'claude', { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }] });
    const body = { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } };
    proxy.next({ kind: 'status', status: 429, body, headers: { 'retry-after': '1' } });
    const seen = proxy.seen();
    const started = Date.now();
    const { data, response } = await chat(alice.token, 'claude');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(proxy.seen() - seen).toBe(2);
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.anthropic);
    expect(data.choices[0]?.message.content).toBeTruthy();
  });

  it('a provider 400 neither retries nor falls over', async () => {
    await putRoute(alice.token, 'strict', { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }, { model: 'openai/gpt-4o-mini' }] });
    proxy.next({ kind: 'status', status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: bad' } } });
    const seen = proxy.seen();
    const requests = openaiFake.requests.length;
    const error = (await chat(alice.token, 'strict').catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(proxy.seen() - seen).toBe(1);
    expect(openaiFake.requests.length).toBe(requests);
  });

  it('retries a connection reset before any byte arrived, on the same target', async () => {
    await putRoute(alice.token, 'claude-only', { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }] });
    proxy.next({ kind: 'reset' });
    const seen = proxy.seen();
    const { response } = await chat(alice.token, 'claude-only');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.anthropic);
    expect(response.headers.get('x-switchboard-fallback')).toBeNull();
    expect(proxy.seen() - seen).toBe(2);
  });

  it('relays a slow stream event by event, to the end', async () => {
    proxy.next({ kind: 'slow-stream', chunkDelayMs: 40 });
    const stream = await sdk(alice.token).chat.completions.create({ model: 'claude-only', stream: true, messages: [{ role: 'user', content: 'Say hello' }] });
    const arrivals: number[] = [];
    let text = '';
    for await (const chunk of stream) {
      arrivals.push(performance.now());
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
    // Chunks arrived spread over time (relayed as they came), not in one burst at the end.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(80);
  });

  it('no retry after the first byte of a stream: a truncated stream ends with an SSE error event', async () => {
    proxy.next({ kind: 'truncate-stream', afterEvents: 2 });
    const seen = proxy.seen();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'strict', stream: true, messages: [{ role: 'user', content: 'Say hello' }] }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    // The first chunk reached the client, then the connection died: an error event, not a second answer.
    const events = text.split('\n\n').filter((event) => event.startsWith('data: ')).map((event) => JSON.parse(event.slice(6)) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ object: 'chat.completion.chunk' });
    expect(events.at(-1)).toMatchObject({ error: { source: 'provider', code: expect.stringMatching(/^provider_(stream_interrupted|unreachable)$/) } });
    expect(events.filter((event) => (event as { choices?: Array<{ delta?: { role?: string } }> }).choices?.[0]?.delta?.role === 'assistant')).toHaveLength(1);
    expect(text).not.toContain('[DONE]');
    expect(proxy.seen() - seen).toBe(1);
  });

  it('Done-when: with the first provider returning 500s, requests succeed via the fallback and the breaker opens (then only probes)', async () => {
    proxy.always({ kind: 'status', status: 500, body: ANTHROPIC_500 });
    const seen = proxy.seen();
    // 2 attempts per request: the 4th consecutive failure (2nd request) opens the breaker.
    for (let i = 0; i < 2; i += 1) {
      const { data, response } = await chat(alice.token, 'strict');
      expect(data.choices[0]?.message.content).toBe(openAIAnswer(1));
      expect(response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o-mini');
      expect(response.headers.get('x-switchboard-integration')).toBe(alice.openai);
    }
    expect(proxy.seen() - seen).toBe(4);
    for (let i = 0; i < 5; i += 1) {
      const { response } = await chat(alice.token, 'strict');
      expect(response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o-mini');
    }
    expect(proxy.seen() - seen).toBe(4);
    // Readable by admins at GET /api/admin/health; 404 for everyone else.
    const email = `routing-admin-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: 'correct horse battery staple', isAdmin: true, verified: true });
    const login = await server.api('/api/auth/login', { body: { email, password: 'correct horse battery staple' } });
    const adminToken = ((await login.json()) as { access_token: string }).access_token;
    const health = (await (await server.api('/api/admin/health', { token: adminToken })).json()) as {
      breakers: Array<{ key: string; state: string }>;
      models: Array<{ model: string; ttft_ms: number | null; tokens_per_second: number | null; error_rate: number }>;
    };
    expect(health.breakers).toEqual(expect.arrayContaining([expect.objectContaining({ key: `anthropic ${proxy.origin}`, state: 'open' })]));
    expect(health.models).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'openai/gpt-4o-mini', ttft_ms: expect.any(Number), tokens_per_second: expect.toBeOneOf([null, expect.any(Number)]) })]));
    expect(health.models.find((row) => row.model === 'anthropic/claude-haiku-4-5')?.error_rate).toBeGreaterThan(0);
    expect((await server.api('/api/admin/health', { token: alice.token })).status).toBe(404);
    // Owners read their integration's view of it; nobody else can.
    const own = await server.api(`/api/integrations/${alice.anthropic}/health`, { token: alice.token });
    expect(await own.json()).toMatchObject({ id: alice.anthropic, service: 'anthropic', status: 'active', endpoint: proxy.origin, breaker: 'open' });
    expect(await (await server.api(`/api/integrations/${alice.openai}/health`, { token: alice.token })).json()).toMatchObject({ breaker: 'closed' });
    expect((await server.api(`/api/integrations/${alice.anthropic}/health`, { token: adminToken })).status).toBe(404);

    // After the cooldown exactly one probe goes through (and fails: open again).
    await sleep(COOLDOWN_MS + 50);
    await Promise.all([chat(alice.token, 'strict'), chat(alice.token, 'strict'), chat(alice.token, 'strict')]);
    expect(proxy.seen() - seen).toBe(5);

    // The provider recovers: the next probe closes the breaker and the first target serves again.
    proxy.always({ kind: 'pass' });
    await sleep(COOLDOWN_MS + 50);
    const recovered = await chat(alice.token, 'strict');
    expect(recovered.response.headers.get('x-switchboard-integration')).toBe(alice.anthropic);
    expect(recovered.response.headers.get('x-switchboard-fallback')).toBeNull();

    await server.running.services.recorder.flush();
    const usage = (await (await server.api('/api/usage?limit=100', { token: alice.token })).json()) as {
      data: Array<{ service: string; fallback: boolean; status: number }>;
    };
    expect(usage.data.filter((row) => row.fallback && row.service === 'openai' && row.status === 200).length).toBeGreaterThanOrEqual(7);
  });

  it('an open breaker with no candidate left answers 503 provider_unavailable with Retry-After', async () => {
    proxy.always({ kind: 'status', status: 500, body: ANTHROPIC_500 });
    for (let i = 0; i < 3; i += 1) await chat(alice.token, 'claude').catch(() => undefined);
    const error = (await chat(alice.token, 'claude').catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(503);
    expect((error.error as { code: string; source: string })).toMatchObject({ code: 'provider_unavailable', source: 'provider' });
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await sleep(COOLDOWN_MS + 50);
  });

  it('an exhausted quota falls over at once and the integration is skipped for one cooldown', async () => {
    // Anthropic reports an exhausted credit balance as a 400 invalid_request_error with this
    // wording (docs.anthropic.com/en/api/errors; see map-anthropic-error.ts).
    const quota = { type: 'error', error: { type: 'invalid_request_error', message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.' } };
    proxy.always({ kind: 'status', status: 400, body: quota });
    await putRoute(alice.token, 'quota', { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }, { model: 'openai/gpt-4o-mini' }] });
    const seen = proxy.seen();
    const first = await chat(alice.token, 'quota');
    expect(first.response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o-mini');
    expect(proxy.seen() - seen).toBe(1);
    const second = await chat(alice.token, 'quota');
    expect(second.response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o-mini');
    expect(proxy.seen() - seen).toBe(1);
    proxy.always({ kind: 'pass' });
    await sleep(COOLDOWN_MS + 50);
    const recovered = await chat(alice.token, 'quota');
    expect(recovered.response.headers.get('x-switchboard-integration')).toBe(alice.anthropic);
  });

  it('falls back to the local model, labelled, when fallback_local is set', async () => {
    proxy.always({ kind: 'status', status: 503, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    await putRoute(alice.token, 'claude-or-local', { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }], fallback_local: true });
    const { data, response } = await chat(alice.token, 'claude-or-local');
    expect(response.headers.get('x-switchboard-fallback')).toBe('local');
    expect(response.headers.get('x-switchboard-integration')).toBeNull();
    expect(data.choices[0]?.message.content).toBe(openAIAnswer(1));
    expect(localFake.requests.at(-1)?.credential).toBe(LOCAL_KEY);
    // The local server's first listed model serves, and the answer names it (never the Claude model).
    expect(data.model).toBe('local/gpt-4o-mini');
    expect((localFake.requests.at(-1)?.body as { model: string }).model).toBe('gpt-4o-mini');
  });

  it('a platform key’s allow-list keeps only the candidates it allows, unless it names the route', async () => {
    await putRoute(alice.token, 'mixed', { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }, { model: 'openai/gpt-4o-mini' }] });
    const keyFor = async (models: string[]) => ((await (await server.api('/api/keys', { token: alice.token, body: { name: `allow ${models.join(' ')}`, models } })).json()) as { key: string }).key;
    const miniOnly = await keyFor(['openai/gpt-4o-mini']);
    const seen = proxy.seen();
    const served = await chat(miniOnly, 'mixed');
    expect(served.response.headers.get('x-switchboard-integration')).toBe(alice.openai);
    expect(proxy.seen()).toBe(seen);
    const routeByName = await keyFor(['mixed']);
    expect((await chat(routeByName, 'mixed')).response.headers.get('x-switchboard-integration')).toBe(alice.anthropic);
    const neither = await keyFor(['gemini/gemini-2.0-flash']);
    const refused = (await chat(neither, 'mixed').catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused.status).toBe(403);
    expect(refused.error as { code: string }).toMatchObject({ code: 'model_not_allowed' });
  });

  it('never logs a provider key or the access token', () => {
    const logs = server.logs.text();
    for (const secret of [OPENAI_KEY, ANTHROPIC_KEY, LOCAL_KEY, alice.token]) expect(logs).not.toContain(secret);
  });
});

describe('the request deadline', () => {
  it('cancels an attempt still waiting for the provider when SWITCHBOARD_REQUEST_DEADLINE_MS passes: 504 provider_timeout', async () => {
    const short = await startTestServer({
      SWITCHBOARD_ANTHROPIC_BASE_URL: `${proxy.origin}${new URL(anthropicFake.baseUrl).pathname.replace(/\/$/, '')}`,
      SWITCHBOARD_RETRY_MAX_ATTEMPTS: '3',
      SWITCHBOARD_REQUEST_DEADLINE_MS: '600',
    });
    try {
      const user = await short.signIn();
      expect((await short.api('/api/integrations', { token: user.token, body: { service: 'anthropic', api_key: ANTHROPIC_KEY } })).status).toBe(201);
      proxy.always({ kind: 'blackhole' });
      const started = performance.now();
      const error = (await new OpenAI({ apiKey: user.token, baseURL: `${short.url}/v1`, maxRetries: 0 }).chat.completions
        .create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error.status).toBe(504);
      expect(error.error as { code: string }).toMatchObject({ code: 'provider_timeout' });
      // The deadline, not the 120 s first-byte timeout, ended it (and no retry ran past it).
      expect(elapsed).toBeGreaterThanOrEqual(550);
      expect(elapsed).toBeLessThan(2_000);
    } finally {
      proxy.always({ kind: 'pass' });
      await short.close();
    }
  });
});
