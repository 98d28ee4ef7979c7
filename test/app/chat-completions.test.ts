/**
 * Issue 2's core promise, driven as a user would: the official OpenAI SDK calls Switchboard, and
 * Switchboard calls the provider with *that user's* stored key, streamed and not, for OpenAI and
 * Anthropic integrations. Fake providers on 127.0.0.1 speak the real wire formats.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { createIntegration, openaiSdk, usageRows, type UsageRow } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let openaiFake: FakeProvider;
let anthropicFake: FakeProvider;
const ALICE_OPENAI_KEY = 'sk-alice-openai-000000000000000000001';
const BOB_OPENAI_KEY = 'sk-bob-openai-0000000000000000000002';
const ALICE_ANTHROPIC_KEY = 'sk-ant-alice-00000000000000000000003';


const addIntegration = (token: string, body: Record<string, unknown>): Promise<{ id: string; key_last4: string }> =>
  createIntegration(server, token, body);

const sdk = (token: string): OpenAI => openaiSdk(server, token);

const usageOf = (token: string): Promise<UsageRow[]> => usageRows(server, token);

let alice: { token: string; openaiIntegration: string; anthropicIntegration: string };
let bob: { token: string; openaiIntegration: string };

beforeAll(async () => {
  openaiFake = await startFakeOpenAI({ keys: [ALICE_OPENAI_KEY, BOB_OPENAI_KEY] });
  anthropicFake = await startFakeAnthropic({ keys: [ALICE_ANTHROPIC_KEY] });
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl,
    SWITCHBOARD_ANTHROPIC_BASE_URL: anthropicFake.baseUrl,
    SWITCHBOARD_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '1500',
  });
  const a = await server.signIn();
  const b = await server.signIn();
  alice = {
    token: a.token,
    openaiIntegration: (await addIntegration(a.token, { service: 'openai', api_key: ALICE_OPENAI_KEY })).id,
    anthropicIntegration: (await addIntegration(a.token, { service: 'anthropic', api_key: ALICE_ANTHROPIC_KEY })).id,
  };
  bob = { token: b.token, openaiIntegration: (await addIntegration(b.token, { service: 'openai', api_key: BOB_OPENAI_KEY })).id };
});

afterAll(async () => {
  await server?.close();
  await openaiFake?.close();
  await anthropicFake?.close();
});

describe('OpenAI through the official SDK', () => {
  it('answers a non-streamed call with the caller’s own key, and labels the response', async () => {
    const { data, response } = await sdk(alice.token)
      .chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello from fake-openai (key #1).');
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.openaiIntegration);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const upstream = openaiFake.requests.at(-1)!;
    expect(upstream.credential).toBe(ALICE_OPENAI_KEY);
    expect((upstream.body as { model: string }).model).toBe('gpt-4o-mini');
  });

  it('answers with the provider’s own bytes when the answer passes through unchanged', async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    // The fake pretty-prints as OpenAI does; a re-encoding would be compact.
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2));
    expect(JSON.parse(text)).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'Hello from fake-openai (key #1).' } }] });
  });

  it('uses each user’s own key: Bob’s call is served by Bob’s key', async () => {
    const completion = await sdk(bob.token).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from fake-openai (key #2).');
    expect(openaiFake.requests.at(-1)!.credential).toBe(BOB_OPENAI_KEY);
  });

  it('streams, with the final usage chunk only when the client asks for it', async () => {
    const withUsage = await sdk(alice.token).chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from fake-openai (key #1).');
    expect(usage?.completion_tokens).toBeGreaterThan(0);

    const withoutUsage = await sdk(alice.token).chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of withoutUsage) chunks.push(chunk);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    // Switchboard always asks the provider for usage, so metering works either way.
    expect((openaiFake.requests.at(-1)!.body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage).toBe(true);
  });

  it('passes tool calls through, streamed and not', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      },
    ];
    const completion = await sdk(alice.token).chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('get_weather');

    const stream = sdk(alice.token).chat.completions.stream({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
    });
    const final = await stream.finalChatCompletion();
    const streamedCall = final.choices[0]?.message.tool_calls?.[0];
    expect(streamedCall?.type === 'function' ? JSON.parse(streamedCall.function.arguments) : undefined).toHaveProperty('city');
  });
});

describe('Anthropic through the OpenAI SDK (translated to the Messages API)', () => {
  it('translates a non-streamed call and back, with the caller’s Anthropic key', async () => {
    const { data, response } = await sdk(alice.token)
      .chat.completions.create({
        model: 'anthropic/claude-sonnet-4-5',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Say hello' },
        ],
        max_tokens: 64,
      })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content).toContain('fake-anthropic');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.anthropicIntegration);
    const upstream = anthropicFake.requests.at(-1)!;
    expect(upstream.path).toBe('/v1/messages');
    expect(upstream.credential).toBe(ALICE_ANTHROPIC_KEY);
    expect(upstream.body).toMatchObject({ model: 'claude-sonnet-4-5', system: 'Be brief.', max_tokens: 64 });
  });

  it('translates a stream, including usage and the stop reason', async () => {
    const stream = await sdk(alice.token).chat.completions.create({
      model: 'anthropic/claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toContain('fake-anthropic');
    expect(finish).toBe('stop');
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('translates tool use both ways', async () => {
    const final = await sdk(alice.token)
      .chat.completions.stream({
        model: 'anthropic/claude-sonnet-4-5',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          },
        ],
      })
      .finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('get_weather');
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toHaveProperty('city');
    expect((anthropicFake.requests.at(-1)!.body as { tools: unknown[] }).tools).toEqual([
      expect.objectContaining({ name: 'get_weather', input_schema: expect.objectContaining({ type: 'object' }) }),
    ]);
  });
});

describe('errors say who must act', () => {
  it('a key the provider rejects is the user’s to fix (401, provider_key_rejected)', async () => {
    const stranger = await server.signIn();
    await addIntegration(stranger.token, { service: 'openai', api_key: 'sk-not-a-key-the-fake-knows-123456' });
    const error = await sdk(stranger.token)
      .chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.code).toBe('provider_key_rejected');
    expect((apiError.error as { source: string }).source).toBe('user');
    expect(apiError.message).not.toContain('sk-not-a-key-the-fake-knows-123456');
  });

  it('a provider 5xx is the provider’s fault (502)', async () => {
    const error = (await sdk(alice.token)
      .chat.completions.create({ model: 'openai/fake-error-500', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.headers?.get('x-switchboard-integration')).toBe(alice.openaiIntegration);
    expect(error.headers?.get('x-request-id')).toMatch(/^req_/);
    expect((error.error as { source: string }).source).toBe('provider');
    expect(error.code).toBe('provider_error');
  });

  it('a provider 429 passes Retry-After on', async () => {
    const response = await server.api('/v1/chat/completions', {
      token: alice.token,
      body: { model: 'openai/fake-error-429', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('provider_rate_limited');
  });

  it('a provider that never answers times out as 504', async () => {
    const response = await server.api('/v1/chat/completions', {
      token: alice.token,
      body: { model: 'openai/fake-hang', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { code: string; source: string } }).error).toMatchObject({
      code: 'provider_timeout',
      source: 'provider',
    });
  });

  it('a stream the provider breaks off ends with an error event the SDK raises', async () => {
    const stream = await sdk(alice.token).chat.completions.create({
      model: 'openai/fake-stream-cut',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const consume = async () => {
      for await (const chunk of stream) void chunk;
    };
    await expect(consume()).rejects.toThrow(/provider/i);
  });

  it('no integration for the service is a clear 400', async () => {
    const carol = await server.signIn();
    const response = await server.api('/v1/chat/completions', {
      token: carol.token,
      body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('integration_missing');
  });

  it.each([
    ['no token', undefined, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, 401, 'unauthenticated'],
    ['a forged token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', { model: 'openai/gpt-4o-mini', messages: [] }, 401, 'unauthenticated'],
    ['invalid JSON', 'alice', '{"model":', 400, 'invalid_json'],
    ['no messages', 'alice', { model: 'openai/gpt-4o-mini', messages: [] }, 400, 'invalid_request'],
    ['an unknown model', 'alice', { model: 'mystery-model', messages: [{ role: 'user', content: 'hi' }] }, 400, 'unknown_model'],
  ])('%s → %i %s', async (_name, who, body, status, code) => {
    const token = who === 'alice' ? alice.token : who;
    const response = await server.api('/v1/chat/completions', { ...(token ? { token } : {}), body });
    expect(response.status).toBe(status);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
  });
});

describe('metering', () => {
  it('records every call, streamed ones included, with tokens and cost; unpriced is not $0', async () => {
    const { response } = await sdk(alice.token)
      .chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], stream: true })
      .withResponse();
    const requestId = response.headers.get('x-request-id')!;
    // The stream must be consumed for the call to complete.
    await sdk(alice.token).chat.completions.create({ model: 'openai/gpt-unpriced-preview', messages: [{ role: 'user', content: 'hi' }] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const rows = await usageOf(alice.token);
    const streamed = rows.find((row) => row.request_id === requestId);
    expect(streamed).toMatchObject({ service: 'openai', model: 'gpt-4o-mini', stream: true, status: 200, priced: true });
    expect(streamed?.input_tokens).toBeGreaterThan(0);
    expect(streamed?.output_tokens).toBeGreaterThan(0);
    expect(streamed?.cost_micros).toBeGreaterThan(0);
    expect(streamed?.integration_id).toBe(alice.openaiIntegration);
    expect(streamed?.ttft_ms).not.toBeNull();

    const unpriced = rows.find((row) => row.model === 'gpt-unpriced-preview');
    expect(unpriced).toMatchObject({ priced: false, cost_micros: null, status: 200 });

    const anthropicRows = rows.filter((row) => row.service === 'anthropic' && row.status === 200);
    expect(anthropicRows.length).toBeGreaterThanOrEqual(3);
    for (const row of anthropicRows) expect(row.cost_micros).toBeGreaterThan(0);

    const failed = rows.find((row) => row.model === 'fake-error-500');
    expect(failed).toMatchObject({ status: 502, error_source: 'provider' });
  });

  it('records a call whose model name PostgreSQL cannot store as text, without holding up the other records', async () => {
    // A NUL and a lone surrogate half, as a client's JSON escapes can put them in `model`.
    const odd = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
      body: '{"model":"openai/gpt-4o-mini-\\u0000-\\ud83d","messages":[{"role":"user","content":"hi"}]}',
    });
    const oddId = odd.headers.get('x-request-id');
    const { response } = await sdk(bob.token).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'after' }] }).withResponse();
    expect(await server.running.services.recorder.flush()).toBe(true);
    const rows = await usageOf(bob.token);
    expect(rows.find((row) => row.request_id === oddId)?.model).toBe('gpt-4o-mini-\ufffd-\ufffd');
    expect(rows.find((row) => row.request_id === response.headers.get('x-request-id'))).toMatchObject({ model: 'gpt-4o-mini', status: 200 });
  });

  it('shows each user only their own records', async () => {
    const bobRows = await usageOf(bob.token);
    expect(bobRows.length).toBeGreaterThan(0);
    expect(bobRows.every((row) => row.integration_id === bob.openaiIntegration)).toBe(true);
  });
});

describe('the AI path in steady state', () => {
  const appQueries = async () => {
    const text = await (await server.api('/metrics')).text();
    const match = /^switchboard_db_queries_total\{pool="app"\} (\d+)/m.exec(text);
    return Number(match?.[1] ?? Number.NaN);
  };

  it('sends no query to PostgreSQL per request (identity, key and usage come from caches and batches)', async () => {
    await sdk(alice.token).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'warm' }] });
    await sdk(alice.token).chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'warm' }] });
    const before = await appQueries();
    expect(before).toBeGreaterThan(0);
    for (let index = 0; index < 5; index += 1) {
      await sdk(alice.token).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      const stream = await sdk(alice.token).chat.completions.create({
        model: 'anthropic/claude-haiku-4-5',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
      for await (const chunk of stream) void chunk;
    }
    expect(await appQueries()).toBe(before);
  });
});
