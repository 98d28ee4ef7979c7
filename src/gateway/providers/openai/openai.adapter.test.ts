import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import type { ChatCompletionRequest } from '../../chat-types.js';
import { SseParser } from '../../sse.js';
import { createFixtureReader, errorBody, everyByte, expectMappedError, fixtureContext, minimalChatRequest, runStream, splitAt, thrown, withApiKey, withLineEndings, withParsedBody, type ErrorFixture, type PairFixture } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext, StreamTranslator } from '../provider.js';
import { openaiAdapter } from './openai.adapter.js';

const API_KEY = 'sk-proj-FIXTUREkey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH_ijklT3BlbkFJmnopqrstuvwxyz0123456789-QhAA';
/** How OpenAI echoes a rejected key: the first 8 and last 4 characters, the rest starred. */
const MASKED_KEY = `${API_KEY.slice(0, 8)}${'*'.repeat(API_KEY.length - 12)}${API_KEY.slice(-4)}`;

const ctx: CallContext = fixtureContext({ model: 'gpt-4o-mini', apiKey: API_KEY, baseUrl: 'https://api.openai.com/v1' });

const withKey = (text: string): string => withApiKey(text.split('{{MASKED_KEY}}').join(MASKED_KEY), API_KEY);
const { fixtureUrl, readJson, readBytes } = createFixtureReader(import.meta.url, withKey);

/**
 * The `data:` payloads of the complete events of a recorded stream, exactly as its bytes carry them
 * (no SSE parser involved). A trailing block without its blank line is not an event.
 */
const dataPayloads = (name: string): string[] =>
  readFileSync(fixtureUrl(name), 'utf8')
    .split('\n\n')
    .slice(0, -1)
    .filter((block) => block.startsWith('data: ') && !block.includes('\n'))
    .map((block) => block.slice('data: '.length));

const pairs = (['text', 'tool-calls', 'compatible-minimal'] as const).map((name) => [name, readJson<PairFixture>(`${name}.json`)] as const);
const ctxOf = (fixture: PairFixture): CallContext => ({ ...ctx, model: fixture.model ?? ctx.model, baseUrl: fixture.baseUrl ?? ctx.baseUrl });

const minimal = (extra: Record<string, unknown> = {}): ChatCompletionRequest => minimalChatRequest('openai/gpt-4o-mini', extra);
const bodyOf = (request: ChatCompletionRequest): Record<string, unknown> =>
  JSON.parse(openaiAdapter.buildChatRequest(request, ctx).body ?? 'null') as Record<string, unknown>;

describe('openai buildChatRequest', () => {
  it.each(pairs)('builds the exact upstream request for %s', (_name, fixture) => {
    const upstream = openaiAdapter.buildChatRequest(fixture.request, ctxOf(fixture));
    expect(withParsedBody(upstream)).toEqual(fixture.upstreamRequest);
  });

  it('sends the key only as a Bearer authorization header, never in the URL or body', () => {
    const upstream = openaiAdapter.buildChatRequest(minimal(), ctx);
    expect(upstream.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(upstream.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(upstream.url).not.toContain(API_KEY);
    expect(upstream.body).not.toContain(API_KEY);
  });

  it('strips the service prefix by using the resolved model, and passes unknown parameters through untouched', () => {
    const future = { shape: { deeply: [{ nested: null }, 1.5, 'x'] }, flag: false };
    const body = bodyOf(minimal({ a_new_openai_parameter: future, verbosity: 'low', reasoning_effort: 'minimal', modalities: ['text'] }));
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.a_new_openai_parameter).toEqual(future);
    expect(body).toMatchObject({ verbosity: 'low', reasoning_effort: 'minimal', modalities: ['text'] });
  });

  it.each([
    ['no stream_options', undefined, { include_usage: true }],
    ['stream_options: null', null, { include_usage: true }],
    ['include_usage false', { include_usage: false }, { include_usage: true }],
    ['include_usage true', { include_usage: true }, { include_usage: true }],
    ['other keys', { include_obfuscation: false, a_future_option: 3 }, { include_obfuscation: false, a_future_option: 3, include_usage: true }],
  ])('forces stream_options.include_usage for streams (%s), keeping other keys', (_name, streamOptions, expected) => {
    const request = minimal({ stream: true, ...(streamOptions === undefined ? {} : { stream_options: streamOptions }) });
    const upstream = openaiAdapter.buildChatRequest(request, ctx);
    expect(JSON.parse(upstream.body ?? 'null')).toMatchObject({ stream: true, stream_options: expected });
    expect(upstream.headers.accept).toBe('text/event-stream');
  });

  it('leaves stream_options alone when the client does not stream', () => {
    expect(bodyOf(minimal())).not.toHaveProperty('stream_options');
    expect(bodyOf(minimal({ stream: false, stream_options: { include_usage: false } })).stream_options).toEqual({ include_usage: false });
    expect(openaiAdapter.buildChatRequest(minimal(), ctx).headers.accept).toBe('application/json');
  });

  it('does not modify the client request (a fallback may build another upstream request from it)', () => {
    const request = minimal({ stream: true, stream_options: { include_obfuscation: false } });
    const before = structuredClone(request);
    openaiAdapter.buildChatRequest(request, ctx);
    expect(request).toEqual(before);
  });
});

describe('openai parseChatResponse', () => {
  it.each(pairs)('passes the %s response through and normalises usage and finish reason', (_name, fixture) => {
    const result = openaiAdapter.parseChatResponse(fixture.upstreamResponse, ctxOf(fixture));
    expect(result.body).toEqual(fixture.upstreamResponse);
    expect({ usage: result.usage, finishReason: result.finishReason }).toEqual(fixture.expected);
  });

  it('keeps unknown usage undefined instead of zero', () => {
    const response = { id: 'chatcmpl-x', object: 'chat.completion', created: 1, model: 'm', choices: [] };
    expect(openaiAdapter.parseChatResponse(response, ctx)).toEqual({ body: response, usage: {}, finishReason: undefined });
    const partial = { ...response, usage: { completion_tokens: 4 } };
    expect(openaiAdapter.parseChatResponse(partial, ctx).usage).toEqual({ outputTokens: 4 });
  });

  it.each([[null], ['<html>'], [42], [{ error: { message: 'x' } }], [{ object: 'chat.completion', choices: 'none' }]])(
    'rejects a body that is not a chat completion: %j',
    (body) => {
      expect(thrown(() => openaiAdapter.parseChatResponse(body, ctx))).toMatchObject({ code: 'provider_error', source: 'provider' });
    },
  );
});

const newTranslator = (overrides: Partial<CallContext> = {}): StreamTranslator =>
  openaiAdapter.createStreamTranslator(minimal({ stream: true }), { ...ctx, ...overrides });
const isUsageOnly = (payload: string) => (JSON.parse(payload) as { choices: unknown[] }).choices.length === 0;

describe('openai stream translator', () => {
  const textStream = readBytes('text-stream.sse');
  const toolStream = readBytes('tool-stream.sse');
  const textPayloads = dataPayloads('text-stream.sse');
  const toolPayloads = dataPayloads('tool-stream.sse');

  it('the recordings end with a usage-only chunk and [DONE], and every other chunk carries usage: null', () => {
    for (const payloads of [textPayloads, toolPayloads]) {
      expect(payloads.at(-1)).toBe('[DONE]');
      expect(isUsageOnly(payloads.at(-2)!)).toBe(true);
      for (const payload of payloads.slice(0, -2)) expect(JSON.parse(payload)).toHaveProperty('usage', null);
    }
  });

  it('passes every chunk through byte for byte, keeping the usage chunk when the client asked for it', () => {
    const translator = newTranslator({ includeUsage: true });
    expect(runStream([textStream], translator)).toEqual(textPayloads.slice(0, -1));
    expect(translator.usage()).toEqual({ inputTokens: 1433, outputTokens: 9, cachedInputTokens: 1280 });
    expect(translator.finishReason()).toBe('stop');
  });

  it('hides the usage-only chunk it asked for on the client’s behalf, but still meters it', () => {
    const translator = newTranslator({ includeUsage: false });
    const payloads = runStream([textStream], translator);
    expect(payloads).toEqual(textPayloads.slice(0, -2));
    expect(payloads.some(isUsageOnly)).toBe(false);
    expect(translator.usage()).toEqual({ inputTokens: 1433, outputTokens: 9, cachedInputTokens: 1280 });
    expect(translator.finishReason()).toBe('stop');
  });

  it('passes tool-call deltas through unchanged and captures the tool_calls finish reason', () => {
    const translator = newTranslator();
    const payloads = runStream([toolStream], translator);
    expect(payloads).toEqual(toolPayloads.slice(0, -2));
    const args = payloads
      .flatMap((p) => (JSON.parse(p) as { choices: Array<{ delta: { tool_calls?: Array<{ index: number; function?: { arguments?: string } }> } }> }).choices)
      .flatMap((choice) => choice.delta.tool_calls ?? [])
      .reduce<string[]>((acc, call) => {
        acc[call.index] = (acc[call.index] ?? '') + (call.function?.arguments ?? '');
        return acc;
      }, []);
    expect(args.map((text) => JSON.parse(text) as unknown)).toEqual([{ city: 'Paris' }, { tz: 'Europe/Paris' }]);
    expect(translator.finishReason()).toBe('tool_calls');
    expect(translator.usage()).toEqual({ inputTokens: 96, outputTokens: 52, cachedInputTokens: 0 });
  });

  it('never emits [DONE] itself: the gateway writes it once', () => {
    for (const includeUsage of [true, false]) {
      const payloads = runStream([textStream], newTranslator({ includeUsage }));
      expect(payloads).not.toContain('[DONE]');
      expect(payloads.every((p) => !p.includes('[DONE]'))).toBe(true);
    }
  });

  it('gives the same payloads fed one byte at a time (splitting inside 4-byte emoji)', () => {
    expect(runStream(everyByte(textStream), newTranslator({ includeUsage: true }))).toEqual(textPayloads.slice(0, -1));
  });

  it('property: any chunking, with LF or CRLF line endings, gives the same payloads', () => {
    fc.assert(
      fc.property(fc.constantFrom('\n', '\r\n'), fc.array(fc.nat({ max: 4 * toolStream.length }), { maxLength: 60 }), (eol, cuts) => {
        expect(runStream(splitAt(withLineEndings(toolStream, eol), cuts), newTranslator())).toEqual(toolPayloads.slice(0, -2));
      }),
      { numRuns: 200 },
    );
  });

  it('throws provider_stream_interrupted when the upstream closes without [DONE]', () => {
    const translator = newTranslator({ includeUsage: true });
    const parser = new SseParser();
    const sent: string[] = [];
    for (const event of parser.push(readBytes('interrupted-stream.sse'))) sent.push(...translator.onEvent(event));
    for (const event of parser.end()) sent.push(...translator.onEvent(event));
    expect(sent).toEqual(dataPayloads('interrupted-stream.sse'));
    expect(sent).toHaveLength(2);
    expect(thrown(() => translator.onEnd())).toMatchObject({ code: 'provider_stream_interrupted', retryable: true, source: 'provider' });
    expect(translator.usage()).toEqual({});
  });

  it('throws provider_stream_interrupted even when a finish reason arrived but [DONE] did not', () => {
    const translator = newTranslator();
    for (const payload of textPayloads.slice(0, -2)) translator.onEvent({ event: undefined, data: payload, id: undefined });
    expect(translator.finishReason()).toBe('stop');
    expect(thrown(() => translator.onEnd()).code).toBe('provider_stream_interrupted');
  });

  it('turns data: {"error": …} mid-stream into an AppError, after the chunks already sent', () => {
    const translator = newTranslator();
    const parser = new SseParser();
    const sent: string[] = [];
    const error = thrown(() => {
      for (const event of parser.push(readBytes('error-stream.sse'))) sent.push(...translator.onEvent(event));
    });
    expect(sent).toEqual(dataPayloads('error-stream.sse').slice(0, 2));
    expect(error).toMatchObject({ code: 'provider_error', source: 'provider', retryable: true });
    expect(error.publicMessage).toContain('The server had an error while processing your request.');
  });

  it('treats an `event: error` as an error too', () => {
    const error = thrown(() => newTranslator().onEvent({ event: 'error', data: '{"message":"stream failed"}', id: undefined }));
    expect(error.code).toBe('provider_error');
  });
});

const errorCases = readJson<ErrorFixture[]>('errors.json').map((c) => [c.name, c] as const);

describe('openai mapError', () => {
  it.each(errorCases)('maps %s', (_name, fixture) => {
    const error = openaiAdapter.mapError({ status: fixture.status, headers: fixture.headers, body: errorBody(fixture) }, ctx);
    expectMappedError(error, fixture.expected);
  });

  it('covers every branch of the mapping', () => {
    const codes = new Set(errorCases.map(([, f]) => f.expected.code));
    expect([...codes].sort()).toEqual(
      [
        'payload_too_large',
        'provider_bad_request',
        'provider_error',
        'provider_key_rejected',
        'provider_model_not_found',
        'provider_overloaded',
        'provider_permission_denied',
        'provider_quota_exceeded',
        'provider_rate_limited',
        'provider_timeout',
      ].sort(),
    );
  });

  it('attributes key, quota and request problems to the user, and failures to the provider', () => {
    const sourceOf = (status: number, json: unknown = {}) =>
      openaiAdapter.mapError({ status, headers: {}, body: JSON.stringify(json) }, ctx).source;
    expect([401, 403, 404, 400, 422].map((status) => sourceOf(status))).toEqual(['user', 'user', 'user', 'user', 'user']);
    expect(sourceOf(429, { error: { code: 'insufficient_quota' } })).toBe('user');
    expect([429, 500, 502, 503, 504].map((status) => sourceOf(status))).toEqual(['provider', 'provider', 'provider', 'provider', 'provider']);
  });

  it('never lets the api key, or OpenAI’s masked echo of it, reach an AppError', () => {
    const echoes = [API_KEY, MASKED_KEY, `Bearer ${API_KEY}`];
    const errors = [
      ...errorCases.map(([, f]) => openaiAdapter.mapError({ status: f.status, headers: f.headers, body: errorBody(f) }, ctx)),
      ...[400, 401, 403, 404, 413, 422, 429, 500, 503, 504].flatMap((status) =>
        echoes.map((echo) =>
          openaiAdapter.mapError({ status, headers: {}, body: JSON.stringify({ error: { message: `key ${echo} refused`, type: 'x' } }) }, ctx),
        ),
      ),
      ...echoes.map((echo) =>
        thrown(() => newTranslator().onEvent({ event: undefined, data: JSON.stringify({ error: { message: `bad key ${echo}` } }), id: undefined })),
      ),
    ];
    for (const error of errors) {
      for (const text of [error.publicMessage, error.message, JSON.stringify(error.cause) ?? '']) {
        expect(text).not.toContain(API_KEY);
        expect(text).not.toContain(MASKED_KEY);
        // Even the masked form's visible ends, which together identify the key.
        expect(text).not.toContain(MASKED_KEY.slice(-12));
      }
    }
  });

  it('truncates long provider messages', () => {
    const body = JSON.stringify({ error: { message: 'x'.repeat(5000), type: 'invalid_request_error' } });
    expect(openaiAdapter.mapError({ status: 400, headers: {}, body }, ctx).publicMessage.length).toBeLessThan(600);
  });

  it.each([
    ['7', 7],
    ['0', 0],
    [['3', '9'], 3],
    ['soon', undefined],
    ['-1', undefined],
    [undefined, undefined],
  ])('reads retry-after %j as %j seconds', (value, seconds) => {
    const headers = value === undefined ? {} : { 'retry-after': value };
    expect(openaiAdapter.mapError({ status: 429, headers, body: '' }, ctx).retryAfterSeconds).toBe(seconds);
  });
});

describe('openai-compatible servers (regressions from review)', () => {
  it('meters usage and finish reasons from JSON with spaces after colons, and hides the usage-only chunk', () => {
    const translator = newTranslator({ includeUsage: false });
    const content = '{"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "length"}], "usage": null}';
    const usage = '{"id": "c1", "object": "chat.completion.chunk", "choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}';
    expect(translator.onEvent({ event: undefined, data: content, id: undefined })).toEqual([content]);
    expect(translator.onEvent({ event: undefined, data: usage, id: undefined })).toEqual([]);
    expect(translator.finishReason()).toBe('length');
    expect(translator.usage()).toEqual({ inputTokens: 11, outputTokens: 7 });
  });

  it('raises a spaced in-stream error object', () => {
    expect(() => newTranslator().onEvent({ event: undefined, data: '{ "error": { "message": "boom" } }', id: undefined })).toThrow(AppError);
  });

  it('reads retry-after given as an HTTP date, relative to the request time', () => {
    const date = new Date((ctx.createdAt + 30) * 1000).toUTCString();
    expect(openaiAdapter.mapError({ status: 429, headers: { 'retry-after': date }, body: '' }, ctx).retryAfterSeconds).toBe(30);
  });
});
