/**
 * Traces (OPS.md 4.6, check 19), exported over OTLP/HTTP (JSON) to a receiver in this test:
 * - a streamed chat call yields a SERVER span continuing the incoming traceparent and a CLIENT span
 *   `chat <model>` under it, with the GenAI attributes;
 * - a retried call yields 2 CLIENT spans, `switchboard.attempt` 1 and 2, the first with error.type;
 * - no message content without the opt-in, and no key in anything exported.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { createIntegration } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
}

const USER_KEY = 'sk-traces-canary-key-00000000000000000001';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const SERVER = 2;
const CLIENT = 3;

let receiver: http.Server;
const bodies: string[] = [];
let fake: FakeProvider;
let server: TestServer;
let token: string;

const spans = (): OtlpSpan[] =>
  bodies.flatMap((body) => {
    const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
    return parsed.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
  });
const finishReasons = (span: OtlpSpan): Array<string | undefined> | undefined =>
  span.attributes.find((entry) => entry.key === 'gen_ai.response.finish_reasons')?.value.arrayValue?.values.map((value) => value.stringValue);

const attribute = (span: OtlpSpan, key: string): string | number | boolean | undefined => {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  if (!value) return undefined;
  return value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.boolValue ?? value.doubleValue;
};

async function waitForSpans(predicate: (all: OtlpSpan[]) => boolean): Promise<OtlpSpan[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const all = spans();
    if (predicate(all)) return all;
    if (Date.now() > deadline) throw new Error(`spans not exported: ${JSON.stringify(all.map((span) => span.name))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  fake = await startFakeOpenAI({ keys: [USER_KEY] });
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    SWITCHBOARD_RETRY_MAX_ATTEMPTS: '2',
    SWITCHBOARD_RETRY_BASE_DELAY_MS: '10',
  });
  const signed = await server.signIn();
  token = signed.token;
  await createIntegration(server, token, { service: 'openai', api_key: USER_KEY });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'a secret-ish prompt' }], ...body }),
  });

describe('OTLP traces', () => {
  it('exports a SERVER span continuing traceparent and a CLIENT span `chat <model>` with the GenAI attributes', async () => {
    const response = await chat({ stream: true, stream_options: { include_usage: true } }, { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('[DONE]');
    const all = await waitForSpans((found) => found.some((span) => span.traceId === TRACE_ID && span.kind === CLIENT) && found.some((span) => span.traceId === TRACE_ID && span.kind === SERVER));
    const serverSpan = all.find((span) => span.traceId === TRACE_ID && span.kind === SERVER)!;
    expect(serverSpan.parentSpanId).toBe(PARENT_ID);
    expect(serverSpan.name).toBe('POST /v1/chat/completions');
    expect(attribute(serverSpan, 'http.response.status_code')).toBe(200);
    const clientSpan = all.find((span) => span.traceId === TRACE_ID && span.kind === CLIENT)!;
    expect(clientSpan.name).toBe('chat gpt-4o-mini');
    expect(clientSpan.parentSpanId).toBe(serverSpan.spanId);
    expect(attribute(clientSpan, 'gen_ai.operation.name')).toBe('chat');
    expect(attribute(clientSpan, 'gen_ai.provider.name')).toBe('openai');
    expect(attribute(clientSpan, 'gen_ai.request.model')).toBe('gpt-4o-mini');
    expect(attribute(clientSpan, 'gen_ai.response.model')).toBe('gpt-4o-mini');
    expect(attribute(clientSpan, 'gen_ai.request.stream')).toBe(true);
    expect(attribute(clientSpan, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0);
    expect(finishReasons(clientSpan)).toEqual(['stop']);
    expect(attribute(clientSpan, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
    expect(attribute(clientSpan, 'server.address')).toBe('127.0.0.1');
    expect(attribute(clientSpan, 'server.port')).toBe(Number(new URL(fake.baseUrl).port));
    expect(attribute(clientSpan, 'switchboard.attempt')).toBe(1);
    expect(attribute(clientSpan, 'switchboard.fallback')).toBe(false);
    expect(attribute(clientSpan, 'switchboard.integration.id')).toMatch(/.+/);
    expect(attribute(clientSpan, 'error.type')).toBeUndefined();
    // No traceparent goes to the provider.
    expect(fake.requests.at(-1)?.headers?.traceparent).toBeUndefined();
  });

  it('gives each attempt of a retried call its own CLIENT span, numbered', async () => {
    fake.enqueue({ kind: 'error', status: 500 });
    const traceId = 'a'.repeat(31) + '1';
    const response = await chat({}, { traceparent: `00-${traceId}-${PARENT_ID}-01` });
    expect(response.status).toBe(200);
    const all = await waitForSpans((found) => found.filter((span) => span.traceId === traceId && span.kind === CLIENT).length >= 2);
    const attempts = all.filter((span) => span.traceId === traceId && span.kind === CLIENT).sort((a, b) => Number(attribute(a, 'switchboard.attempt')) - Number(attribute(b, 'switchboard.attempt')));
    expect(attempts.map((span) => attribute(span, 'switchboard.attempt'))).toEqual([1, 2]);
    expect(attribute(attempts[0]!, 'error.type')).toBe('500');
    expect(attribute(attempts[1]!, 'error.type')).toBeUndefined();
    // The answer's finish reason goes on the attempt that produced it, not on the failed one.
    expect(finishReasons(attempts[0]!)).toBeUndefined();
    expect(finishReasons(attempts[1]!)).toEqual(['stop']);
  });

  it('exports no message content without the opt-in and no key anywhere', async () => {
    await waitForSpans((found) => found.length >= 4);
    const exported = bodies.join('\n');
    expect(exported).not.toContain('gen_ai.input.messages');
    expect(exported).not.toContain('gen_ai.output.messages');
    expect(exported).not.toContain('a secret-ish prompt');
    expect(exported).not.toContain(USER_KEY);
    expect(exported).not.toContain(token);
    expect(exported).not.toContain(server.masterKey);
    expect(server.logs.text()).not.toContain(USER_KEY);
  });

  it('adds the request messages to the CLIENT span only with SWITCHBOARD_OTEL_CAPTURE_CONTENT=true', async () => {
    // A second replica on the same database and receiver, opted in (the process's tracer provider is shared).
    const optedIn = await startTestServer(
      {
        SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
        SWITCHBOARD_OTEL_CAPTURE_CONTENT: 'true',
        SWITCHBOARD_MASTER_KEY: server.masterKey,
      },
      { database: server.database },
    );
    try {
      const traceId = 'c'.repeat(31) + '3';
      const response = await fetch(`${optedIn.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', traceparent: `00-${traceId}-${PARENT_ID}-01` },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'an opted-in prompt' }] }),
      });
      expect(response.status).toBe(200);
      const all = await waitForSpans((found) => found.some((span) => span.traceId === traceId && span.kind === CLIENT));
      const clientSpan = all.find((span) => span.traceId === traceId && span.kind === CLIENT)!;
      expect(String(attribute(clientSpan, 'gen_ai.input.messages'))).toContain('an opted-in prompt');
      expect(bodies.join('\n')).not.toContain(USER_KEY);
    } finally {
      await optedIn.close();
    }
  });
});
