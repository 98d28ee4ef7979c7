import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import type { ChatCompletionRequest } from '../../chat-types.js';
import { SseParser } from '../../sse.js';
import { createFixtureReader, errorBody, everyByte, expectMappedError, fixtureContext, minimalChatRequest, parsePayloads, runStream, splitAt, thrown, withApiKey, withLineEndings, withParsedBody, type ErrorFixture, type PairFixture } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext, EmbeddingsRequest, StreamTranslator } from '../provider.js';
import { cohereAdapter, cohereEmbeddingsAdapter } from './cohere.adapter.js';
import { toBase64Float32 } from './cohere-embeddings.js';
import { toFinishReason } from './from-cohere-response.js';
import type { CohereChatRequest } from './to-cohere-request.js';

const API_KEY = 'co-FIXTUREkey0123456789abcdefghijklmnopqrstu';
const ctx: CallContext = fixtureContext({ model: 'command-a-03-2025', apiKey: API_KEY, baseUrl: 'https://api.cohere.com' });

const { readJson, readBytes } = createFixtureReader(import.meta.url);

const pairs = (['text-system', 'tool-calls', 'thinking'] as const).map((name) => [name, readJson<PairFixture>(`${name}.json`)] as const);

const minimal = (extra: Record<string, unknown> = {}): ChatCompletionRequest => minimalChatRequest('cohere/command-a-03-2025', extra);
const bodyOf = (request: ChatCompletionRequest): CohereChatRequest =>
  JSON.parse(cohereAdapter.buildChatRequest(request, ctx).body ?? 'null') as CohereChatRequest;

describe('cohere buildChatRequest', () => {
  it.each(pairs)('builds the exact upstream request for %s', (_name, fixture) => {
    const upstream = cohereAdapter.buildChatRequest(fixture.request, { ...ctx, model: fixture.model ?? ctx.model });
    expect(withParsedBody(upstream)).toEqual(fixture.upstreamRequest);
  });

  it('sends a minimal request with nothing the client did not ask for', () => {
    expect(bodyOf(minimal())).toEqual({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('asks for a stream (and accepts SSE) only when the client does', () => {
    const streamed = cohereAdapter.buildChatRequest(minimal({ stream: true }), ctx);
    expect(JSON.parse(streamed.body ?? '{}')).toMatchObject({ stream: true });
    expect(streamed.headers.accept).toBe('text/event-stream');
    expect(bodyOf(minimal({ stream: false }))).not.toHaveProperty('stream');
  });

  it('accepts default values and documented harmless parameters without sending them', () => {
    const request = minimal({
      n: 1,
      logprobs: false,
      top_logprobs: null,
      logit_bias: {},
      parallel_tool_calls: true,
      verbosity: 'medium',
      modalities: ['text'],
      response_format: { type: 'text' },
      service_tier: 'auto',
      store: true,
      metadata: { team: 'search' },
      user: 'u-1',
      safety_identifier: 'abc',
      prediction: { type: 'content', content: 'Hello' },
      prompt_cache_key: 'k',
      stream_options: { include_usage: true },
    });
    expect(bodyOf(request)).toEqual(bodyOf(minimal()));
  });

  const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } }];
  it.each([
    ['auto', undefined],
    [undefined, undefined],
    ['none', 'NONE'],
    ['required', 'REQUIRED'],
  ])('maps tool_choice %j to %j', (choice, expected) => {
    expect(bodyOf(minimal({ tools, tool_choice: choice })).tool_choice).toBe(expected);
  });

  it('sends no tool_choice without tools when the choice is already what happens', () => {
    expect(bodyOf(minimal({ tool_choice: 'none' }))).toEqual(bodyOf(minimal()));
  });

  it('sends an assistant turn without tool calls as content, refusals included', () => {
    const body = bodyOf(
      minimal({
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'text', text: 'No: ' }, { type: 'refusal', refusal: 'I cannot.' }] },
        ],
      }),
    );
    expect(body.messages[1]).toEqual({ role: 'assistant', content: 'No: I cannot.' });
  });

  const userContent = (part: Record<string, unknown>) => ({ messages: [{ role: 'user', content: [part] }] });
  it.each([
    ['n', { n: 2 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 3 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['parallel_tool_calls', { tools, parallel_tool_calls: false }],
    ['reasoning_effort', { reasoning_effort: 'low' }],
    ['verbosity', { verbosity: 'low' }],
    ['modalities', { modalities: ['text', 'audio'] }],
    ['audio', { audio: { voice: 'alloy', format: 'mp3' } }],
    ['web_search_options', { web_search_options: {} }],
    ['service_tier', { service_tier: 'flex' }],
    ['functions', { functions: [{ name: 'f' }] }],
    ['function_call', { function_call: 'auto' }],
    ['top_k', { top_k: 5 }],
    ['response_format.json_schema.schema', { response_format: { type: 'json_schema', json_schema: { name: 'x' } } }],
    [
      'response_format.json_schema.description',
      { response_format: { type: 'json_schema', json_schema: { name: 'x', description: 'A city', schema: { type: 'object' } } } },
    ],
    ['tool_choice', { tools, tool_choice: { type: 'function', function: { name: 'lookup' } } }],
    ['tools[0].type', { tools: [{ type: 'custom', custom: { name: 'grammar' } }] }],
    ['messages[0].name', { messages: [{ role: 'user', content: 'hi', name: 'alice' }] }],
    ['messages[0].role', { messages: [{ role: 'function', content: 'x' }] }],
    ['messages[0].content[0]', userContent({ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } })],
    ['messages[0].content[0].type', userContent({ type: 'file', file: { file_id: 'file-abc' } })],
  ])('rejects %s as unsupported by cohere', (param, extra) => {
    const error = thrown(() => cohereAdapter.buildChatRequest(minimal(extra), ctx));
    expect(error).toMatchObject({ code: 'unsupported_parameter', param, status: 400, source: 'user' });
    expect(error.publicMessage).toContain('cohere');
  });

  it.each([
    ['messages[0].content[0].image_url.url', userContent({ type: 'image_url', image_url: { url: 'ftp://host/cat.png' } })],
    ['messages[0].content[0]', { messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] }] }],
    ['messages[0].role', { messages: [{ role: 'narrator', content: 'x' }] }],
    ['tool_choice', { tool_choice: 'required' }],
  ])('rejects an invalid request at %s', (param, extra) => {
    const error = thrown(() => cohereAdapter.buildChatRequest(minimal(extra), ctx));
    expect(error).toMatchObject({ code: 'invalid_request', param, status: 400, source: 'user' });
  });

  it('property: tool-call arguments reach Cohere verbatim and come back verbatim', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()).map((v) => JSON.stringify(v)), (args) => {
        const messages = [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: args } }] },
        ];
        const sent = bodyOf(minimal({ messages })).messages[1] as { tool_calls: Array<{ function: { arguments: string } }> };
        expect(sent.tool_calls[0]?.function.arguments).toBe(args);
        const response = {
          id: 'r1',
          finish_reason: 'TOOL_CALL',
          message: { role: 'assistant', tool_calls: [{ id: 'f_1', type: 'function', function: { name: 'f', arguments: args } }] },
        };
        const call = cohereAdapter.parseChatResponse(response, ctx).body.choices[0]?.message.tool_calls?.[0];
        expect(call?.function.arguments).toBe(args);
      }),
      { numRuns: 200 },
    );
  });
});

describe('cohere parseChatResponse', () => {
  it.each(pairs)('normalises the %s response', (_name, fixture) => {
    const result = cohereAdapter.parseChatResponse(fixture.upstreamResponse, { ...ctx, model: fixture.model ?? ctx.model });
    expect(result).toEqual(fixture.expected);
  });

  it.each([
    ['COMPLETE', 'stop'],
    ['STOP_SEQUENCE', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['TOOL_CALL', 'tool_calls'],
    ['ERROR_TOXIC', 'content_filter'],
    ['A_REASON_ADDED_LATER', 'stop'],
    [null, undefined],
  ])('maps finish_reason %s to %s', (reason, finishReason) => {
    expect(toFinishReason(reason)).toBe(finishReason);
  });

  it('turns finish_reason ERROR into a provider error instead of a partial answer', () => {
    const body = { id: 'r2', finish_reason: 'ERROR', message: { role: 'assistant', content: [{ type: 'text', text: 'Once' }] } };
    expect(thrown(() => cohereAdapter.parseChatResponse(body, ctx))).toMatchObject({ code: 'provider_error', source: 'provider' });
  });

  it.each([[null], ['<html>'], [{ message: 'invalid api token' }], [{ id: 'x', message: { role: 'assistant', content: 'text' } }]])(
    'rejects a body that is not a chat response: %j',
    (body) => {
      expect(thrown(() => cohereAdapter.parseChatResponse(body, ctx)).code).toBe('provider_error');
    },
  );

  it('keeps unknown usage undefined instead of zero', () => {
    const result = cohereAdapter.parseChatResponse({ id: 'r3', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [] } }, ctx);
    expect(result.usage).toEqual({});
    expect(result.body).not.toHaveProperty('usage');
    expect(result.body.choices[0]?.message.content).toBeNull();
  });
});

const newTranslator = (overrides: Partial<CallContext> = {}): StreamTranslator =>
  cohereAdapter.createStreamTranslator(minimal({ stream: true }), { ...ctx, ...overrides });
const deltas = (payloads: string[]) => payloads.map((p) => (JSON.parse(p) as { choices: [{ delta: unknown }] }).choices[0]?.delta);

describe('cohere stream translator', () => {
  const textStream = readBytes('text-stream.sse');
  const toolStream = readBytes('tool-stream.sse');
  const textChunks = readJson<unknown[]>('text-stream.chunks.json');
  const toolChunks = readJson<unknown[]>('tool-stream.chunks.json');

  it('translates a text stream fed one byte at a time, with the usage chunk last', () => {
    const translator = newTranslator({ includeUsage: true });
    expect(parsePayloads(runStream(everyByte(textStream), translator))).toEqual(textChunks);
    expect(translator.usage()).toEqual({ inputTokens: 9, outputTokens: 12 });
    expect(translator.finishReason()).toBe('stop');
  });

  it('splits inside a 4-byte emoji and between the two newlines that end an event', () => {
    const emoji = Buffer.from(textStream).indexOf(Buffer.from('🚀'));
    const eventEnd = Buffer.from(textStream).indexOf('\n\n');
    const payloads = runStream(splitAt(textStream, [emoji + 1, emoji + 3, eventEnd + 1]), newTranslator({ includeUsage: true }));
    expect(parsePayloads(payloads)).toEqual(textChunks);
  });

  it('streams the tool plan as content and tool calls with their arguments, and omits usage unless asked', () => {
    const translator = newTranslator();
    const payloads = runStream([toolStream], translator);
    expect(parsePayloads(payloads)).toEqual(toolChunks);
    expect(payloads.every((p) => !('usage' in (JSON.parse(p) as object)))).toBe(true);
    expect(translator.usage()).toEqual({ inputTokens: 37, outputTokens: 41 });
    expect(translator.finishReason()).toBe('tool_calls');
  });

  it('property: any chunking, with LF, CRLF or CR line endings, gives the same chunks', () => {
    fc.assert(
      fc.property(fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat({ max: 4 * toolStream.length }), { maxLength: 60 }), (eol, cuts) => {
        expect(parsePayloads(runStream(splitAt(withLineEndings(toolStream, eol), cuts), newTranslator()))).toEqual(toolChunks);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves thinking out, ignores citation events, and maps MAX_TOKENS with usage from tokens', () => {
    const translator = newTranslator({ includeUsage: true });
    const payloads = runStream(everyByte(readBytes('thinking-stream.sse')), translator);
    expect(deltas(payloads.slice(0, -1))).toEqual([{ role: 'assistant', content: '' }, { content: '42' }, {}]);
    expect(JSON.parse(payloads.at(-1) ?? '{}')).toMatchObject({ choices: [], usage: { prompt_tokens: 50, completion_tokens: 30, total_tokens: 80 } });
    expect(translator.finishReason()).toBe('length');
  });

  it('ignores a [DONE] terminator after message-end', () => {
    const translator = newTranslator();
    const parser = new SseParser();
    const sent: string[] = [];
    const bytes = Buffer.concat([Buffer.from(textStream), Buffer.from('data: [DONE]\n\n')]);
    for (const event of parser.push(bytes)) sent.push(...translator.onEvent(event));
    expect(sent).toHaveLength(5);
    expect(translator.onEnd()).toEqual([]);
  });

  it('throws the mapped error on message-end with finish_reason ERROR, after the chunks already sent', () => {
    const translator = newTranslator();
    const parser = new SseParser();
    const sent: string[] = [];
    const error = thrown(() => {
      for (const event of parser.push(readBytes('error-stream.sse'))) sent.push(...translator.onEvent(event));
    });
    expect(error).toMatchObject({ code: 'provider_error', retryable: true, source: 'provider' });
    expect(error.publicMessage).toBe('cohere: internal server error, this has been reported to our developers');
    expect(deltas(sent)).toEqual([{ role: 'assistant', content: '' }, { content: 'Once upon' }]);
  });

  it('scrubs the key from a mid-stream error message', () => {
    const data = JSON.stringify({ type: 'message-end', delta: { finish_reason: 'ERROR', error: `bad key ${API_KEY}` } });
    const error = thrown(() => newTranslator().onEvent({ event: 'message-end', data, id: undefined }));
    expect(error.publicMessage).toBe('cohere: bad key [REDACTED]');
    expect(JSON.stringify(error.cause)).not.toContain(API_KEY);
  });

  it('throws provider_stream_interrupted when the stream ends before message-end', () => {
    const translator = newTranslator({ includeUsage: true });
    const payloads = [];
    const parser = new SseParser();
    for (const event of parser.push(readBytes('interrupted-stream.sse'))) payloads.push(...translator.onEvent(event));
    expect(payloads).toHaveLength(2);
    expect(thrown(() => translator.onEnd())).toMatchObject({ code: 'provider_stream_interrupted', retryable: true });
  });

  it('rejects event data that is not JSON', () => {
    expect(thrown(() => newTranslator().onEvent({ event: 'content-delta', data: '{"type":', id: undefined })).code).toBe('provider_error');
  });
});

const withKey = (text: string): string => withApiKey(text, API_KEY);
const errorCases = readJson<ErrorFixture[]>('errors.json').map((c) => [c.name, c] as const);

describe('cohere mapError', () => {
  it.each(errorCases)('maps %s', (_name, fixture) => {
    const error = cohereAdapter.mapError({ status: fixture.status, headers: fixture.headers, body: withKey(errorBody(fixture)) }, ctx);
    expectMappedError(error, fixture.expected);
  });

  it('never lets the api key reach an AppError message or cause', () => {
    for (const [, f] of errorCases) {
      const error = cohereAdapter.mapError({ status: f.status, headers: f.headers, body: withKey(errorBody(f)) }, ctx);
      expect(error.publicMessage).not.toContain(API_KEY);
      expect(error.message).not.toContain(API_KEY);
      expect(JSON.stringify(error.cause)).not.toContain(API_KEY);
    }
  });

  it('truncates long provider messages', () => {
    const error = cohereAdapter.mapError({ status: 400, headers: {}, body: JSON.stringify({ message: 'x'.repeat(5000) }) }, ctx);
    expect(error.publicMessage.length).toBeLessThan(600);
  });
});

describe('cohere embeddings', () => {
  const fixture = readJson<PairFixture<EmbeddingsRequest>>('embed.json');
  const embedCtx = { ...ctx, model: fixture.model ?? 'embed-v4.0' };
  const embedBody = (request: EmbeddingsRequest, model = 'embed-english-v3.0'): Record<string, unknown> =>
    JSON.parse(cohereEmbeddingsAdapter.buildEmbeddingsRequest(request, { ...ctx, model }).body ?? 'null') as Record<string, unknown>;

  it('builds the exact upstream request', () => {
    const upstream = cohereEmbeddingsAdapter.buildEmbeddingsRequest(fixture.request, embedCtx);
    expect(withParsedBody(upstream)).toEqual(fixture.upstreamRequest);
  });

  it('normalises the response, with billed input tokens as usage', () => {
    expect(cohereEmbeddingsAdapter.parseEmbeddingsResponse(fixture.upstreamResponse, fixture.request, embedCtx)).toEqual(fixture.expected);
  });

  it('answers base64 as OpenAI does: little-endian float32 bytes', () => {
    const request = { ...fixture.request, encoding_format: 'base64' as const };
    const result = cohereEmbeddingsAdapter.parseEmbeddingsResponse(fixture.upstreamResponse, request, embedCtx);
    const encoded = result.body.data[1]?.embedding as string;
    expect(encoded).toBe(toBase64Float32([-0.25, 0.125, 0, -1]));
    const bytes = Buffer.from(encoded, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4))).toEqual([-0.25, 0.125, 0, -1]);
    expect(bytes.readFloatLE(0)).toBe(-0.25);
  });

  it('takes a single string and a caller-chosen input_type; the request asks for floats either way', () => {
    expect(embedBody({ model: 'embed-english-v3.0', input: 'hi', input_type: 'search_query', encoding_format: 'base64' })).toEqual({
      model: 'embed-english-v3.0',
      texts: ['hi'],
      input_type: 'search_query',
      embedding_types: ['float'],
      truncate: 'NONE',
    });
  });

  it.each([
    ['dimensions', { dimensions: 256 }, 'embed-english-v3.0'],
    ['dimensions', { dimensions: 300 }, 'embed-v4.0'],
    ['input_type', { input_type: 'image' }, 'embed-v4.0'],
    ['input', { input: [1, 2, 3] }, 'embed-v4.0'],
    ['input[0]', { input: [[1, 2, 3]] }, 'embed-v4.0'],
    ['truncate', { truncate: 'END' }, 'embed-v4.0'],
  ])('rejects %s as unsupported (%j on %s)', (param, extra, model) => {
    const error = thrown(() => embedBody({ model, input: ['a'], ...extra } as EmbeddingsRequest, model));
    expect(error).toMatchObject({ code: 'unsupported_parameter', param, status: 400 });
  });

  it('rejects an empty input and an unknown encoding', () => {
    expect(thrown(() => embedBody({ model: 'm', input: [] })).code).toBe('invalid_request');
    expect(thrown(() => embedBody({ model: 'm', input: 'a', encoding_format: 'int8' as 'float' })).param).toBe('encoding_format');
  });

  it('rejects a response without one float vector per input', () => {
    const short = { embeddings: { float: [[1]] }, meta: {} };
    expect(thrown(() => cohereEmbeddingsAdapter.parseEmbeddingsResponse(short, fixture.request, embedCtx)).code).toBe('provider_error');
  });

  it('keeps unknown usage undefined', () => {
    const result = cohereEmbeddingsAdapter.parseEmbeddingsResponse({ embeddings: { float: [[1], [2]] } }, fixture.request, embedCtx);
    expect(result.usage).toEqual({});
  });
});
