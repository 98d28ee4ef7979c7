/**
 * The canary: plant a unique provider key, drive successes and every kind of provider failure
 * (including providers that echo the key back in full), then search everything Switchboard
 * produced — every log line at debug level, every response body and header, every database row —
 * for the key. It may exist only as ciphertext.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const OPENAI_CANARY = `sk-canary${randomBytes(20).toString('hex')}`;
const ANTHROPIC_CANARY = `sk-ant-canary${randomBytes(20).toString('hex')}`;
const canaries = [OPENAI_CANARY, ANTHROPIC_CANARY];

let server: TestServer;
let openaiFake: FakeProvider;
let anthropicFake: FakeProvider;
let token: string;
/** Everything any client received: status line, headers and body of every response. */
const seen: string[] = [];

async function call(path: string, body?: unknown, method?: string): Promise<Response> {
  const response = await server.api(path, { token, ...(body === undefined ? {} : { body }), ...(method ? { method } : {}) });
  const text = await response.text();
  seen.push(`${response.status} ${JSON.stringify([...response.headers])}\n${text}`);
  return new Response(text, { status: response.status, headers: response.headers });
}

const chat = (model: string, stream = false) =>
  call('/v1/chat/completions', { model, stream, messages: [{ role: 'user', content: 'hello' }], max_tokens: 32 });

const echoingError = (status: number, key: string) => ({
  kind: 'error' as const,
  status,
  body: { error: { message: `Incorrect API key provided: ${key}. Bearer ${key}`, type: 'invalid_request_error', code: 'invalid_api_key' } },
});

beforeAll(async () => {
  openaiFake = await startFakeOpenAI({ keys: [OPENAI_CANARY] });
  anthropicFake = await startFakeAnthropic({ keys: [ANTHROPIC_CANARY] });
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl,
    SWITCHBOARD_ANTHROPIC_BASE_URL: anthropicFake.baseUrl,
    SWITCHBOARD_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '800',
    LOG_LEVEL: 'trace',
  });
  ({ token } = await server.signIn());
  expect((await call('/api/integrations', { service: 'openai', api_key: OPENAI_CANARY })).status).toBe(201);
  expect((await call('/api/integrations', { service: 'anthropic', api_key: ANTHROPIC_CANARY, name: 'claude' })).status).toBe(201);
});

afterAll(async () => {
  await server?.close();
  await openaiFake?.close();
  await anthropicFake?.close();
});

describe('a planted provider key never leaks', () => {
  it('is used for successful calls, streamed and not', async () => {
    expect((await chat('openai/gpt-4o-mini')).status).toBe(200);
    expect((await chat('openai/gpt-4o-mini', true)).status).toBe(200);
    expect((await chat('anthropic/claude-haiku-4-5')).status).toBe(200);
    expect((await chat('anthropic/claude-haiku-4-5', true)).status).toBe(200);
    expect(openaiFake.requests.filter((request) => request.credential === OPENAI_CANARY).length).toBe(2);
    expect(anthropicFake.requests.filter((request) => request.credential === ANTHROPIC_CANARY).length).toBe(2);
  });

  it('survives provider errors that echo the key in full', async () => {
    for (const status of [401, 403, 400, 429, 500]) {
      openaiFake.enqueue(echoingError(status, OPENAI_CANARY));
      expect((await chat('openai/gpt-4o-mini')).status).toBeGreaterThanOrEqual(400);
      anthropicFake.enqueue({
        kind: 'error',
        status,
        body: { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${ANTHROPIC_CANARY}` } },
      });
      expect((await chat('anthropic/claude-haiku-4-5')).status).toBeGreaterThanOrEqual(400);
    }
    // The fakes' own error bodies, which mask the key the way the real APIs do.
    expect((await chat('openai/fake-error-401')).status).toBe(401);
    expect((await chat('openai/fake-error-429')).status).toBe(429);
    expect((await chat('openai/fake-error-500')).status).toBe(502);
  });

  it('survives timeouts and broken streams', async () => {
    expect((await chat('openai/fake-hang')).status).toBe(504);
    expect((await chat('openai/fake-stream-cut', true)).status).toBe(200);
    expect((await chat('anthropic/fake-stream-error', true)).status).toBe(200);
  });

  it('is shown masked when integrations are read back', async () => {
    const list = await call('/api/integrations');
    const { data } = (await list.json()) as { data: Array<{ key_last4: string }> };
    expect(data.map((item) => item.key_last4).sort()).toEqual(canaries.map((key) => key.slice(-4)).sort());
  });

  it('appears in no response, no log line, and no database row except as ciphertext', async () => {
    await server.running.services.recorder.flush();
    const responses = seen.join('\n');
    const logs = server.logs.text();
    expect(logs.length).toBeGreaterThan(1000);
    for (const canary of canaries) {
      expect(responses).not.toContain(canary);
      expect(logs).not.toContain(canary);
      // Masked echoes keep at most the 4 characters we show anyway.
      expect(logs).not.toContain(canary.slice(0, 16));
      expect(responses).not.toContain(canary.slice(0, 16));
    }

    const client = new pg.Client({ connectionString: server.database.url });
    await client.connect();
    try {
      const tables = await client.query<{ name: string }>(
        "select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'",
      );
      expect(tables.rows.length).toBeGreaterThan(10);
      for (const { name } of tables.rows) {
        const rows = await client.query<{ row: string }>(`select row_to_json(t)::text as row from ${name} t`);
        for (const { row } of rows.rows) for (const canary of canaries) expect(row, name).not.toContain(canary);
      }
      const secrets = await client.query<{ api_key_encrypted: Buffer }>('select api_key_encrypted from integrations');
      expect(secrets.rows).toHaveLength(2);
      for (const { api_key_encrypted: blob } of secrets.rows) {
        for (const canary of canaries) expect(blob.includes(Buffer.from(canary))).toBe(false);
        expect(blob[0]).toBe(0x01);
      }
    } finally {
      await client.end();
    }
  });
});
