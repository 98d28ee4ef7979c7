/**
 * Issue 5, "Anthropic-compatible inbound": the official @anthropic-ai/sdk calls Switchboard's
 * POST /v1/messages with a platform key, and Switchboard serves it (a) from an OpenAI-backed model
 * by translation, (b) from an Anthropic-backed model natively. Fake providers on 127.0.0.1 speak the
 * real wire formats; usage is checked through GET /api/usage, logs for secrets.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const OPENAI_KEY = 'sk-msgs-openai-0000000000000000000000001';
const ANTHROPIC_KEY = 'sk-ant-msgs-00000000000000000000000002';

let server: TestServer;
let openaiFake: FakeProvider;
let anthropicFake: FakeProvider;
type ApiError = InstanceType<typeof Anthropic.APIError>;
let user: { token: string; platformKey: string; openaiIntegration: string; anthropicIntegration: string };

interface UsageRow {
  request_id: string;
  service: string;
  model: string;
  operation: string;
  stream: boolean;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_micros: number | null;
  status: number;
  error_code: string | null;
  error_source: string | null;
  ttft_ms: number | null;
}

/** Claude Code style: the key in `x-api-key`. */
function claude(key = user.platformKey): Anthropic {
  return new Anthropic({ apiKey: null, authToken: null, baseURL: server.url, maxRetries: 0, defaultHeaders: { 'x-api-key': key } });
}

/** The SDK's own default: `Authorization: Bearer`. */
function claudeBearer(key = user.platformKey): Anthropic {
  return new Anthropic({ apiKey: key, baseURL: server.url, maxRetries: 0 });
}

async function usage(): Promise<UsageRow[]> {
  await server.running.services.recorder.flush();
  const response = await server.api('/api/usage?limit=200', { token: user.token });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: UsageRow[] }).data;
}

/** The raw SSE event names and payloads of a /v1/messages stream. */
async function rawEvents(body: Record<string, unknown>): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const response = await fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': user.platformKey, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

beforeAll(async () => {
  openaiFake = await startFakeOpenAI({ keys: [OPENAI_KEY] });
  anthropicFake = await startFakeAnthropic({ keys: [ANTHROPIC_KEY] });
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl,
    SWITCHBOARD_ANTHROPIC_BASE_URL: anthropicFake.baseUrl,
    SWITCHBOARD_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '1500',
  });
  const signedIn = await server.signIn();
  const add = async (body: Record<string, unknown>) => {
    const response = await server.api('/api/integrations', { token: signedIn.token, body });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const openaiIntegration = await add({ service: 'openai', api_key: OPENAI_KEY });
  const anthropicIntegration = await add({ service: 'anthropic', api_key: ANTHROPIC_KEY });
  const keyResponse = await server.api('/api/keys', { token: signedIn.token, body: { name: 'claude code' } });
  expect(keyResponse.status).toBe(201);
  const platformKey = ((await keyResponse.json()) as { key: string }).key;
  user = { token: signedIn.token, platformKey, openaiIntegration, anthropicIntegration };
});

afterAll(async () => {
  await server?.close();
  await openaiFake?.close();
  await anthropicFake?.close();
});

describe('an OpenAI-backed model through the Anthropic SDK (translated)', () => {
  it('answers messages.create with a Messages `message`, using the caller’s OpenAI key', async () => {
    const { data, response } = await claude()
      .messages.create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 256,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Say hello' }],
        metadata: { user_id: 'end-user-7' },
      })
      .withResponse();
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello from fake-openai (key #1).' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(data.id).toMatch(/^msg_/);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(response.headers.get('x-request-id')).toBe(response.headers.get('request-id'));
    expect(response.headers.get('x-switchboard-integration')).toBe(user.openaiIntegration);

    const upstream = openaiFake.requests.at(-1)!;
    expect(upstream.path).toBe('/v1/chat/completions');
    expect(upstream.credential).toBe(OPENAI_KEY);
    expect(upstream.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      max_completion_tokens: 256,
      user: 'end-user-7',
    });
  });

  it('streams the exact Anthropic event sequence, and messages.stream() rebuilds the final message', async () => {
    const events = await rawEvents({ model: 'openai/gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }] });
    const names = events.map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(new Set(names.slice(3, -3))).toEqual(new Set(['content_block_delta']));
    for (const { event, data } of events) expect(data.type).toBe(event);
    expect(events.at(-2)!.data).toMatchObject({ delta: { stop_reason: 'end_turn', stop_sequence: null } });

    const stream = claude().messages.stream({ model: 'openai/gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }] });
    let streamedText = '';
    stream.on('text', (delta) => {
      streamedText += delta;
    });
    const message = await stream.finalMessage();
    expect(streamedText).toBe('Hello from fake-openai (key #1).');
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from fake-openai (key #1).' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('round-trips tool use: tool_use with parsed input, then the tool_result answered', async () => {
    const first = await claudeBearer().messages.create({
      model: 'openai/gpt-4o-mini',
      max_tokens: 256,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content.find((block) => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'fake-value' } });
    if (toolUse?.type !== 'tool_use') throw new Error('no tool_use block');

    const second = await claudeBearer().messages.create({
      model: 'openai/gpt-4o-mini',
      max_tokens: 256,
      tools: [weatherTool],
      tool_choice: { type: 'none' },
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'Sunny, 21 °C', is_error: false }, { type: 'text', text: 'Thanks' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Hello from fake-openai (key #1).' }]);
    const sent = openaiFake.requests.at(-1)!.body as { messages: unknown[]; tool_choice: unknown; tools: unknown[] };
    expect(sent.tool_choice).toBe('none');
    expect(sent.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: toolUse.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"fake-value"}' } }] },
      { role: 'tool', tool_call_id: toolUse.id, content: 'Sunny, 21 °C' },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('streams tool calls as input_json_delta, which the SDK accumulates into `input`', async () => {
    const stream = claude().messages.stream({
      model: 'openai/gpt-4o-mini',
      max_tokens: 256,
      tools: [weatherTool],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'fake-value' } });
    expect((openaiFake.requests.at(-1)!.body as { tool_choice: unknown }).tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
  });
});

describe('an Anthropic-backed model (native)', () => {
  it('forwards the body as sent (model id replaced) with the caller’s Anthropic key and version headers', async () => {
    const request = {
      model: 'anthropic/claude-haiku-4-5',
      max_tokens: 128,
      system: [{ type: 'text' as const, text: 'Be brief.', cache_control: { type: 'ephemeral' as const } }],
      messages: [{ role: 'user' as const, content: 'Say hello' }],
    };
    const { data, response } = await claude()
      .messages.create(request, { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } })
      .withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'Hello from fake-anthropic (key #1).' }]);
    expect(data.id).toMatch(/^msg_/);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchboard-integration')).toBe(user.anthropicIntegration);
    const upstream = anthropicFake.requests.at(-1)!;
    expect(upstream.credential).toBe(ANTHROPIC_KEY);
    expect(upstream.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(upstream.headers.authorization).toBeUndefined();
    expect(upstream.headers['anthropic-version']).toBe('2026-10-21');
    expect(upstream.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(upstream.body).toEqual({ ...request, model: 'claude-haiku-4-5' });
  });

  it('takes a Claude Code style request (?beta=true, betas, thinking, cached system blocks) untouched', async () => {
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
      metadata: { user_id: `user_${'a'.repeat(64)}_account__session_00000000-0000-4000-8000-000000000000` },
    };
    const response = await fetch(`${server.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': user.platformKey,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { content: unknown[] }).content).toEqual([{ type: 'text', text: 'Hello from fake-anthropic (key #1).' }]);
    const upstream = anthropicFake.requests.at(-1)!;
    expect(upstream.body).toEqual(body);
    expect(upstream.headers['anthropic-version']).toBe('2023-06-01');
    expect(upstream.headers['anthropic-beta']).toBe('claude-code-20250219,interleaved-thinking-2025-05-14');
  });

  it('relays the stream; messages.stream() rebuilds text and tool use', async () => {
    const events = await rawEvents({ model: 'anthropic/claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }] });
    expect(events[0]!.event).toBe('message_start');
    expect(events.at(-1)!.event).toBe('message_stop');

    const message = await claude()
      .messages.stream({ model: 'anthropic/claude-haiku-4-5', max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather?' }] })
      .finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.find((block) => block.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'fake-value' } });
    expect(message.usage.output_tokens).toBeGreaterThan(1);
  });
});

describe('errors in Anthropic’s shape, raised as the SDK’s APIError subclasses', () => {
  it('a missing or wrong key is an AuthenticationError (401), with request-id', async () => {
    const error = await claude('sk-sb-not-a-real-key').messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    const apiError = error as InstanceType<typeof Anthropic.AuthenticationError>;
    expect(apiError.status).toBe(401);
    expect(apiError.type).toBe('authentication_error');
    expect(apiError.requestID).toMatch(/^req_/);

    const raw = await fetch(`${server.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(raw.status).toBe(401);
    const body = (await raw.json()) as { type: string; error: { type: string; message: string; source: string }; request_id: string };
    expect(body).toMatchObject({ type: 'error', error: { type: 'authentication_error', source: 'user' } });
    expect(body.request_id).toBe(raw.headers.get('request-id'));
  });

  it.each([
    ['max_tokens missing', 'invalid_request', { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }],
    ['an empty text block', 'invalid_request', { model: 'openai/gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }],
    [
      'a tool_result with no tool_use before it',
      'invalid_request',
      { model: 'openai/gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'x' }] }] },
    ],
    ['top_k for an OpenAI model', 'unsupported_parameter', { model: 'openai/gpt-4o-mini', max_tokens: 8, top_k: 5, messages: [{ role: 'user', content: 'hi' }] }],
    [
      'thinking for an OpenAI model',
      'unsupported_parameter',
      { model: 'openai/gpt-4o-mini', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'hi' }] },
    ],
    ['an unknown model', 'unknown_model', { model: 'mystery-model', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }],
  ])('%s is a BadRequestError (400, %s)', async (_name, code, body) => {
    const before = openaiFake.requests.length;
    const error = await claude().messages.create(body as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const apiError = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(apiError.type).toBe('invalid_request_error');
    expect(apiError.errorCode).toBe(code);
    expect(openaiFake.requests.length).toBe(before);
  });

  it('provider failures keep their meaning: 429 RateLimitError, 5xx InternalServerError, overload 503', async () => {
    const limited = await claude().messages.create({ model: 'openai/fake-error-429', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as ApiError).headers?.get('retry-after')).toBeTruthy();

    const failed = await claude().messages.create({ model: 'openai/fake-error-500', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Anthropic.InternalServerError);
    expect((failed as ApiError).status).toBe(502);
    expect((failed as ApiError).type).toBe('api_error');

    const overloaded = await claude().messages.create({ model: 'anthropic/fake-error-529', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect((overloaded as ApiError).status).toBe(503);
    expect((overloaded as ApiError).type).toBe('overloaded_error');
  });

  it('a stream the provider breaks off ends with an `error` event the SDK raises', async () => {
    for (const model of ['openai/fake-stream-cut', 'anthropic/fake-stream-error']) {
      const stream = claude().messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
      const error = await stream.finalMessage().catch((e: unknown) => e);
      expect(error, model).toBeInstanceOf(Anthropic.APIError);
      expect((error as ApiError).type, model).toMatch(/^(api_error|overloaded_error)$/);
    }
  });
});

describe('metering and secrets', () => {
  it('meters every call as operation "messages", streamed ones and failures included', async () => {
    const { data: events, response } = await claude()
      .messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 32, messages: [{ role: 'user', content: 'meter me' }], stream: true })
      .withResponse();
    const streamedId = response.headers.get('request-id')!;
    for await (const event of events) void event;
    const { response: nativeResponse } = await claude()
      .messages.create({ model: 'anthropic/claude-haiku-4-5', max_tokens: 32, messages: [{ role: 'user', content: 'meter me' }] })
      .withResponse();
    const nativeId = nativeResponse.headers.get('request-id')!;
    const rows = await usage();

    const streamed = rows.find((row) => row.request_id === streamedId);
    expect(streamed).toMatchObject({ operation: 'messages', service: 'openai', model: 'gpt-4o-mini', stream: true, status: 200 });
    expect(streamed?.input_tokens).toBeGreaterThan(0);
    expect(streamed?.output_tokens).toBeGreaterThan(0);
    expect(streamed?.cost_micros).toBeGreaterThan(0);
    const native = rows.find((row) => row.request_id === nativeId);
    expect(native).toMatchObject({ operation: 'messages', service: 'anthropic', model: 'claude-haiku-4-5', stream: false, status: 200 });
    expect(native?.input_tokens).toBeGreaterThan(0);
    expect(native?.output_tokens).toBeGreaterThan(0);
    expect(native?.cost_micros).toBeGreaterThan(0);

    const messagesRows = rows.filter((row) => row.operation === 'messages');
    const okStreams = messagesRows.filter((row) => row.stream && row.status === 200);
    expect(okStreams.length).toBeGreaterThanOrEqual(3);
    for (const row of okStreams) {
      expect(row.output_tokens).toBeGreaterThan(0);
      expect(row.ttft_ms).not.toBeNull();
    }
    expect(messagesRows.find((row) => row.model === 'fake-error-500')).toMatchObject({ status: 502, error_source: 'provider' });
    // The fake destroys the socket mid-stream: the provider is at fault, and the status says so.
    expect(messagesRows.find((row) => row.model === 'fake-stream-cut')).toMatchObject({ stream: true, status: 502, error_source: 'provider' });
  });

  it('never logs a provider key or the platform key', async () => {
    const logs = server.logs.text();
    expect(logs).toContain('/v1/messages');
    for (const secret of [OPENAI_KEY, ANTHROPIC_KEY, user.platformKey]) expect(logs).not.toContain(secret);
  });
});
