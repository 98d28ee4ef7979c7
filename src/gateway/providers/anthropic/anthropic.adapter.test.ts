import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../../platform/errors.js';
import type { ChatCompletionRequest } from '../../chat-types.js';
import { SseParser } from '../../sse.js';
import { createFixtureReader, errorBody, everyByte, expectMappedError, fixtureContext, minimalChatRequest, parsePayloads, runStream, splitAt, thrown, withApiKey, withLineEndings, withParsedBody, type ErrorFixture, type PairFixture } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext, StreamTranslator } from '../provider.js';
import { anthropicAdapter } from './anthropic.adapter.js';
import { toFinishReason } from './from-anthropic-response.js';
import { parseRetryAfter } from '../retry-after.js';
import type { AnthropicMessagesRequest } from './to-anthropic-request.js';

const API_KEY = 'sk-ant-api03-FIXTUREkey0123456789abcdefghijklmnopqrstuvwxyzABCDEFG-h1j2k3AA';
const ctx: CallContext = fixtureContext({ model: 'claude-sonnet-4-6', apiKey: API_KEY, baseUrl: 'https://api.anthropic.com' });

const { readJson, readBytes } = createFixtureReader(import.meta.url);

const PAIRS = ['text-system', 'tool-calls', 'images', 'structured-output', 'refusal', 'thinking'] as const;
const pairs = PAIRS.map((name) => [name, readJson<PairFixture>(`${name}.json`)] as const);

const minimal = (extra: Record<string, unknown> = {}): ChatCompletionRequest => minimalChatRequest('anthropic/claude-sonnet-4-6', extra);
const bodyOf = (request: ChatCompletionRequest): AnthropicMessagesRequest =>
  JSON.parse(anthropicAdapter.buildChatRequest(request, ctx).body ?? 'null') as AnthropicMessagesRequest;

describe('anthropic buildChatRequest', () => {
  it.each(pairs)('builds the exact upstream request for %s', (_name, fixture) => {
    const upstream = anthropicAdapter.buildChatRequest(fixture.request, { ...ctx, model: fixture.model ?? ctx.model });
    expect(withParsedBody(upstream)).toEqual(fixture.upstreamRequest);
  });

  it('asks for a stream only when the client does', () => {
    expect(bodyOf(minimal({ stream: true })).stream).toBe(true);
    expect(bodyOf(minimal({ stream: false }))).not.toHaveProperty('stream');
  });

  it('defaults max_tokens to 4096 and prefers max_completion_tokens over max_tokens', () => {
    expect(bodyOf(minimal()).max_tokens).toBe(4096);
    expect(bodyOf(minimal({ max_tokens: 300 })).max_tokens).toBe(300);
    expect(bodyOf(minimal({ max_tokens: 300, max_completion_tokens: 200 })).max_tokens).toBe(200);
  });

  it('sends a minimal request with nothing the client did not ask for', () => {
    expect(bodyOf(minimal())).toEqual({
      model: 'claude-sonnet-4-6',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  });

  it('accepts default values and documented harmless parameters without sending them', () => {
    const request = minimal({
      n: 1,
      logprobs: false,
      top_logprobs: null,
      presence_penalty: 0,
      frequency_penalty: null,
      logit_bias: {},
      seed: null,
      verbosity: 'medium',
      modalities: ['text'],
      response_format: { type: 'text' },
      service_tier: 'auto',
      store: true,
      metadata: { team: 'search' },
      prediction: { type: 'content', content: 'Hello' },
      prompt_cache_key: 'k',
      prompt_cache_retention: '24h',
      stream_options: { include_usage: true },
    });
    expect(bodyOf(request)).toEqual(bodyOf(minimal()));
  });

  const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } }];
  it.each([
    ['auto', undefined, undefined],
    ['auto', false, { type: 'auto', disable_parallel_tool_use: true }],
    [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
    [undefined, true, undefined],
    ['none', undefined, { type: 'none' }],
    ['none', false, { type: 'none' }],
    ['required', undefined, { type: 'any' }],
    ['required', false, { type: 'any', disable_parallel_tool_use: true }],
    [{ type: 'function', function: { name: 'lookup' } }, undefined, { type: 'tool', name: 'lookup' }],
    [{ type: 'function', function: { name: 'lookup' } }, false, { type: 'tool', name: 'lookup', disable_parallel_tool_use: true }],
  ])('maps tool_choice %j with parallel_tool_calls %j to %j', (choice, parallel, expected) => {
    const body = bodyOf(minimal({ tools, tool_choice: choice, parallel_tool_calls: parallel }));
    expect(body.tool_choice).toEqual(expected);
  });

  it('sends no tool_choice when there are no tools and the choice is already what happens', () => {
    expect(bodyOf(minimal({ tool_choice: 'none', parallel_tool_calls: false }))).toEqual(bodyOf(minimal()));
  });

  it('reads empty tool-call arguments as an empty object', () => {
    const body = bodyOf(
      minimal({
        messages: [
          { role: 'user', content: 'time?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'now', arguments: '' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '12:00' },
        ],
      }),
    );
    expect(body.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'now', input: {} }] });
  });

  it('keeps assistant refusals as text the assistant said', () => {
    const body = bodyOf(
      minimal({
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot do that.' }] },
          { role: 'user', content: 'b' },
        ],
      }),
    );
    expect(body.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'I cannot do that.' }] });
  });

  it('sends a base64 PDF file part as a document block', () => {
    const body = bodyOf(
      minimal({
        messages: [
          { role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' } }] },
        ],
      }),
    );
    expect(body.messages[0]?.content).toEqual([
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQ=' } },
    ]);
  });

  const userContent = (part: Record<string, unknown>) => ({ messages: [{ role: 'user', content: [part] }] });
  it.each([
    ['n', { n: 2 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 3 }],
    ['presence_penalty', { presence_penalty: 0.5 }],
    ['frequency_penalty', { frequency_penalty: -1 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['seed', { seed: 42 }],
    ['temperature', { temperature: 1.5 }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['response_format.json_schema.schema', { response_format: { type: 'json_schema', json_schema: { name: 'x' } } }],
    [
      'response_format.json_schema.description',
      { response_format: { type: 'json_schema', json_schema: { name: 'x', description: 'A city', schema: { type: 'object' } } } },
    ],
    ['reasoning_effort', { reasoning_effort: 'minimal' }],
    ['service_tier', { service_tier: 'flex' }],
    ['verbosity', { verbosity: 'low' }],
    ['modalities', { modalities: ['text', 'audio'] }],
    ['audio', { audio: { voice: 'alloy', format: 'mp3' } }],
    ['web_search_options', { web_search_options: {} }],
    ['functions', { functions: [{ name: 'f' }] }],
    ['function_call', { function_call: 'auto' }],
    ['top_k', { top_k: 5 }],
    ['messages[0].name', { messages: [{ role: 'user', content: 'hi', name: 'alice' }] }],
    ['messages[0].role', { messages: [{ role: 'function', content: 'x' }] }],
    ['messages[0].content[0]', userContent({ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } })],
    ['messages[0].content[0].type', userContent({ type: 'video_url', video_url: { url: 'https://x' } })],
    ['messages[0].content[0].image_url.url', userContent({ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } })],
    ['messages[0].content[0].file.file_id', userContent({ type: 'file', file: { file_id: 'file-abc' } })],
    ['messages[0].content[0].file.file_data', userContent({ type: 'file', file: { file_data: 'data:text/csv;base64,YQ==' } })],
    ['tools[0].type', { tools: [{ type: 'custom', custom: { name: 'grammar' } }] }],
    ['tool_choice', { tools, tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }],
  ])('rejects %s as unsupported by anthropic', (param, extra) => {
    const error = thrown(() => anthropicAdapter.buildChatRequest(minimal(extra), ctx));
    expect(error).toMatchObject({ code: 'unsupported_parameter', param, status: 400, source: 'user' });
    expect(error.publicMessage).toContain('anthropic');
  });

  const assistantCall = (args: string) => ({
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: args } }] },
    ],
  });
  it.each([
    ['messages[1].tool_calls[0].function.arguments', assistantCall('{"city": "Par')],
    ['messages[1].tool_calls[0].function.arguments', assistantCall('[1, 2]')],
    ['messages[0].content[0].image_url.url', userContent({ type: 'image_url', image_url: { url: 'data:image/png,%89PNG' } })],
    ['messages[0].content[0].image_url.url', userContent({ type: 'image_url', image_url: { url: 'ftp://host/cat.png' } })],
    ['messages[0].content[0]', { messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] }] }],
    ['messages[0].role', { messages: [{ role: 'narrator', content: 'x' }] }],
    ['tool_choice', { tool_choice: 'required' }],
  ])('rejects an invalid request at %s', (param, extra) => {
    const error = thrown(() => anthropicAdapter.buildChatRequest(minimal(extra), ctx));
    expect(error).toMatchObject({ code: 'invalid_request', param, status: 400, source: 'user' });
  });

  it('never quotes invalid tool-call arguments (prompt content) in the error', () => {
    const error = thrown(() => anthropicAdapter.buildChatRequest(minimal(assistantCall('{"secret": "hunter2"')), ctx));
    expect(error.publicMessage).not.toContain('hunter2');
  });

  it('property: any JSON object survives tool arguments → tool_use input → tool call arguments', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (input) => {
        const args = JSON.stringify(input);
        const sent = bodyOf(minimal(assistantCall(args))).messages[1]?.content[0];
        expect(sent).toEqual({ type: 'tool_use', id: 'call_1', name: 'f', input: JSON.parse(args) });
        const response = {
          id: 'msg_1',
          type: 'message',
          model: 'claude-sonnet-4-6',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: (sent as { input: unknown }).input }],
          stop_reason: 'tool_use',
          usage: { input_tokens: 1, output_tokens: 1 },
        };
        const call = anthropicAdapter.parseChatResponse(response, ctx).body.choices[0]?.message.tool_calls?.[0];
        expect(JSON.parse(call?.function.arguments ?? 'null')).toEqual(JSON.parse(args));
      }),
      { numRuns: 200 },
    );
  });
});

describe('anthropic parseChatResponse', () => {
  it.each(pairs)('normalises the %s response', (_name, fixture) => {
    const result = anthropicAdapter.parseChatResponse(fixture.upstreamResponse, ctx);
    expect(result).toEqual(fixture.expected);
  });

  it('gives null content when the reply is only tool calls', () => {
    const result = anthropicAdapter.parseChatResponse(
      {
        id: 'msg_2',
        type: 'message',
        model: 'claude-sonnet-4-6',
        content: [{ type: 'tool_use', id: 'toolu_9', name: 'now', input: {} }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 5, output_tokens: 7 },
      },
      ctx,
    );
    expect(result.body.choices[0]?.message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'toolu_9', type: 'function', function: { name: 'now', arguments: '{}' } }],
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['a_reason_added_later', 'stop'],
    [null, undefined],
  ])('maps stop_reason %s to %s', (stopReason, finishReason) => {
    expect(toFinishReason(stopReason)).toBe(finishReason);
  });

  it.each([[null], ['<html>'], [{ type: 'error', error: { type: 'api_error' } }], [{ type: 'message', id: 'm', model: 'x' }]])(
    'rejects a body that is not a message: %j',
    (body) => {
      expect(thrown(() => anthropicAdapter.parseChatResponse(body, ctx)).code).toBe('provider_error');
    },
  );

  it('keeps unknown usage undefined instead of zero', () => {
    const result = anthropicAdapter.parseChatResponse(
      { id: 'msg_3', type: 'message', model: 'm', content: [], stop_reason: 'end_turn' },
      ctx,
    );
    expect(result.usage).toEqual({});
    expect(result.body).not.toHaveProperty('usage');
  });
});

const newTranslator = (overrides: Partial<CallContext> = {}): StreamTranslator =>
  anthropicAdapter.createStreamTranslator(minimal({ stream: true }), { ...ctx, ...overrides });

describe('anthropic stream translator', () => {
  const textStream = readBytes('text-stream.sse');
  const toolStream = readBytes('tool-stream.sse');
  const textChunks = readJson<unknown[]>('text-stream.chunks.json');
  const toolChunks = readJson<unknown[]>('tool-stream.chunks.json');

  it('translates a text stream fed one byte at a time, with the usage chunk last', () => {
    const translator = newTranslator({ includeUsage: true });
    const payloads = runStream(everyByte(textStream), translator);
    expect(parsePayloads(payloads)).toEqual(textChunks);
    expect(translator.usage()).toEqual({ inputTokens: 6156, outputTokens: 15, cachedInputTokens: 4096, cacheWriteTokens: 2048 });
    expect(translator.finishReason()).toBe('stop');
  });

  it('splits inside a 4-byte emoji and between the two newlines that end an event', () => {
    const emoji = Buffer.from(textStream).indexOf(Buffer.from('🚀'));
    const eventEnd = Buffer.from(textStream).indexOf('\n\n');
    const payloads = runStream(splitAt(textStream, [emoji + 1, emoji + 3, eventEnd + 1]), newTranslator({ includeUsage: true }));
    expect(parsePayloads(payloads)).toEqual(textChunks);
  });

  it('translates tool calls with running indexes, skipping thinking, and omits usage unless asked', () => {
    const translator = newTranslator();
    const payloads = runStream([toolStream], translator);
    expect(parsePayloads(payloads)).toEqual(toolChunks);
    expect(payloads.every((p) => !('usage' in (JSON.parse(p) as object)))).toBe(true);
    expect(translator.usage()).toEqual({ inputTokens: 472, outputTokens: 89, cachedInputTokens: 0, cacheWriteTokens: 0 });
    expect(translator.finishReason()).toBe('tool_calls');
  });

  it('property: any chunking, with LF, CRLF or CR line endings, gives the same chunks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat({ max: 4 * toolStream.length }), { maxLength: 60 }),
        (eol, cuts) => {
          expect(parsePayloads(runStream(splitAt(withLineEndings(toolStream, eol), cuts), newTranslator()))).toEqual(toolChunks);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws the mapped error on an error event mid-stream, after the chunks already sent', () => {
    const translator = newTranslator();
    const parser = new SseParser();
    const sent: string[] = [];
    const error = thrown(() => {
      for (const event of parser.push(readBytes('error-stream.sse'))) sent.push(...translator.onEvent(event));
    });
    expect(error).toMatchObject({ code: 'provider_overloaded', retryable: true, source: 'provider', publicMessage: 'anthropic: Overloaded' });
    expect(sent.map((p) => (JSON.parse(p) as { choices: [{ delta: unknown }] }).choices[0].delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Once upon' },
    ]);
  });

  it.each([
    ['overloaded_error', 'provider_overloaded'],
    ['api_error', 'provider_error'],
    ['rate_limit_error', 'provider_rate_limited'],
    ['timeout_error', 'provider_timeout'],
    ['invalid_request_error', 'provider_bad_request'],
    ['authentication_error', 'provider_key_rejected'],
    ['permission_error', 'provider_permission_denied'],
    ['not_found_error', 'provider_model_not_found'],
    ['billing_error', 'provider_quota_exceeded'],
    ['request_too_large', 'payload_too_large'],
    ['some_future_error', 'provider_error'],
  ])('maps a mid-stream %s to %s', (type, code) => {
    const data = JSON.stringify({ type: 'error', error: { type, message: `boom ${API_KEY}` } });
    const error = thrown(() => newTranslator().onEvent({ event: 'error', data, id: undefined }));
    expect(error.code).toBe(code as ErrorCode);
    expect(error.publicMessage).toBe('anthropic: boom [REDACTED]');
  });

  it('throws provider_stream_interrupted when the stream ends before message_stop', () => {
    const translator = newTranslator({ includeUsage: true });
    const parser = new SseParser();
    const sent: string[] = [];
    for (const event of parser.push(readBytes('interrupted-stream.sse'))) sent.push(...translator.onEvent(event));
    for (const event of parser.end()) sent.push(...translator.onEvent(event));
    expect(sent).toHaveLength(2);
    expect(thrown(() => translator.onEnd())).toMatchObject({ code: 'provider_stream_interrupted', retryable: true });
  });

  const event = (data: unknown, name?: string) => ({ event: name, data: JSON.stringify(data), id: undefined });
  it('takes the latest cumulative output count and keeps input counts from message_start', () => {
    const translator = newTranslator();
    translator.onEvent(event({ type: 'message_start', message: { id: 'msg_x', model: 'm', usage: { input_tokens: 10, output_tokens: 1 } } }));
    translator.onEvent(event({ type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 40 } }));
    const finish = translator.onEvent(event({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 64 } }));
    translator.onEvent(event({ type: 'message_stop' }));
    expect(finish.map((p) => (JSON.parse(p) as { choices: [{ finish_reason: string }] }).choices[0].finish_reason)).toEqual(['length']);
    expect(translator.usage()).toEqual({ inputTokens: 10, outputTokens: 64 });
    expect(translator.onEnd()).toEqual([]);
  });

  it('ignores pings, block stops and event types it does not know', () => {
    const translator = newTranslator();
    expect(translator.onEvent(event({ type: 'ping' }, 'ping'))).toEqual([]);
    expect(translator.onEvent(event({ type: 'content_block_stop', index: 0 }))).toEqual([]);
    expect(translator.onEvent(event({ type: 'tool_change', index: 0 }))).toEqual([]);
  });

  it('rejects event data that is not JSON', () => {
    const error = thrown(() => newTranslator().onEvent({ event: 'message_start', data: '{"type":', id: undefined }));
    expect(error.code).toBe('provider_error');
  });
});

const withKey = (text: string): string => withApiKey(text, API_KEY);
const errorCases = readJson<ErrorFixture[]>('errors.json').map((c) => [c.name, c] as const);

describe('anthropic mapError', () => {
  it.each(errorCases)('maps %s', (_name, fixture) => {
    const body = withKey(errorBody(fixture));
    const error = anthropicAdapter.mapError({ status: fixture.status, headers: fixture.headers, body }, ctx);
    expectMappedError(error, fixture.expected);
  });

  it('never lets the api key reach an AppError message or cause', () => {
    const errors = errorCases.map(([, f]) =>
      anthropicAdapter.mapError({ status: f.status, headers: f.headers, body: withKey(errorBody(f)) }, ctx),
    );
    const streamError = thrown(() =>
      newTranslator().onEvent({ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'api_error', message: API_KEY } }), id: undefined }),
    );
    for (const error of [...errors, streamError]) {
      expect(error.publicMessage).not.toContain(API_KEY);
      expect(error.message).not.toContain(API_KEY);
      expect(JSON.stringify(error.cause)).not.toContain(API_KEY);
    }
  });

  it('truncates long provider messages', () => {
    const body = JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'x'.repeat(5000) } });
    const error = anthropicAdapter.mapError({ status: 400, headers: {}, body }, ctx);
    expect(error.publicMessage.length).toBeLessThan(600);
  });

  it.each([
    ['17', 17],
    ['0.5', 1],
    ['Thu, 01 Jan 2026 00:01:00 GMT', 60],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads retry-after %j as %j seconds', (value, seconds) => {
    expect(parseRetryAfter(value, ctx.createdAt)).toBe(seconds);
  });
});
