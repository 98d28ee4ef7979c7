import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import type { ChatCompletionRequest } from '../../chat-types.js';
import { createFixtureReader, errorBody, everyByte, expectMappedError, fixtureContext, runStream, splitAt, thrown, withApiKey, withParsedBody, type ErrorFixture } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext } from '../provider.js';
import { openaiCompatibleAdapter as adapter } from './compat.adapter.js';

const API_KEY = 'sk-compat-FIXTUREkey0123456789abcdefghijklmnopqrstuvwxyz';

const ctx: CallContext = fixtureContext({ model: 'llama3.2', apiKey: API_KEY, baseUrl: 'http://127.0.0.1:11434/v1' });

const { fixtureUrl, readJson, readBytes } = createFixtureReader(import.meta.url, (text) => withApiKey(text, API_KEY));
const parsed = (payloads: string[]) => payloads.map((p) => JSON.parse(p) as Record<string, unknown>);

interface PairFixture {
  model: string;
  baseUrl: string;
  request: ChatCompletionRequest;
  upstreamRequest: unknown;
  upstreamResponse: unknown;
  expectedBody: unknown;
  expected: { usage: unknown; finishReason: string };
}
const pairs = (['ollama-text', 'together-eos'] as const).map((name) => [name, readJson<PairFixture>(`${name}.json`)] as const);
const ctxOf = (fixture: PairFixture): CallContext => ({ ...ctx, model: fixture.model, baseUrl: fixture.baseUrl });
const stream = (includeUsage = false) => adapter.createStreamTranslator({ model: 'm', messages: [], stream: true }, { ...ctx, includeUsage });

describe('openai_compatible buildChatRequest', () => {
  it.each(pairs)('builds the exact upstream request for %s (OpenAI’s request, under the integration base_url)', (_name, fixture) => {
    const upstream = adapter.buildChatRequest(fixture.request, ctxOf(fixture));
    expect(withParsedBody(upstream)).toEqual(fixture.upstreamRequest);
  });

  it('asks streams for usage (stream_options.include_usage), like the OpenAI adapter', () => {
    const upstream = adapter.buildChatRequest({ model: 'openai_compatible/llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: true }, ctx);
    expect(JSON.parse(upstream.body ?? '{}')).toMatchObject({ model: 'llama3.2', stream: true, stream_options: { include_usage: true } });
    expect(upstream.headers.accept).toBe('text/event-stream');
  });
});

describe('openai_compatible parseChatResponse', () => {
  it.each(pairs)('normalises the %s response', (_name, fixture) => {
    const result = adapter.parseChatResponse(fixture.upstreamResponse, ctxOf(fixture));
    expect(result.body).toEqual(fixture.expectedBody);
    expect({ usage: result.usage, finishReason: result.finishReason }).toEqual(fixture.expected);
  });

  it.each([
    ['eos', 'stop'],
    ['eos_token', 'stop'],
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_length', 'length'],
    ['tool_call', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['abort', 'abort'],
    ['insufficient_system_resource', 'insufficient_system_resource'],
  ])('finish_reason %s → %s', (reason, mapped) => {
    const result = adapter.parseChatResponse({ choices: [{ message: { role: 'assistant', content: 'x' }, finish_reason: reason }] }, ctx);
    expect(result.body.choices[0]?.finish_reason).toBe(mapped);
    expect(result.finishReason).toBe(mapped);
  });

  it('keeps partial usage partial, and reads Groq’s x_groq.usage', () => {
    expect(adapter.parseChatResponse({ choices: [], usage: { completion_tokens: 4 } }, ctx).usage).toEqual({ outputTokens: 4 });
    const groq = adapter.parseChatResponse({ choices: [], x_groq: { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } } }, ctx);
    expect(groq.usage).toEqual({ inputTokens: 3, outputTokens: 2 });
    expect(groq.body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  it.each([[null], ['<html>'], [{ error: 'model not found' }], [{ choices: 'none' }]])('rejects a body that is not a chat completion: %j', (body) => {
    expect(thrown(() => adapter.parseChatResponse(body, ctx))).toMatchObject({ code: 'provider_error', source: 'provider' });
  });
});

describe('openai_compatible stream translator', () => {
  it('llama.cpp: the usage chunk it sends unasked is metered and hidden', () => {
    const translator = stream(false);
    const payloads = runStream([readBytes('llamacpp-stream.sse')], translator);
    expect(payloads).toHaveLength(4);
    expect(parsed(payloads).map((c) => (c.choices as Array<{ delta: { content?: string } }>)[0]?.delta.content ?? '').join('')).toBe('Hello!');
    expect(translator.usage()).toEqual({ inputTokens: 75, outputTokens: 2 });
    expect(translator.finishReason()).toBe('stop');
  });

  it('llama.cpp: the usage chunk reaches a client that asked, with its extra fields', () => {
    const payloads = parsed(runStream([readBytes('llamacpp-stream.sse')], stream(true)));
    expect(payloads.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 75, completion_tokens: 2 }, timings: { prompt_n: 75 } });
  });

  it('no ids, `eos`, and a usage chunk without `choices`: ids filled in once for the stream, choices: [] added', () => {
    const translator = stream(true);
    const payloads = parsed(runStream([readBytes('no-ids-stream.sse')], translator));
    expect(payloads).toHaveLength(4);
    for (const chunk of payloads) {
      expect(chunk).toMatchObject({ id: 'chatcmpl-req_sb_01', object: 'chat.completion.chunk', created: 1767225600, model: 'llama3.2' });
      expect(Array.isArray(chunk.choices)).toBe(true);
    }
    expect(payloads[2]).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
    expect(payloads[3]).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 2 } });
    expect(translator.usage()).toEqual({ inputTokens: 12, outputTokens: 2 });
    expect(translator.finishReason()).toBe('stop');
  });

  it('Groq: usage under x_groq on the last chunk is metered; the client sees it only if it asked', () => {
    const hidden = stream(false);
    const quiet = parsed(runStream([readBytes('groq-stream.sse')], hidden));
    expect(quiet.at(-1)).toMatchObject({ choices: [{ finish_reason: 'stop' }], usage: null });
    expect(hidden.usage()).toEqual({ inputTokens: 40, outputTokens: 1 });
    const shown = parsed(runStream([readBytes('groq-stream.sse')], stream(true)));
    expect(shown.at(-1)).toMatchObject({ usage: { prompt_tokens: 40, completion_tokens: 1, total_tokens: 41 } });
  });

  it('a stream that ends after a finish reason but without [DONE] is complete; without either it is interrupted', () => {
    const translator = stream();
    expect(runStream([readBytes('no-done-stream.sse')], translator)).toHaveLength(2);
    expect(translator.finishReason()).toBe('length');
    const cut = stream();
    const first = readFileSync(fixtureUrl('no-done-stream.sse'), 'utf8').split('\n\n')[0]! + '\n\n';
    expect(thrown(() => runStream([new TextEncoder().encode(first)], cut))).toMatchObject({ code: 'provider_stream_interrupted', source: 'provider' });
  });

  it('an in-stream error object (llama.cpp) becomes an AppError after the chunks already sent', () => {
    const translator = stream();
    const sent: string[] = [];
    const bytes = readFileSync(fixtureUrl('error-stream.sse'), 'utf8').split('\n\n');
    const error = thrown(() => {
      for (const block of bytes.filter((b) => b.startsWith('data: '))) sent.push(...translator.onEvent({ event: undefined, data: block.slice(6), id: undefined }));
    });
    expect(sent).toHaveLength(1);
    expect(error).toMatchObject({ code: 'provider_error', source: 'provider' });
    expect(error.publicMessage).toContain('failed to decode token');
  });

  const toolCallsOf = (payloads: string[]) =>
    parsed(payloads)
      .flatMap((c) => (c.choices as Array<{ delta: { tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> } }>))
      .flatMap((choice) => choice.delta.tool_calls ?? [])
      .reduce<Array<{ id?: string; name?: string; args: string }>>((calls, call) => {
        const slot = (calls[call.index] ??= { args: '' });
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.name = call.function.name;
        slot.args += call.function?.arguments ?? '';
        return calls;
      }, []);

  it('Ollama reusing index 0 for every tool call (ollama#15457): each call gets its own index, continuations follow', () => {
    const translator = stream();
    const calls = toolCallsOf(runStream([readBytes('ollama-tools-stream.sse')], translator));
    expect(calls.map((call) => [call.id, call.name, JSON.parse(call.args) as unknown])).toEqual([
      ['call_a1', 'file_write', { filePath: 'hello.py', content: 'print("hello")' }],
      ['call_b2', 'file_write', { filePath: 'world.py', content: 'print("world")' }],
    ]);
    expect(translator.finishReason()).toBe('tool_calls');
  });

  it('tool call deltas without any index (Ollama < 0.4.7, ollama#7881) get 0, 1, …', () => {
    const chunk = (call: unknown) => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }] });
    const text = [
      chunk({ id: 'call_1', type: 'function', function: { name: 'a', arguments: '{"x":' } }),
      chunk({ function: { arguments: '1}' } }),
      chunk({ id: 'call_2', type: 'function', function: { name: 'b', arguments: '{}' } }),
      '[DONE]',
    ].map((data) => `data: ${data}\n\n`).join('');
    const calls = toolCallsOf(runStream([new TextEncoder().encode(text)], stream()));
    expect(calls).toEqual([
      { id: 'call_1', name: 'a', args: '{"x":1}' },
      { id: 'call_2', name: 'b', args: '{}' },
    ]);
  });

  it('leaves correct OpenAI-style indices alone', () => {
    const data = JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'x', function: { name: 'a', arguments: '' } }, { index: 1, id: 'y', function: { name: 'b', arguments: '' } }] }, finish_reason: null }] });
    expect(stream().onEvent({ event: undefined, data, id: undefined })).toEqual([data]);
  });

  it('a data line that is not JSON is a provider error, not passed on to the client', () => {
    expect(thrown(() => stream().onEvent({ event: undefined, data: 'hello', id: undefined })).code).toBe('provider_error');
  });

  it('property: any chunking, LF or CRLF, gives the same payloads', () => {
    const text = readFileSync(fixtureUrl('no-ids-stream.sse'), 'utf8');
    const expected = runStream([new TextEncoder().encode(text)], stream(true));
    expect(runStream(everyByte(new TextEncoder().encode(text)), stream(true))).toEqual(expected);
    fc.assert(
      fc.property(fc.constantFrom('\n', '\r\n'), fc.array(fc.nat({ max: 2 * text.length }), { maxLength: 40 }), (eol, cuts) => {
        const bytes = new TextEncoder().encode(text.replace(/\n/g, eol));
        expect(runStream(splitAt(bytes, cuts), stream(true))).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});

const errorCases = readJson<ErrorFixture[]>('errors.json').map((c) => [c.name, c] as const);

describe('openai_compatible mapError', () => {
  it.each(errorCases)('maps %s', (_name, fixture) => {
    const error = adapter.mapError({ status: fixture.status, headers: fixture.headers, body: errorBody(fixture) }, ctx);
    expectMappedError(error, fixture.expected);
  });

  it('never lets the api key reach an AppError, whatever the body shape', () => {
    const bodies = [{ error: `bad key ${API_KEY}` }, { detail: `bad key ${API_KEY}` }, { object: 'error', message: `bad key ${API_KEY}`, code: 401 }, { message: `Bearer ${API_KEY}` }];
    for (const status of [400, 401, 402, 403, 404, 429, 500]) {
      for (const body of bodies) {
        const error = adapter.mapError({ status, headers: {}, body: JSON.stringify(body) }, ctx);
        expect(`${error.publicMessage} ${error.message} ${JSON.stringify(error.cause) ?? ''}`).not.toContain(API_KEY);
      }
    }
  });
});
