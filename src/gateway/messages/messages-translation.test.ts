import { readFileSync } from 'node:fs';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import { describe, expect, it } from 'vitest';
import { runStream, thrown } from '../../../test/helpers/adapter-replay.js';
import { AppError } from '../../platform/errors.js';
import type { ChatCompletion } from '../chat-types.js';
import { openaiAdapter } from '../providers/openai/openai.adapter.js';
import type { CallContext, ChatResult } from '../providers/provider.js';
import { SseParser } from '../sse.js';
import { createMessagesStreamEncoder, toMessagesResponse, toMessagesUsage, toStopReason } from './from-chat-response.js';
import { buildNativeRequest, createNativeStreamTranslator } from './native-anthropic.js';
import { toChatRequest } from './to-chat-request.js';
import { validateMessagesRequest, type MessagesRequest } from './validate-messages.js';

const ctx: CallContext = {
  model: 'gpt-4o-mini',
  apiKey: 'sk-unit-test-key-0000000000000000',
  baseUrl: 'https://api.openai.com/v1',
  requestId: 'req_unit01',
  createdAt: 1767225600,
  includeUsage: false,
};

const request = (extra: Record<string, unknown> = {}): MessagesRequest =>
  validateMessagesRequest({ model: 'openai/gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }], ...extra });

describe('toChatRequest', () => {
  it('maps system, turns, images, tool use and results, tools, choice and sampling parameters', () => {
    const chat = toChatRequest(
      request({
        system: [
          { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Answer in French.' },
        ],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is here, and the weather?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Let me check.', signature: 'sig' },
              { type: 'text', text: 'A cat. Checking the weather.' },
              { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Go on.' },
              { type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: 'timeout' }], is_error: true },
            ],
          },
        ],
        tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        stop_sequences: ['END'],
        temperature: 0.2,
        top_p: 0.9,
        metadata: { user_id: 'u-1' },
        stream: true,
        service_tier: 'auto',
      }),
      'openai',
    );
    expect(chat).toEqual({
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Answer in French.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is here, and the weather?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: 'A cat. Checking the weather.',
          tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_01', content: 'Error: timeout' },
        { role: 'user', content: 'Go on.' },
      ],
      max_completion_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      user: 'u-1',
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      stream: true,
    });
  });

  it('uses max_tokens for services other than OpenAI, and maps tool_choice tool/none', () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    const chat = toChatRequest(request({ tools, tool_choice: { type: 'tool', name: 'f' } }), 'openai_compatible');
    expect(chat.max_tokens).toBe(100);
    expect(chat.max_completion_tokens).toBeUndefined();
    expect(chat.tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
    expect(toChatRequest(request({ tools, tool_choice: { type: 'none' } }), 'openai').tool_choice).toBe('none');
  });

  it.each([
    ['top_k', { top_k: 40 }],
    ['thinking', { thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 4096 }],
    ['messages.1', { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'The answer is (' }] }],
    ['tools.0.type', { tools: [{ type: 'web_search_20250305', name: 'web_search' }] }],
    ['messages.0.content.0.type', { messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', data: 'x', media_type: 'text/plain' } }] }] }],
    ['container', { container: 'c-1' }],
    ['max_tokens', { max_tokens: 0 }],
  ])('refuses %s with unsupported_parameter rather than dropping it', (param, extra) => {
    const error = thrown(() => toChatRequest(request(extra), 'openai'));
    expect(error.code).toBe('unsupported_parameter');
    expect(error.param).toBe(param);
    expect(error.status).toBe(400);
  });

  it('sends an end-user id over 64 characters (OpenAI’s cap) as its SHA-256, stable per user', () => {
    const long = `user_${'a'.repeat(64)}_account__session_1`;
    const sent = toChatRequest(request({ metadata: { user_id: long } }), 'openai').user;
    expect(sent).toMatch(/^[0-9a-f]{64}$/);
    expect(toChatRequest(request({ metadata: { user_id: long } }), 'openai').user).toBe(sent);
    expect(toChatRequest(request({ metadata: { user_id: 'short' } }), 'openai').user).toBe('short');
  });

  it('accepts thinking: disabled (nothing to translate)', () => {
    expect(toChatRequest(request({ thinking: { type: 'disabled' } }), 'openai').messages).toHaveLength(1);
  });
});

describe('validateMessagesRequest', () => {
  const base = { model: 'openai/gpt-4o-mini', max_tokens: 10 };
  it.each([
    ['model', { max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }],
    ['max_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }] }],
    ['messages', { ...base, messages: [] }],
    ['messages.0.role', { ...base, messages: [{ role: 'tool', content: 'x' }] }],
    ['messages.0.content', { ...base, messages: [{ role: 'user', content: '' }] }],
    ['messages.0.content.0.text', { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }],
    ['messages.0.content.0.source.media_type', { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'x' } }] }] }],
    ['messages.0.content.0.type', { ...base, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] }] }],
    [
      'messages.2',
      {
        ...base,
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
          { role: 'user', content: 'no result' },
        ],
      },
    ],
    ['messages.0', { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9' }] }] }],
    ['system.0', { ...base, system: [{ type: 'image' }], messages: [{ role: 'user', content: 'x' }] }],
    ['tools.0.input_schema', { ...base, tools: [{ name: 'f' }], messages: [{ role: 'user', content: 'x' }] }],
    ['tool_choice.type', { ...base, tool_choice: { type: 'required' }, messages: [{ role: 'user', content: 'x' }] }],
    ['temperature', { ...base, temperature: 1.5, messages: [{ role: 'user', content: 'x' }] }],
    ['top_k', { ...base, top_k: -1, messages: [{ role: 'user', content: 'x' }] }],
    ['thinking.budget_tokens', { ...base, thinking: { type: 'enabled', budget_tokens: 512 }, messages: [{ role: 'user', content: 'x' }] }],
    ['stream', { ...base, stream: 'yes', messages: [{ role: 'user', content: 'x' }] }],
  ])('rejects a bad %s with invalid_request', (param, body) => {
    const error = thrown(() => validateMessagesRequest(body as Record<string, unknown>));
    expect(error.code).toBe('invalid_request');
    expect(error.param).toBe(param);
    expect(error.publicMessage.startsWith(`${param}: `)).toBe(true);
  });

  it('accepts consecutive turns of one role, system turns, a final prefill and unknown blocks (as Anthropic does)', () => {
    expect(() =>
      validateMessagesRequest({
        ...base,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'a' },
          { role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }] }] },
          { role: 'assistant', content: '' },
        ],
      }),
    ).not.toThrow();
  });
});

describe('toMessagesResponse', () => {
  const completion = (message: Record<string, unknown>, finish: string): ChatResult => ({
    body: {
      id: 'chatcmpl-abc123',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, ...message }, finish_reason: finish, logprobs: null }],
    } as ChatCompletion,
    usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100 },
    finishReason: finish as 'stop',
  });

  it('builds a `message` with text and tool_use blocks, the stop reason and Anthropic-style usage', () => {
    const result = completion(
      { content: 'Checking.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      'tool_calls',
    );
    expect(toMessagesResponse(result, 'req_1', 'gpt-4o-mini')).toEqual({
      id: 'msg_chatcmpl-abc123',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini-2024-07-18',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      stop_details: null,
      // Anthropic's input_tokens excludes cache reads, which OpenAI's prompt_tokens includes.
      usage: { input_tokens: 20, output_tokens: 30, cache_creation_input_tokens: null, cache_read_input_tokens: 100 },
    });
  });

  it('refuses tool arguments that are not a JSON object (the provider’s fault)', () => {
    const result = completion({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"cut' } }] }, 'length');
    const error = thrown(() => toMessagesResponse(result, 'req_1', 'm'));
    expect(error.code).toBe('provider_error');
  });

  it('maps finish reasons and keeps unknown counts out of the cache fields', () => {
    expect([toStopReason('stop'), toStopReason('length'), toStopReason('tool_calls'), toStopReason('content_filter'), toStopReason(undefined)]).toEqual([
      'end_turn',
      'max_tokens',
      'tool_use',
      'refusal',
      'end_turn',
    ]);
    expect(toMessagesUsage({})).toEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: null, cache_read_input_tokens: null });
  });
});

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../providers/openai/__fixtures__/${name}`, import.meta.url)));

/** An OpenAI recording → chat payloads (the adapter's translator) → Anthropic events (the encoder). */
function encodeRecording(name: string): string {
  const translator = openaiAdapter.createStreamTranslator({ model: 'openai/gpt-4o-mini', messages: [], stream: true }, ctx);
  const payloads = runStream([fixture(name)], translator);
  const encoder = createMessagesStreamEncoder({ requestId: 'req_unit01', model: 'gpt-4o-mini' });
  // One upstream chunk per payload, as the relay calls it.
  let text = '';
  for (const payload of payloads) text += encoder.encode([payload]);
  return text + encoder.end([], { usage: translator.usage(), finishReason: translator.finishReason() });
}

function parseEvents(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return new SseParser().push(text).map((event) => ({ event: event.event ?? '', data: JSON.parse(event.data) as Record<string, unknown> }));
}

/** Feeds events to the SDK's own accumulator (MessageStream), as messages.stream() would. */
async function accumulate(events: Array<{ data: Record<string, unknown> }>) {
  const lines = events.filter((e) => e.data.type !== 'ping').map((e) => `${JSON.stringify(e.data)}\n`);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const line of lines) controller.enqueue(new TextEncoder().encode(line));
      controller.close();
    },
  });
  return MessageStream.fromReadableStream(body).finalMessage();
}

describe('createMessagesStreamEncoder', () => {
  it('turns a text stream into the exact Anthropic event sequence, and the SDK rebuilds the message', async () => {
    const events = parseEvents(encodeRecording('text-stream.sse'));
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('message_start');
    expect(names.slice(1, 3)).toEqual(['content_block_start', 'ping']);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    for (const { event, data } of events) expect(data.type).toBe(event);
    expect(events[0]!.data.message).toMatchObject({ id: 'msg_chatcmpl-CXc1Qe8rTzVb2mJkLpNs4HwYdG7aF', model: 'gpt-4o-mini-2024-07-18', content: [] });

    const message = await accumulate(events);
    expect(message.content).toEqual([{ type: 'text', text: 'Voilà : 東京 🚀 café.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('turns parallel tool calls into tool_use blocks with input_json_delta, parsed by the SDK', async () => {
    const events = parseEvents(encodeRecording('tool-stream.sse'));
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data);
    expect(starts).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_Wf0hK2mQ7yXz3Lp9Rt5Vn1Bc', name: 'get_weather', input: {} } },
      expect.objectContaining({ index: 1, content_block: expect.objectContaining({ type: 'tool_use', id: 'call_Gy6tR1bN8sK0wE4jH2dF9aZq' }) }),
    ]);
    const message = await accumulate(events);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.map((block) => (block.type === 'tool_use' ? block.input : undefined))).toEqual([{ city: 'Paris' }, { tz: 'Europe/Paris' }]);
    expect(events.find((e) => e.event === 'message_delta')!.data.usage).toEqual({ output_tokens: 52, input_tokens: 96, cache_read_input_tokens: 0 });
  });

  it('ends a failed stream with an `error` event in Anthropic’s shape', () => {
    const encoder = createMessagesStreamEncoder({ requestId: 'req_unit01', model: 'm' });
    const [event] = parseEvents(encoder.error(new AppError('provider_stream_interrupted'), 'req_unit01'));
    expect(event).toEqual({
      event: 'error',
      data: {
        type: 'error',
        error: expect.objectContaining({ type: 'api_error', code: 'provider_stream_interrupted', source: 'provider' }),
        request_id: 'req_unit01',
      },
    });
  });
});

describe('native Anthropic forwarding', () => {
  const nativeCtx = { ...ctx, model: 'claude-haiku-4-5', baseUrl: 'https://api.anthropic.com' };

  it('sends the body as given with Anthropic’s model id, the stored key and the client’s version and betas', () => {
    const body = { model: 'anthropic/claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'adaptive' } };
    const upstream = buildNativeRequest(body, nativeCtx, { version: '2026-10-21', beta: 'a-beta' });
    expect(upstream.url).toBe('https://api.anthropic.com/v1/messages');
    expect(upstream.headers).toEqual({
      'x-api-key': nativeCtx.apiKey,
      'anthropic-version': '2026-10-21',
      'anthropic-beta': 'a-beta',
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(JSON.parse(upstream.body!)).toEqual({ ...body, model: 'claude-haiku-4-5' });
    const defaults = buildNativeRequest(body, nativeCtx, { version: undefined, beta: 'bad\r\nx-injected: 1' });
    expect(defaults.headers['anthropic-version']).toBe('2023-06-01');
    expect(defaults.headers['anthropic-beta']).toBeUndefined();
  });

  it('relays events unchanged while reading usage, and fails a stream cut before message_stop', () => {
    const translator = createNativeStreamTranslator(nativeCtx);
    const start = { type: 'message_start', message: { id: 'msg_1', model: 'claude-haiku-4-5', usage: { input_tokens: 12, output_tokens: 1 } } };
    const [framed] = translator.onEvent({ event: 'message_start', data: JSON.stringify(start), id: undefined });
    expect(framed).toBe(`event: message_start\ndata: ${JSON.stringify(start)}\n\n`);
    translator.onEvent({ event: 'message_delta', data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}', id: undefined });
    expect(translator.usage()).toMatchObject({ inputTokens: 12, outputTokens: 7 });
    expect(thrown(() => translator.onEnd()).code).toBe('provider_stream_interrupted');
  });
});
