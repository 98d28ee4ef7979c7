/**
 * Issue 6 item 4: circuit breaker state is shared by replicas through Redis. Two servers on one
 * database and one Redis; the Anthropic fake behind a fault proxy returns 500s. Requests through
 * replica A open the breaker; replica B then skips the endpoint (its requests never reach the
 * proxy) within 1 s, without having seen a single failure itself.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import type { TestServer } from '../helpers/test-server.js';

const OPENAI_KEY = 'sk-replica-openai-000000000000000000021';
const ANTHROPIC_KEY = 'sk-ant-replica-00000000000000000000022';

let replicas: Replicas;
let a: TestServer;
let b: TestServer;
let openaiFake: FakeProvider;
let anthropicFake: FakeProvider;
let proxy: FaultProxy;

beforeAll(async () => {
  openaiFake = await startFakeOpenAI({ keys: [OPENAI_KEY] });
  anthropicFake = await startFakeAnthropic({ keys: [ANTHROPIC_KEY] });
  proxy = await startFaultProxy(new URL(anthropicFake.baseUrl).origin);
  replicas = await startReplicas({
    SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl,
    SWITCHBOARD_ANTHROPIC_BASE_URL: `${proxy.origin}${new URL(anthropicFake.baseUrl).pathname.replace(/\/$/, '')}`,
    SWITCHBOARD_RETRY_MAX_ATTEMPTS: '1',
    SWITCHBOARD_BREAKER_FAILURES: '3',
    SWITCHBOARD_BREAKER_COOLDOWN_MS: '60000',
  });
  ({ a, b } = replicas);
});

afterAll(async () => {
  await replicas?.close();
  await proxy?.close();
  await openaiFake?.close();
  await anthropicFake?.close();
});

it('a breaker opened on one replica is open on the other within 1 s', async () => {
  const user = await a.signIn();
  for (const body of [{ service: 'openai', api_key: OPENAI_KEY }, { service: 'anthropic', api_key: ANTHROPIC_KEY }]) {
    expect((await a.api('/api/integrations', { token: user.token, body })).status).toBe(201);
  }
  const route = { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }, { model: 'openai/gpt-4o-mini' }] };
  expect((await a.api('/api/routes/shared', { method: 'PUT', token: user.token, body: route })).status).toBe(201);
  const chat = (server: TestServer) =>
    new OpenAI({ apiKey: user.token, baseURL: `${server.url}/v1`, maxRetries: 0 }).chat.completions
      .create({ model: 'shared', messages: [{ role: 'user', content: 'Say hello' }] })
      .withResponse();

  proxy.always({ kind: 'status', status: 500, body: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } });
  for (let i = 0; i < 3; i += 1) expect((await chat(a)).response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o-mini');
  expect(proxy.seen()).toBe(3);
  const key = `anthropic ${proxy.origin}`;
  expect(a.running.services.resilience.breakers.state(key)).toBe('open');

  const opened = Date.now();
  while (b.running.services.resilience.breakers.state(key) !== 'open' && Date.now() - opened < 1_000) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(b.running.services.resilience.breakers.state(key)).toBe('open');
  expect(Date.now() - opened).toBeLessThan(1_000);

  // B skips the failing endpoint without trying it once.
  for (let i = 0; i < 3; i += 1) expect((await chat(b)).response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o-mini');
  expect(proxy.seen()).toBe(3);
});
