/**
 * Issue 6, items 6 and 7 (one process, limits in memory): per platform key and per integration
 * rate limits on /v1 (rpm, tpm, operator defaults), the 429 they answer with, and the usage of
 * interrupted streams (provider cut through the fault proxy, client gone) billed prompt +
 * delivered tokens and marked `estimated`.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatePromptTokens } from '../../src/gateway/limits/token-estimate.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const OPENAI_KEY = 'sk-limits-openai-key-000000000000000001';
const OTHER_KEY = 'sk-limits-openai-key-000000000000000002';
const ANTHROPIC_KEY = 'sk-ant-limits-key-0000000000000000000001';
/** Operator default for keys that set no rpm of their own. */
const DEFAULT_KEY_RPM = 4;

let fake: FakeProvider;
let anthropic: FakeProvider;
let proxy: FaultProxy;
let server: TestServer;
let token: string;

interface UsageRow {
  request_id: string;
  status: number;
  input_tokens: number | null;
  output_tokens: number | null;
  estimated: boolean;
  error_source: string | null;
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [OPENAI_KEY, OTHER_KEY] });
  proxy = await startFaultProxy(new URL(fake.baseUrl).origin);
  anthropic = await startFakeAnthropic({ keys: [ANTHROPIC_KEY] });
  server = await startTestServer({
    SWITCHBOARD_ANTHROPIC_BASE_URL: anthropic.baseUrl,
    SWITCHBOARD_OPENAI_BASE_URL: `${proxy.origin}${new URL(fake.baseUrl).pathname}`,
    SWITCHBOARD_DEFAULT_KEY_RPM: String(DEFAULT_KEY_RPM),
  });
  ({ token } = await server.signIn());
  expect((await server.api('/api/integrations', { token, body: { service: 'openai', api_key: OPENAI_KEY } })).status).toBe(201);
  expect((await server.api('/api/integrations', { token, body: { service: 'anthropic', api_key: ANTHROPIC_KEY } })).status).toBe(201);
});

afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await fake?.close();
  await anthropic?.close();
});

async function platformKey(owner: string, rateLimit?: Record<string, number>): Promise<string> {
  const response = await server.api('/api/keys', { token: owner, body: { name: 'limited', ...(rateLimit ? { rate_limit: rateLimit } : {}) } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

const chat = (credential: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], ...extra }),
  });

async function usageOf(owner: string, requestId: string): Promise<UsageRow | undefined> {
  await server.running.services.recorder.flush();
  const response = await server.api('/api/usage?limit=500', { token: owner });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: UsageRow[] }).data.find((row) => row.request_id === requestId);
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('per platform key limits', () => {
  it('refuses the request past a key’s rpm with 429, Retry-After, source user and a message naming the limit', async () => {
    const key = await platformKey(token, { rpm: 3 });
    for (let n = 0; n < 3; n += 1) expect((await chat(key)).status).toBe(200);
    const refused = await chat(key);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { error: { code: string; source: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: 'rate_limited', source: 'user' });
    expect(body.error.message).toContain('platform key');
    expect(body.error.message).toContain('3 requests per minute (rpm)');

    // The official SDK sees a RateLimitError with our code (retries off: it would honour Retry-After).
    const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limited');
    expect(server.logs.text()).not.toContain(key);
    expect(server.logs.text()).not.toContain(OPENAI_KEY);
  });

  it('applies the operator default rpm to keys without their own, and never to access tokens', async () => {
    const key = await platformKey(token);
    for (let n = 0; n < DEFAULT_KEY_RPM; n += 1) expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(429);
    // Another key of the same user has a window of its own; a login session has no key limit.
    expect((await chat(await platformKey(token))).status).toBe(200);
    for (let n = 0; n < DEFAULT_KEY_RPM + 1; n += 1) expect((await chat(token)).status).toBe(200);
  });

  it('reserves prompt + max_tokens against tpm up front, then settles to the tokens actually used', async () => {
    const key = await platformKey(token, { tpm: 400, rpm: 100 });
    // While one call holding ~300 of 400 runs (the provider takes 600 ms), a second one does not fit.
    proxy.next({ kind: 'latency', ms: 600 });
    const both = await Promise.all([chat(key, { max_tokens: 290 }), chat(key, { max_tokens: 290 })]);
    expect(both.map((response) => response.status).sort()).toEqual([200, 429]);
    const refused = both.find((response) => response.status === 429)!;
    const message = ((await refused.json()) as { error: { message: string } }).error.message;
    expect(message).toContain('400 tokens per minute (tpm)');
    // The one that ran used a few dozen tokens: its reservation was given back, so more fit.
    for (let n = 0; n < 3; n += 1) expect((await chat(key, { max_tokens: 290 })).status).toBe(200);
    // Without max_tokens only the prompt is reserved.
    expect((await chat(key)).status).toBe(200);
  });

  it('answers a request larger than the whole tpm budget when the window is empty', async () => {
    const key = await platformKey(token, { tpm: 50 });
    expect((await chat(key, { max_tokens: 5_000 })).status).toBe(200);
    expect((await chat(key, { max_tokens: 5_000 })).status).toBe(429);
  });
});

describe('per integration limits', () => {
  it('limits every caller of an integration, names it, and leaves the key’s count untouched when it refuses', async () => {
    const owner = await server.signIn();
    const created = await server.api('/api/integrations', { token: owner.token, body: { service: 'openai', api_key: OTHER_KEY, rate_limit: { rpm: 2 } } });
    expect(created.status).toBe(201);
    const integration = (await created.json()) as { id: string; rate_limit: unknown };
    expect(integration.rate_limit).toEqual({ rpm: 2 });
    const key = await platformKey(owner.token, { rpm: 3 });

    expect((await chat(key)).status).toBe(200);
    expect((await chat(owner.token)).status).toBe(200);
    const refused = await chat(key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await refused.json()) as { error: { code: string; source: string; message: string } };
    expect(body.error).toMatchObject({ code: 'rate_limited', source: 'user' });
    expect(body.error.message).toContain(`integration ${integration.id}`);
    expect(body.error.message).toContain('2 requests per minute (rpm)');

    // Lifting the integration's limit takes effect at once; the key has used 1 of its 3.
    const patched = await server.api(`/api/integrations/${integration.id}`, { method: 'PATCH', token: owner.token, body: { rate_limit: null } });
    expect(patched.status).toBe(200);
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(429);
  });

  it('refuses a rate_limit that is not whole positive numbers per rps, rpm or tpm', async () => {
    for (const rateLimit of [{ rpm: 0 }, { rpm: 1.5 }, { rph: 3 }]) {
      const response = await server.api('/api/keys', { token, body: { name: 'bad', rate_limit: rateLimit } });
      expect(response.status).toBe(400);
    }
  });
});

describe('interrupted streams are billed prompt + delivered tokens, marked estimated', () => {
  const streamed = (text: string) =>
    text
      .split('\n\n')
      .filter((event) => event.startsWith('data: {"id"'))
      .map((event) => (JSON.parse(event.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '')
      .join('');
  const messages = [{ role: 'user', content: 'Tell me a long story about rate limits, please.' }];

  it('a stream the provider cut off (fault proxy: truncated after 4 events)', async () => {
    proxy.next({ kind: 'truncate-stream', afterEvents: 4 });
    const response = await chat(token, { messages, stream: true }, { 'x-request-id': 'limits-truncated-0001' });
    expect(response.status).toBe(200);
    const text = await response.text();
    // The connection died mid-stream: an error event (provider_unreachable) ends what the client got.
    expect(text).toContain('"source":"provider"');
    expect(text).not.toContain('[DONE]');
    const delivered = streamed(text);
    expect(delivered.length).toBeGreaterThan(0);

    const row = await eventually(() => usageOf(token, 'limits-truncated-0001'));
    expect(row).toMatchObject({
      status: 502,
      error_source: 'provider',
      estimated: true,
      input_tokens: estimatePromptTokens({ messages }),
      output_tokens: Math.ceil(delivered.length / 4),
    });
  });

  it('a stream whose client went away', async () => {
    fake.enqueue({ kind: 'slow-stream', chunks: 40, intervalMs: 40 });
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': 'limits-client-gone-01' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    while (streamed(text).length === 0 || !text.endsWith('\n\n')) {
      const next = await reader.read();
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    controller.abort();
    const delivered = streamed(text);
    expect(delivered.length).toBeGreaterThan(0);

    const row = await eventually(() => usageOf(token, 'limits-client-gone-01'));
    expect(row).toMatchObject({ status: 499, estimated: true, input_tokens: estimatePromptTokens({ messages }) });
    // At least what this client read; the relay may have written a chunk more before it noticed.
    expect(row.output_tokens).toBeGreaterThanOrEqual(Math.ceil(delivered.length / 4));
    expect(row.output_tokens).toBeLessThan(200);
  });

  it('an Anthropic stream cut after message_start keeps its reported prompt and estimates the output (/v1/messages)', async () => {
    anthropic.enqueue({ kind: 'stream-cut', afterEvents: 7 });
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-request-id': 'limits-anthropic-cut-1' },
      body: JSON.stringify({ model: 'anthropic/claude-haiku-4-5', max_tokens: 200, messages, stream: true }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const events = text.split('\n\n').filter((event) => event.includes('data: '));
    const reported = events
      .map((event) => JSON.parse(event.slice(event.indexOf('data: ') + 6)) as { type: string; message?: { usage: { input_tokens: number } }; delta?: { text?: string } })
      .filter((event) => event.type === 'message_start' || event.type === 'content_block_delta');
    const inputTokens = reported.find((event) => event.type === 'message_start')?.message?.usage.input_tokens;
    const delivered = reported.map((event) => event.delta?.text ?? '').join('');
    expect(inputTokens).toBeGreaterThan(0);
    expect(delivered.length).toBeGreaterThan(4);

    const row = await eventually(() => usageOf(token, 'limits-anthropic-cut-1'));
    expect(row).toMatchObject({ estimated: true, input_tokens: inputTokens, output_tokens: Math.ceil(delivered.length / 4), error_source: 'provider' });
  });

  it('a complete stream keeps the provider’s counts, not estimated', async () => {
    const response = await chat(token, { messages, stream: true }, { 'x-request-id': 'limits-complete-0001' });
    expect((await response.text()).endsWith('data: [DONE]\n\n')).toBe(true);
    const row = await eventually(() => usageOf(token, 'limits-complete-0001'));
    expect(row).toMatchObject({ status: 200, estimated: false });
    expect(row.input_tokens).toBeGreaterThan(0);
  });
});
