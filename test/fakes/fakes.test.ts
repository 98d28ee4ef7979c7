/**
 * Proves the fakes speak the providers' real wire formats by driving them with the official
 * SDKs: if openai-node or @anthropic-ai/sdk can parse an answer (and raise the right typed error),
 * so can a gateway written against the same formats.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicAnswer, startFakeAnthropic } from './anthropic.js';
import type { FakeProvider } from './fake-server.js';
import { insufficientQuota, openAIAnswer, startFakeOpenAI } from './openai.js';

const OPENAI_KEYS = ['sk-test-first-0000000000000000001', 'sk-test-second-000000000000000002'] as const;
const ANTHROPIC_KEYS = ['sk-ant-test-first-000000000001', 'sk-ant-test-second-00000000002'] as const;

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  schema: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
  },
};

describe('fake OpenAI, driven by openai-node', () => {
  let fake: FakeProvider;
  const client = (key: string = OPENAI_KEYS[0], timeout?: number): OpenAI =>
    new OpenAI({ apiKey: key, baseURL: fake.baseUrl, maxRetries: 0, ...(timeout === undefined ? {} : { timeout }) });

  beforeAll(async () => {
    fake = await startFakeOpenAI({ keys: OPENAI_KEYS });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('answers a chat completion with the serving key, usage and request id', async () => {
    const { data, request_id } = await client(OPENAI_KEYS[1])
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi there' }] })
      .withResponse();

    expect(data.object).toBe('chat.completion');
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: openAIAnswer(2), refusal: null });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0));
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(data.usage?.completion_tokens_details?.reasoning_tokens).toBe(0);
    expect(request_id).toMatch(/^req_[0-9a-f]{32}$/);

    const [recorded] = fake.requests;
    expect(recorded).toMatchObject({ method: 'POST', path: '/v1/chat/completions', credential: OPENAI_KEYS[1] });
    expect(recorded?.body).toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('streams chunks without usage unless include_usage is set', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && !('usage' in chunk))).toBe(true);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(openAIAnswer(1));
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('ends an include_usage stream with a usage chunk whose choices are empty', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ completion_tokens: 5, total_tokens: (last?.usage?.prompt_tokens ?? 0) + 5 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('honours max_tokens and stop', async () => {
    const cut = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 2,
    });
    expect(cut.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'Hello from ' } });

    const stopped = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stop: ['fake'],
    });
    expect(stopped.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Hello from ' } });
  });

  const { name, description, schema: parameters } = weatherTool;
  const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name, description, parameters } }];
  const weatherArgs = { city: 'fake-value', unit: 'celsius' };

  it('calls a tool when tools are given', async () => {
    const completion = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.id).toMatch(/^call_/);
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(weatherArgs);

    const none = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: 'none',
    });
    expect(none.choices[0]?.message.content).toBe(openAIAnswer(1));
  });

  it('streams tool_calls deltas that the SDK assembles into a call', async () => {
    const stream = client().chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];

    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(weatherArgs);
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('lists models', async () => {
    const models = [];
    for await (const model of client().models.list()) models.push(model.id);
    expect(models).toContain('gpt-4o-mini');
  });

  it('rejects an unknown key with the real 401 body, key masked', async () => {
    const error = await client('sk-unknown-abcdefghijklmnopqrstuvwxyz')
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    // First 8 and last 4 characters shown, the 25 between starred.
    expect((error as Error).message).toBe(
      `401 Incorrect API key provided: sk-unkno${'*'.repeat(25)}wxyz. ` +
        'You can find your API key at https://platform.openai.com/account/api-keys.',
    );
  });

  it('raises RateLimitError with retry-after and rate-limit headers on a queued 429', async () => {
    fake.enqueue({ kind: 'error', status: 429 });
    const error = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    const headers = (error as InstanceType<typeof OpenAI.RateLimitError>).headers;
    expect(headers.get('retry-after')).toBe('1');
    expect(headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('passes a queued custom body through, e.g. insufficient_quota', async () => {
    fake.enqueue({ kind: 'error', status: 429, body: insufficientQuota() });
    const error = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
  });

  it('fails on magic model names, so failures work through a gateway', async () => {
    const ask = (model: string): Promise<unknown> =>
      client()
        .chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] })
        .catch((e: unknown) => e);

    expect(await ask('fake-error-500')).toBeInstanceOf(OpenAI.InternalServerError);
    expect(await ask('fake-error-500')).toMatchObject({ status: 500, type: 'server_error' });
    expect(await ask('fake-error-429')).toBeInstanceOf(OpenAI.RateLimitError);
    expect(await ask('fake-error-401')).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('hangs until the client times out', async () => {
    fake.enqueue({ kind: 'hang' });
    const error = await client(OPENAI_KEYS[0], 200)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it('reports a mid-stream error as the data: {"error":…} payload the SDK throws on', async () => {
    fake.enqueue({ kind: 'stream-error', afterEvents: 2 });
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);

    expect(received).toHaveLength(2);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ type: 'server_error' });
  });

  it('cuts a stream mid-way', async () => {
    fake.enqueue({ kind: 'stream-cut', afterEvents: 3 });
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let count = 0;
    const error = await (async () => {
      for await (const chunk of stream) if (chunk) count += 1;
    })().catch((e: unknown) => e);

    expect(count).toBe(3);
    expect(error).toBeInstanceOf(Error);
  });

  it('paces a slow stream so time-to-first-token is measurable', async () => {
    fake.enqueue({ kind: 'slow-stream', chunks: 4, intervalMs: 60 });
    const startedAt = Date.now();
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const contentAt: number[] = [];
    const pieces: string[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        contentAt.push(Date.now() - startedAt);
        pieces.push(content);
      }
    }
    expect(pieces).toHaveLength(4);
    expect(pieces.join('')).toBe(openAIAnswer(1));
    // The first content chunk follows the role chunk after one interval; the last after four.
    expect(contentAt[0]).toBeLessThan(contentAt[3]! - 150);
  });
});

describe('fake Anthropic, driven by @anthropic-ai/sdk', () => {
  let fake: FakeProvider;
  const client = (key: string = ANTHROPIC_KEYS[0]): Anthropic =>
    new Anthropic({ apiKey: key, baseURL: fake.baseUrl, maxRetries: 0 });
  const hello: Anthropic.MessageCreateParamsNonStreaming = {
    model: 'claude-haiku-4-5',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'Hello' }],
  };

  beforeAll(async () => {
    fake = await startFakeAnthropic({ keys: ANTHROPIC_KEYS });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  const VERSION_2023 = { 'anthropic-version': '2023-06-01' };
  /** Raw calls, to send what the SDK never would (missing headers or fields, x-api-key). */
  const post = (body: unknown, headers: Record<string, string>): Promise<Response> =>
    fetch(`${fake.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('answers messages.create with the serving key, usage and request id', async () => {
    const { data, request_id } = await client(ANTHROPIC_KEYS[1]).messages.create(hello).withResponse();

    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text: anthropicAnswer(2) }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(data.id).toMatch(/^msg_01/);
    expect(data.usage).toMatchObject({ output_tokens: 5, cache_read_input_tokens: 0, service_tier: 'standard' });
    expect(request_id).toMatch(/^req_011C/);
    // SDK 1.x sends the key as a bearer token and its own API version.
    expect(fake.requests[0]).toMatchObject({
      credential: ANTHROPIC_KEYS[1],
      headers: { authorization: `Bearer ${ANTHROPIC_KEYS[1]}`, 'anthropic-version': '2026-10-21' },
    });
  });

  it('streams the real event sequence, assembled by messages.stream().finalMessage()', async () => {
    const stream = client().messages.stream(hello);
    const events: string[] = [];
    let text = '';
    stream.on('streamEvent', (event) => events.push(event.type));
    stream.on('text', (delta) => (text += delta));
    const message = await stream.finalMessage();

    expect(events.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(text).toBe(anthropicAnswer(1));
    expect(message).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: anthropicAnswer(1) }] });
    expect(message.usage.output_tokens).toBe(5);
  });

  it('sends message_start with output_tokens 1, then ping, then cumulative usage in message_delta', async () => {
    const stream = await client().messages.create({ ...hello, stream: true });
    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const start = events[0];
    const delta = events.find((event) => event.type === 'message_delta');

    expect(start?.type === 'message_start' && start.message.usage.output_tokens).toBe(1);
    expect(delta?.type === 'message_delta' && delta.usage.output_tokens).toBe(5);

    const response = await post({ ...hello, stream: true }, { 'x-api-key': ANTHROPIC_KEYS[0], ...VERSION_2023 });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const raw = await response.text();
    expect(raw.startsWith('event: message_start\ndata: {"type":"message_start"')).toBe(true);
    expect(raw).toMatch(/event: content_block_start\n.*\n\nevent: ping\ndata: {"type":"ping"}\n\n/);
  });

  const { name, description } = weatherTool;
  const tools: Anthropic.Tool[] = [{ name, description, input_schema: weatherTool.schema as Anthropic.Tool.InputSchema }];

  it('uses a tool after a sentence, and only the tool when forced', async () => {
    const auto = await client().messages.create({ ...hello, tools });
    expect(auto.stop_reason).toBe('tool_use');
    expect(auto.content.map((block) => block.type)).toEqual(['text', 'tool_use']);
    expect(auto.content[1]).toMatchObject({ name: 'get_weather', input: { city: 'fake-value', unit: 'celsius' } });
    expect(auto.content[1]?.type === 'tool_use' && auto.content[1].id).toMatch(/^toolu_01/);

    const forced = await client().messages.create({ ...hello, tools, tool_choice: { type: 'tool', name } });
    expect(forced.content.map((block) => block.type)).toEqual(['tool_use']);
  });

  it('streams tool input as input_json_delta that finalMessage() parses', async () => {
    const stream = client().messages.stream({ ...hello, tools, tool_choice: { type: 'any' } });
    const partials: string[] = [];
    stream.on('inputJson', (partial) => partials.push(partial));
    const message = await stream.finalMessage();

    expect(partials.length).toBeGreaterThan(1);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[0]).toMatchObject({ type: 'tool_use', input: { city: 'fake-value', unit: 'celsius' } });
  });

  it('honours max_tokens, stop_sequences and system', async () => {
    const cut = await client().messages.create({ ...hello, max_tokens: 2 });
    expect(cut).toMatchObject({ stop_reason: 'max_tokens', content: [{ text: 'Hello from ' }] });

    const stopped = await client().messages.create({ ...hello, stop_sequences: ['fake'] });
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'fake', content: [{ text: 'Hello from ' }] });

    const withSystem = await client().messages.create({ ...hello, system: 'You are a terse assistant, answer in French.' });
    expect(withSystem.usage.input_tokens).toBeGreaterThan(cut.usage.input_tokens);
  });

  it('requires max_tokens and anthropic-version, and accepts x-api-key', async () => {
    const { max_tokens: _omitted, ...withoutMaxTokens } = hello;
    const error = await client()
      .messages.create(withoutMaxTokens as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', apiMessage: 'max_tokens: Field required' });

    const noVersion = await post(hello, { 'x-api-key': ANTHROPIC_KEYS[0] });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
      request_id: expect.stringMatching(/^req_/),
    });

    const viaApiKey = await post(hello, { 'x-api-key': ANTHROPIC_KEYS[1], ...VERSION_2023 });
    expect(viaApiKey.headers.get('request-id')).toMatch(/^req_/);
    expect(await viaApiKey.json()).toMatchObject({ content: [{ text: anthropicAnswer(2) }] });
  });

  it('rejects unknown credentials with the real 401 bodies', async () => {
    const error = await client('sk-ant-unknown').messages.create(hello).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error).toMatchObject({ status: 401, type: 'authentication_error', apiMessage: 'Invalid bearer token' });

    const viaApiKey = await post(hello, { 'x-api-key': 'sk-ant-unknown', ...VERSION_2023 });
    expect(viaApiKey.status).toBe(401);
    expect(await viaApiKey.json()).toMatchObject({ error: { type: 'authentication_error', message: 'invalid x-api-key' } });
  });

  it('raises typed errors for 429, 500 and 529', async () => {
    fake.enqueue({ kind: 'error', status: 429 });
    const limited = await client().messages.create(hello).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after')).toBe('1');

    const broken = await client().messages.create({ ...hello, model: 'fake-error-500' }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(Anthropic.InternalServerError);
    expect(broken).toMatchObject({ status: 500, type: 'api_error' });

    fake.enqueue({ kind: 'error', status: 529 });
    const overloaded = await client().messages.create(hello).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect(overloaded).toMatchObject({ status: 529, type: 'overloaded_error', apiMessage: 'Overloaded' });
  });

  it('sends event: error overloaded_error mid-stream', async () => {
    fake.enqueue({ kind: 'stream-error', afterEvents: 4 });
    const stream = client().messages.stream(hello);
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const error = await stream.finalMessage().catch((e: unknown) => e);

    expect(text).toBe('Hello ');
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ type: 'overloaded_error', apiMessage: 'Overloaded' });
  });

  it('cuts a stream mid-way', async () => {
    fake.enqueue({ kind: 'stream-cut', afterEvents: 3 });
    const error = await client().messages.stream(hello).finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
  });

  it('waits latencyMs before answering and streamIntervalMs between events', async () => {
    const slow = await startFakeAnthropic({ keys: ANTHROPIC_KEYS, latencyMs: 120, streamIntervalMs: 20 });
    try {
      const startedAt = Date.now();
      const stream = new Anthropic({ apiKey: ANTHROPIC_KEYS[0], baseURL: slow.baseUrl, maxRetries: 0 }).messages.stream(hello);
      let firstTextMs: number | undefined;
      stream.on('text', () => (firstTextMs ??= Date.now() - startedAt));
      await stream.finalMessage();

      // The first text_delta is the 4th event (after message_start, content_block_start, ping);
      // 11 events in all, so 10 pauses.
      expect(firstTextMs).toBeGreaterThanOrEqual(120 + 3 * 20 - 5);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(120 + 10 * 20 - 5);
    } finally {
      await slow.close();
    }
  });
});
