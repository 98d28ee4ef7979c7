/**
 * The SSE relay writes straight to the Node response (decision 0008). What the web-stream path
 * gave for free must still hold: every middleware header on the stream, one access-log line per
 * request with the status the stream ended with and its whole duration, 499 metering when the
 * client goes away, an error event then the end when the provider fails mid-stream, and a slow
 * client that the relay waits for instead of buffering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let openaiFake: FakeProvider;
let token: string;
let integrationId: string;
const OPENAI_KEY = 'sk-relay-openai-00000000000000000000001';

interface UsageRow {
  request_id: string;
  status: number;
  stream: boolean;
  output_tokens: number | null;
}

function streamRequest(requestId: string, model = 'openai/gpt-4o-mini', signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello' }], stream: true }),
    ...(signal ? { signal } : {}),
  });
}

function accessLines(requestId: string) {
  return server.logs.parsed().filter((line) => line.msg === 'request' && line.request_id === requestId);
}

async function usageRow(requestId: string): Promise<UsageRow | undefined> {
  await server.running.services.recorder.flush();
  const response = await server.api('/api/usage?limit=100', { token });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: UsageRow[] }).data.find((row) => row.request_id === requestId);
}

async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  openaiFake = await startFakeOpenAI({ keys: [OPENAI_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl });
  ({ token } = await server.signIn());
  const created = await server.api('/api/integrations', { token, body: { service: 'openai', api_key: OPENAI_KEY } });
  expect(created.status).toBe(201);
  integrationId = ((await created.json()) as { id: string }).id;
});

afterAll(async () => {
  await server?.close();
  await openaiFake?.close();
});

describe('the SSE relay to the Node response', () => {
  it('carries every middleware header, and logs one line with the whole stream’s duration', async () => {
    openaiFake.enqueue({ kind: 'slow-stream', chunks: 5, intervalMs: 60 });
    const response = await streamRequest('relay-headers-0001');
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': 'relay-headers-0001',
      'x-switchboard-integration': integrationId,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-security-policy': expect.stringContaining("default-src 'none'"),
    });
    expect(response.headers.has('x-hono-already-sent')).toBe(false);
    const text = await response.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(text).toContain('"content"');

    const [line, ...more] = await eventually(() => (accessLines('relay-headers-0001').length > 0 ? accessLines('relay-headers-0001') : undefined));
    expect(more).toHaveLength(0);
    expect(line).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200, level: 'info' });
    // Written when the stream ended, not when its headers went out.
    expect(line!.duration_ms as number).toBeGreaterThanOrEqual(250);
    expect(await usageRow('relay-headers-0001')).toMatchObject({ status: 200, stream: true });
    expect(server.logs.text()).not.toContain(OPENAI_KEY);
  });

  it('meters and logs 499 when the client goes away mid-stream, and stops reading the provider', async () => {
    openaiFake.enqueue({ kind: 'slow-stream', chunks: 40, intervalMs: 50 });
    const controller = new AbortController();
    const response = await streamRequest('relay-gone-00000001', 'openai/gpt-4o-mini', controller.signal);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: ');
    controller.abort();

    const row = await eventually(() => usageRow('relay-gone-00000001'));
    expect(row).toMatchObject({ status: 499, stream: true });
    const lines = await eventually(() => (accessLines('relay-gone-00000001').length > 0 ? accessLines('relay-gone-00000001') : undefined));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 499 });
    // Well before the 2 s the provider would have needed.
    expect(lines[0]!.duration_ms as number).toBeLessThan(1500);
  });

  it('ends with an error event after the provider fails mid-stream, and logs that status once', async () => {
    const response = await streamRequest('relay-error-0000001', 'openai/fake-stream-error');
    expect(response.status).toBe(200);
    const text = await response.text();
    const events = text.split('\n\n').filter((event) => event.startsWith('data: '));
    expect(events.length).toBeGreaterThan(1);
    const last = JSON.parse(events.at(-1)!.slice('data: '.length)) as { error: { code: string; source: string } };
    expect(last.error.source).toBe('provider');
    expect(text).not.toContain('[DONE]');

    const row = await eventually(() => usageRow('relay-error-0000001'));
    expect(row.status).toBeGreaterThanOrEqual(500);
    const lines = await eventually(() => (accessLines('relay-error-0000001').length > 0 ? accessLines('relay-error-0000001') : undefined));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: row.status, level: 'error' });
  });

  it('a client that reads slowly still gets the whole stream, byte for byte', async () => {
    openaiFake.enqueue({ kind: 'slow-stream', chunks: 30, intervalMs: 1 });
    const fast = await (await streamRequest('relay-fast-00000001')).text();
    openaiFake.enqueue({ kind: 'slow-stream', chunks: 30, intervalMs: 1 });
    const response = await streamRequest('relay-slow-00000001');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let slow = '';
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const next = await reader.read();
      if (next.done) break;
      slow += decoder.decode(next.value, { stream: true });
    }
    const contentOf = (text: string) =>
      text
        .split('\n\n')
        .filter((event) => event.startsWith('data: {'))
        .map((event) => (JSON.parse(event.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '')
        .join('');
    expect(contentOf(slow)).toBe(contentOf(fast));
    expect(slow.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(await usageRow('relay-slow-00000001')).toMatchObject({ status: 200 });
  });
});
