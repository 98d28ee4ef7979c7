import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import type { ChatCompletionRequest } from '../../chat-types.js';
import { SseParser } from '../../sse.js';
import { createFixtureReader, errorBody, everyByte, expectMappedError, fixtureContext, minimalChatRequest, runStream, splitAt, thrown, withApiKey, withParsedBody, type ErrorFixture, type PairFixture } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext, EmbeddingsRequest, StreamTranslator } from '../provider.js';
import { geminiAdapter, geminiEmbeddingsAdapter } from './gemini.adapter.js';
import type { GeminiGenerateContentRequest } from './to-gemini-request.js';

const API_KEY = 'AIzaSyFIXTURE-key_0123456789abcdefghijkl';
const ctx: CallContext = fixtureContext({ model: 'gemini-2.5-flash', apiKey: API_KEY, baseUrl: 'https://generativelanguage.googleapis.com' });

const { readJson, readBytes } = createFixtureReader(import.meta.url);
const withKey = <T>(value: T): T => JSON.parse(JSON.stringify(value).split('{{API_KEY}}').join(API_KEY)) as T;

const PAIRS = ['text-system', 'tool-calls', 'images-json', 'safety'] as const;
const pairs = PAIRS.map((name) => [name, readJson<PairFixture>(`${name}.json`)] as const);
const modelOf = (request: ChatCompletionRequest): string => request.model.replace(/^gemini\//, '');

const minimal = (extra: Record<string, unknown> = {}): ChatCompletionRequest => minimalChatRequest('gemini/gemini-2.5-flash', extra);
const bodyOf = (request: ChatCompletionRequest, model = ctx.model): GeminiGenerateContentRequest =>
  JSON.parse(geminiAdapter.buildChatRequest(request, { ...ctx, model }).body ?? 'null') as GeminiGenerateContentRequest;

describe('gemini buildChatRequest', () => {
  it.each(pairs)('builds the exact upstream request for %s', (_name, fixture) => {
    const upstream = geminiAdapter.buildChatRequest(fixture.request, { ...ctx, model: modelOf(fixture.request) });
    expect(withParsedBody(upstream)).toEqual(withKey(fixture.upstreamRequest));
  });

  it('streams through streamGenerateContent with alt=sse', () => {
    expect(geminiAdapter.buildChatRequest(minimal({ stream: true }), ctx).url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
  });

  it('sends a minimal request with nothing the client did not ask for, and accepts harmless parameters', () => {
    expect(bodyOf(minimal())).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    const harmless = minimal({
      n: 1, logprobs: false, top_logprobs: 0, presence_penalty: 0, logit_bias: {}, verbosity: 'medium', modalities: ['text'],
      response_format: { type: 'text' }, service_tier: 'auto', store: false, metadata: { a: 'b' }, user: 'u', safety_identifier: 's',
      prompt_cache_key: 'k', prediction: { type: 'content', content: 'x' }, stream_options: { include_usage: true },
    });
    expect(bodyOf(harmless)).toEqual(bodyOf(minimal()));
  });

  it.each([
    ['auto', undefined],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
  ])('maps tool_choice %j to %j', (choice, expected) => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } }];
    expect(bodyOf(minimal({ tools, tool_choice: choice })).toolConfig).toEqual(expected);
  });

  it('asks for VALIDATED function calling when a tool is strict and the choice is auto', () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', strict: true, parameters: { type: 'object' } } }];
    expect(bodyOf(minimal({ tools })).toolConfig).toEqual({ functionCallingConfig: { mode: 'VALIDATED' } });
  });

  it('maps n, penalties, json_object and Gemini 3 thinking levels', () => {
    expect(bodyOf(minimal({ n: 2, presence_penalty: 0.5, frequency_penalty: -0.5, response_format: { type: 'json_object' } })).generationConfig).toEqual({
      candidateCount: 2,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      responseMimeType: 'application/json',
    });
    expect(bodyOf(minimal({ reasoning_effort: 'high' }), 'gemini-3-pro-preview').generationConfig).toEqual({ thinkingConfig: { thinkingLevel: 'high' } });
    expect(bodyOf(minimal({ reasoning_effort: 'none' }), 'gemini-2.5-flash').generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
  });

  it.each([
    ['an unknown parameter', { frobnicate: true }, 'unsupported_parameter', 'frobnicate'],
    ['logprobs', { logprobs: true }, 'unsupported_parameter', 'logprobs'],
    ['parallel_tool_calls false', { parallel_tool_calls: false }, 'unsupported_parameter', 'parallel_tool_calls'],
    ['audio output', { audio: { voice: 'x' } }, 'unsupported_parameter', 'audio'],
    ['a flex service tier', { service_tier: 'flex' }, 'unsupported_parameter', 'service_tier'],
    ['an unknown reasoning effort', { reasoning_effort: 'max' }, 'unsupported_parameter', 'reasoning_effort'],
    ['a message name', { messages: [{ role: 'user', content: 'x', name: 'bob' }] }, 'unsupported_parameter', 'messages[0].name'],
    [
      'an http image URL without an image extension',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat?id=1' } }] }] },
      'unsupported_parameter',
      'messages[0].content[0].image_url.url',
    ],
    [
      'a tool result without a matching call',
      { messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_x', content: '1' }] },
      'invalid_request',
      'messages[1].tool_call_id',
    ],
    ['only system messages', { messages: [{ role: 'system', content: 'x' }] }, 'invalid_request', 'messages'],
    ['tool_choice without tools', { tool_choice: 'required' }, 'invalid_request', 'tool_choice'],
  ])('refuses %s with a clear 400', (_name, extra, code, param) => {
    const error = thrown(() => geminiAdapter.buildChatRequest(minimal(extra), ctx));
    expect({ code: error.code, status: error.status, param: error.param }).toEqual({ code, status: 400, param });
  });

  it('sends an http(s) image URL with a known extension as fileData for Gemini to fetch', () => {
    const content = [{ type: 'image_url', image_url: { url: 'https://example.com/photos/cat.JPG?size=large' } }];
    expect(bodyOf(minimal({ messages: [{ role: 'user', content }] })).contents).toEqual([
      { role: 'user', parts: [{ fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photos/cat.JPG?size=large' } }] },
    ]);
  });

  it('gives unsigned function calls in history Google’s skip sentinel on Gemini 3 only, once per model turn', () => {
    const messages = [
      { role: 'user', content: 'x' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'a' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'b' },
    ];
    const parts = (model: string) => bodyOf(minimal({ messages }), model).contents[1]?.parts;
    expect(parts('gemini-3-pro-preview')).toEqual([
      { functionCall: { name: 'f', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
      { functionCall: { name: 'g', args: {} } },
    ]);
    expect(parts('gemini-2.5-flash')).toEqual([{ functionCall: { name: 'f', args: {} } }, { functionCall: { name: 'g', args: {} } }]);
  });

  it('property: any JSON object survives tool arguments → functionCall args', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (args) => {
        const body = bodyOf(
          minimal({
            messages: [
              { role: 'user', content: 'x' },
              { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: JSON.stringify(args) } }] },
              { role: 'tool', tool_call_id: 'c1', content: 'ok' },
            ],
          }),
        );
        const part = body.contents[1]?.parts[0] as { functionCall: { args: unknown } };
        expect(JSON.stringify(part.functionCall.args)).toBe(JSON.stringify(JSON.parse(JSON.stringify(args))));
      }),
      { numRuns: 100 },
    );
  });
});

describe('gemini parseChatResponse', () => {
  it.each(pairs)('normalises the response of %s', (_name, fixture) => {
    const result = geminiAdapter.parseChatResponse(fixture.upstreamResponse, { ...ctx, model: modelOf(fixture.request) });
    expect(result.body).toEqual(fixture.expected.body);
    expect(result.usage).toEqual(fixture.expected.usage);
    expect(result.finishReason).toBe(fixture.expected.finishReason);
  });

  it('answers a blocked prompt (no candidates) as content_filter', () => {
    const result = geminiAdapter.parseChatResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } }, ctx);
    expect(result.body.choices).toEqual([{ index: 0, message: { role: 'assistant', content: null, refusal: null }, finish_reason: 'content_filter', logprobs: null }]);
    expect(result.finishReason).toBe('content_filter');
  });

  it('keeps usage unknown, not zero, when Gemini sends no usageMetadata', () => {
    const result = geminiAdapter.parseChatResponse({ candidates: [{ content: { parts: [{ text: 'x' }], role: 'model' }, finishReason: 'STOP' }] }, ctx);
    expect(result.usage).toEqual({});
    expect(result.body.usage).toBeUndefined();
  });

  it('maps several candidates (n) to several choices', () => {
    const candidates = [0, 1].map((index) => ({ content: { parts: [{ text: `c${index}` }], role: 'model' }, finishReason: 'STOP', index }));
    const result = geminiAdapter.parseChatResponse({ candidates }, ctx);
    expect(result.body.choices.map((c) => [c.index, c.message.content])).toEqual([[0, 'c0'], [1, 'c1']]);
  });

  it('rejects a body that is not a GenerateContentResponse', () => {
    expect(thrown(() => geminiAdapter.parseChatResponse({ hello: 1 }, ctx)).code).toBe('provider_error');
  });
});

const newTranslator = (over: Partial<CallContext> = {}): StreamTranslator =>
  geminiAdapter.createStreamTranslator(minimal({ stream: true }), { ...ctx, model: 'gemini-2.0-flash', ...over });
const parse = (payloads: string[]) => payloads.map((p) => JSON.parse(p) as Record<string, unknown>);
const base = (id: string, model: string, withUsage: boolean) => ({ id, object: 'chat.completion.chunk', created: ctx.createdAt, model, ...(withUsage && { usage: null }) });
const choice = (delta: unknown, finish: string | null = null) => ({ choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });

const TEXT_CHUNKS = [
  { ...base('chatcmpl-strmResp00000000000001', 'gemini-2.0-flash', true), ...choice({ role: 'assistant', content: '' }) },
  { ...base('chatcmpl-strmResp00000000000001', 'gemini-2.0-flash', true), ...choice({ content: 'Hello' }) },
  { ...base('chatcmpl-strmResp00000000000001', 'gemini-2.0-flash', true), ...choice({ content: ' there, Tōkyō' }) },
  { ...base('chatcmpl-strmResp00000000000001', 'gemini-2.0-flash', true), ...choice({ content: '!' }) },
  { ...base('chatcmpl-strmResp00000000000001', 'gemini-2.0-flash', true), ...choice({}, 'stop') },
  { id: 'chatcmpl-strmResp00000000000001', object: 'chat.completion.chunk', created: ctx.createdAt, model: 'gemini-2.0-flash', choices: [], usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 } },
];

const TOOL_CHUNKS = [
  { ...base('chatcmpl-toolStrm00000000000001', 'gemini-2.5-flash', false), ...choice({ role: 'assistant', content: '' }) },
  {
    ...base('chatcmpl-toolStrm00000000000001', 'gemini-2.5-flash', false),
    ...choice({ tool_calls: [{ index: 0, id: 'call_req_sb_01_0__thought__CiQBsig==', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }),
  },
  {
    ...base('chatcmpl-toolStrm00000000000001', 'gemini-2.5-flash', false),
    ...choice({ tool_calls: [{ index: 1, id: 'call_req_sb_01_1', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
  },
  { ...base('chatcmpl-toolStrm00000000000001', 'gemini-2.5-flash', false), ...choice({}, 'tool_calls') },
];

describe('gemini stream translator', () => {
  const textStream = readBytes('text-stream.sse');

  it('translates a text stream fed one byte at a time (CRLF event ends), with the usage chunk last', () => {
    const translator = newTranslator({ includeUsage: true });
    expect(parse(runStream(everyByte(textStream), translator))).toEqual(TEXT_CHUNKS);
    expect(translator.usage()).toEqual({ inputTokens: 9, outputTokens: 5 });
    expect(translator.finishReason()).toBe('stop');
  });

  it('property: any chunking gives the same chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: textStream.length }), { maxLength: 40 }), (cuts) => {
        expect(parse(runStream(splitAt(textStream, cuts), newTranslator({ includeUsage: true })))).toEqual(TEXT_CHUNKS);
      }),
      { numRuns: 200 },
    );
  });

  it('translates whole function calls with running indexes and thinking counted as output, no usage unless asked', () => {
    const translator = newTranslator();
    const payloads = runStream([readBytes('tool-stream.sse')], translator);
    expect(parse(payloads)).toEqual(TOOL_CHUNKS);
    expect(translator.usage()).toEqual({ inputTokens: 50, outputTokens: 48 });
    expect(translator.finishReason()).toBe('tool_calls');
  });

  it('sends a finish once, even when a trailing chunk repeats it with final usage', () => {
    const translator = newTranslator({ includeUsage: true });
    const chunk = (usage: number) => ({
      event: undefined,
      id: undefined,
      data: JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: usage } }),
    });
    const payloads = parse([...translator.onEvent(chunk(1)), ...translator.onEvent(chunk(2)), ...translator.onEnd()]);
    expect(payloads.filter((p) => (p.choices as Array<{ finish_reason: unknown }>)[0]?.finish_reason === 'stop')).toHaveLength(1);
    expect(payloads.at(-1)?.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  it('ends a blocked prompt with content_filter', () => {
    const translator = newTranslator();
    const payloads = parse(runStream([readBytes('blocked-stream.sse')], translator));
    expect(payloads.map((p) => (p.choices as Array<{ finish_reason: unknown }>)[0]?.finish_reason)).toEqual([null, 'content_filter']);
    expect(translator.finishReason()).toBe('content_filter');
  });

  it('throws the mapped error on an error event mid-stream, after the chunks already sent', () => {
    const translator = newTranslator();
    const sent: string[] = [];
    const parser = new SseParser();
    const error = thrown(() => {
      for (const event of parser.push(readBytes('error-stream.sse'))) sent.push(...translator.onEvent(event));
    });
    expect(error).toMatchObject({ code: 'provider_overloaded', retryable: true, publicMessage: 'gemini: The model is overloaded. Please try again later.' });
    expect(parse(sent).map((p) => (p.choices as Array<{ delta: unknown }>)[0]?.delta)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hel' }]);
  });

  it('throws provider_stream_interrupted when the stream ends before a finishReason', () => {
    const translator = newTranslator({ includeUsage: true });
    const parser = new SseParser();
    for (const event of parser.push(readBytes('interrupted-stream.sse'))) translator.onEvent(event);
    expect(thrown(() => translator.onEnd())).toMatchObject({ code: 'provider_stream_interrupted', retryable: true });
  });

  it('rejects event data that is not JSON', () => {
    expect(thrown(() => newTranslator().onEvent({ event: undefined, data: '{"candidates":', id: undefined })).code).toBe('provider_error');
  });
});

const errorCases = readJson<ErrorFixture[]>('errors.json').map((c) => [c.name, c] as const);

describe('gemini mapError', () => {
  it.each(errorCases)('maps %s', (_name, fixture) => {
    const body = withApiKey(errorBody(fixture), API_KEY);
    const error = geminiAdapter.mapError({ status: fixture.status, headers: fixture.headers, body }, ctx);
    expectMappedError(error, fixture.expected);
  });

  it('never lets the api key reach an AppError message or cause', () => {
    const errors = errorCases.map(([, f]) =>
      geminiAdapter.mapError({ status: f.status, headers: f.headers, body: withApiKey(errorBody(f), API_KEY) }, ctx),
    );
    const streamError = thrown(() =>
      newTranslator().onEvent({ event: undefined, data: JSON.stringify({ error: { code: 500, message: `bad ${API_KEY}`, status: 'INTERNAL' } }), id: undefined }),
    );
    for (const error of [...errors, streamError]) {
      expect(error.publicMessage).not.toContain(API_KEY);
      expect(error.message).not.toContain(API_KEY);
      expect(JSON.stringify(error.cause)).not.toContain(API_KEY);
    }
  });
});

interface EmbeddingsFixture {
  model: string;
  request: EmbeddingsRequest;
  upstreamRequest: unknown;
  upstreamResponse: unknown;
  expected: { body: unknown; usage: unknown };
}

describe('gemini embeddings', () => {
  const fixture = readJson<EmbeddingsFixture>('embeddings.json');
  const ectx = { ...ctx, model: fixture.model };

  it('builds the exact batchEmbedContents request', () => {
    const upstream = geminiEmbeddingsAdapter.buildEmbeddingsRequest(fixture.request, ectx);
    expect(withParsedBody(upstream)).toEqual(withKey(fixture.upstreamRequest));
  });

  it('normalises the response with usage unknown (no usage object, never 0)', () => {
    const result = geminiEmbeddingsAdapter.parseEmbeddingsResponse(fixture.upstreamResponse, fixture.request, ectx);
    expect(result.body).toEqual(fixture.expected.body);
    expect(result.body).not.toHaveProperty('usage');
    expect(result.usage).toEqual(fixture.expected.usage);
  });

  it('encodes base64 as little-endian float32, as OpenAI does', () => {
    const request = { ...fixture.request, encoding_format: 'base64' as const };
    const result = geminiEmbeddingsAdapter.parseEmbeddingsResponse(fixture.upstreamResponse, request, ectx);
    const first = result.body.data[0]?.embedding as string;
    const bytes = Buffer.from(first, 'base64');
    expect([0, 1, 2].map((i) => bytes.readFloatLE(i * 4))).toEqual([0.25, -0.5, 1]);
    expect(first).toBe(Buffer.from(new Float32Array([0.25, -0.5, 1]).buffer).toString('base64'));
  });

  it('sends a single string as one request and accepts Gemini task names and search_query', () => {
    const one = (input_type?: string) =>
      JSON.parse(geminiEmbeddingsAdapter.buildEmbeddingsRequest({ model: 'x', input: 'hello', ...(input_type && { input_type }) }, ectx).body ?? '') as { requests: unknown[] };
    expect(one().requests).toEqual([{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello' }] } }]);
    expect(one('SEMANTIC_SIMILARITY').requests[0]).toMatchObject({ taskType: 'SEMANTIC_SIMILARITY' });
    expect(one('search_query').requests[0]).toMatchObject({ taskType: 'RETRIEVAL_QUERY' });
  });

  it.each([
    ['token ids', { input: [1, 2, 3] }, 'unsupported_parameter', 'input[0]'],
    ['over 100 inputs', { input: Array.from({ length: 101 }, () => 'x') }, 'unsupported_parameter', 'input'],
    ['an unknown input_type', { input: 'x', input_type: 'poetry' }, 'unsupported_parameter', 'input_type'],
    ['an unknown parameter', { input: 'x', frobnicate: 1 }, 'unsupported_parameter', 'frobnicate'],
    ['zero dimensions', { input: 'x', dimensions: 0 }, 'invalid_request', 'dimensions'],
    ['an empty list', { input: [] }, 'invalid_request', 'input'],
  ])('refuses %s', (_name, extra, code, param) => {
    const error = thrown(() => geminiEmbeddingsAdapter.buildEmbeddingsRequest({ model: 'x', ...extra } as EmbeddingsRequest, ectx));
    expect({ code: error.code, param: error.param }).toEqual({ code, param });
  });

  it('rejects a response without one embedding per input', () => {
    expect(thrown(() => geminiEmbeddingsAdapter.parseEmbeddingsResponse({ embeddings: [] }, fixture.request, ectx)).code).toBe('provider_error');
  });
});
