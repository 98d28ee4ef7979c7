import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureContext, thrown, withParsedBody } from '../../../../test/helpers/adapter-replay.js';
import { base64ToFloats, floatsToBase64 } from '../../embeddings.js';
import type { CallContext, EmbeddingsRequest } from '../provider.js';
import { openaiEmbeddingsAdapter as adapter } from './openai.embeddings.js';

const API_KEY = 'sk-proj-FIXTUREkey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH';
const ctx: CallContext = fixtureContext({ model: 'text-embedding-3-small', apiKey: API_KEY, baseUrl: 'https://api.openai.com/v1' });

interface Fixture {
  request: EmbeddingsRequest;
  upstreamRequest: unknown;
  upstreamResponse: Record<string, unknown>;
  expectedUsage: unknown;
  expectedFloats?: number[];
}
const read = (name: string): Fixture =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8').split('{{API_KEY}}').join(API_KEY)) as Fixture;
const fixtures = (['embeddings-float.json', 'embeddings-base64.json'] as const).map((name) => [name, read(name)] as const);

describe('openai embeddings adapter', () => {
  it.each(fixtures)('builds the exact upstream request for %s', (_name, fixture) => {
    const upstream = adapter.buildEmbeddingsRequest(fixture.request, ctx);
    expect(withParsedBody(upstream)).toEqual(fixture.upstreamRequest);
    expect(upstream.url).not.toContain(API_KEY);
    expect(upstream.body).not.toContain(API_KEY);
  });

  it.each(fixtures)('passes the %s response through and normalises usage (0 output tokens)', (_name, fixture) => {
    const result = adapter.parseEmbeddingsResponse(fixture.upstreamResponse, fixture.request, ctx);
    expect(result.body).toEqual(fixture.upstreamResponse);
    expect(result.usage).toEqual(fixture.expectedUsage);
  });

  it('the recorded base64 decodes to the float32 values OpenAI meant, and re-encodes to the same bytes', () => {
    const [, fixture] = fixtures[1]!;
    const text = (fixture.upstreamResponse.data as Array<{ embedding: string }>)[0]!.embedding;
    expect(base64ToFloats(text)).toEqual(fixture.expectedFloats);
    expect(floatsToBase64(base64ToFloats(text))).toBe(text);
  });

  it('refuses input_type (a Cohere/Gemini hint) with a clear 400 rather than dropping it', () => {
    expect(thrown(() => adapter.buildEmbeddingsRequest({ model: 'm', input: 'x', input_type: 'search_query' }, ctx))).toMatchObject({
      code: 'unsupported_parameter',
      param: 'input_type',
      status: 400,
    });
  });

  it.each([
    [null],
    [{ data: 'x' }],
    [{ object: 'list', data: [{ index: 0 }], usage: { prompt_tokens: 1, total_tokens: 1 } }],
    [{ object: 'list', data: [{ index: 0, embedding: [1, 'x'] }], usage: { prompt_tokens: 1, total_tokens: 1 } }],
    [{ object: 'list', data: [{ embedding: [1] }], usage: { prompt_tokens: 1, total_tokens: 1 } }],
    [{ object: 'list', data: [{ index: 0, embedding: [1] }] }],
  ])('rejects a body that is not OpenAI’s embeddings list: %j', (body) => {
    expect(thrown(() => adapter.parseEmbeddingsResponse(body, { model: 'm', input: 'x' }, ctx))).toMatchObject({ code: 'provider_error', source: 'provider' });
  });

  it('maps errors as OpenAI errors, key scrubbed', () => {
    const error = adapter.mapError({ status: 401, headers: {}, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}`, code: 'invalid_api_key' } }) }, ctx);
    expect(error.code).toBe('provider_key_rejected');
    expect(error.publicMessage).not.toContain(API_KEY);
  });
});
