import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureContext, withParsedBody } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext, EmbeddingsRequest } from '../provider.js';
import { openaiCompatibleEmbeddingsAdapter as adapter } from './compat.embeddings.js';

const API_KEY = 'ollama-placeholder-key';
const ctx: CallContext = fixtureContext({ model: 'nomic-embed-text', apiKey: API_KEY, baseUrl: 'http://127.0.0.1:11434/v1' });
const fixture = JSON.parse(
  readFileSync(new URL('./__fixtures__/embeddings-minimal.json', import.meta.url), 'utf8').split('{{API_KEY}}').join(API_KEY),
) as { request: EmbeddingsRequest; upstreamRequest: unknown; upstreamResponse: unknown; expectedBody: unknown; expectedUsage: unknown };

describe('openai_compatible embeddings adapter', () => {
  it('builds the exact upstream request, without encoding_format (floats from every server)', () => {
    const upstream = adapter.buildEmbeddingsRequest(fixture.request, ctx);
    expect(withParsedBody(upstream)).toEqual(fixture.upstreamRequest);
  });

  it('fills object, index and model, and leaves missing usage unknown (no usage in the body either)', () => {
    const result = adapter.parseEmbeddingsResponse(fixture.upstreamResponse, fixture.request, ctx);
    expect(result.body).toEqual(fixture.expectedBody);
    expect(result.body).not.toHaveProperty('usage');
    expect(result.usage).toEqual(fixture.expectedUsage);
  });

  it('reads usage when the server reports it (Ollama does), total_tokens when prompt_tokens is missing', () => {
    const body = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [1] }], model: 'nomic-embed-text', usage: { prompt_tokens: 4, total_tokens: 4 } };
    expect(adapter.parseEmbeddingsResponse(body, fixture.request, ctx).usage).toEqual({ inputTokens: 4, outputTokens: 0 });
    const totalOnly = { ...body, usage: { total_tokens: 6 } };
    expect(adapter.parseEmbeddingsResponse(totalOnly, fixture.request, ctx).usage).toEqual({ inputTokens: 6, outputTokens: 0 });
  });

  it('maps a vLLM error body', () => {
    const error = adapter.mapError({ status: 404, headers: {}, body: JSON.stringify({ object: 'error', message: 'The model `x` does not exist.', type: 'NotFoundError', param: null, code: 404 }) }, ctx);
    expect(error).toMatchObject({ code: 'provider_model_not_found', status: 404 });
    expect(error.publicMessage).toContain('The model `x` does not exist.');
  });
});
