import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext, ImageGenerationRequest, ImageStep } from '../provider.js';
import { openaiCompatibleImagesAdapter, openaiImagesAdapter } from './openai-images.adapter.js';

const API_KEY = 'sk-proj-FIXTUREimages0123456789abcdefghijklmnopqrstuvwxyz';
const ctx: CallContext = { model: 'dall-e-3', apiKey: API_KEY, baseUrl: 'https://api.openai.com/v1', requestId: 'req_sb_img', createdAt: 1767225600, includeUsage: false };

interface Fixture {
  model: string;
  request: ImageGenerationRequest;
  upstreamRequest: { method: string; url: string; headers: Record<string, string>; body: unknown };
  upstreamResponse: unknown;
  expected: { body: unknown; usage: unknown };
}
const read = (name: string): Fixture =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8').split('{{API_KEY}}').join(API_KEY)) as Fixture;

const requestOf = (step: ImageStep) => {
  if (step.kind !== 'request') throw new Error('expected a request step');
  return { ...step.request, body: JSON.parse(step.request.body ?? 'null') as unknown };
};

describe('openai images adapter (recorded fixtures)', () => {
  it.each(['images-dall-e-3.json', 'images-gpt-image-1.json'])('%s: exact upstream request and normalised answer', (name) => {
    const fixture = read(name);
    const fixtureCtx = { ...ctx, model: fixture.model };
    const start = openaiImagesAdapter.startImageGeneration(fixture.request, fixtureCtx);
    expect(requestOf(start)).toEqual(fixture.upstreamRequest);
    const done = openaiImagesAdapter.nextImageStep({ status: 200, headers: {}, body: fixture.upstreamResponse }, fixture.request, fixtureCtx);
    expect(done).toEqual({ kind: 'done', body: fixture.expected.body, usage: fixture.expected.usage });
  });

  it('turns GPT image base64 into a data: URL when the client asked for url', () => {
    const fixture = read('images-gpt-image-1.json');
    const request = { ...fixture.request, response_format: 'url' as const };
    const done = openaiImagesAdapter.nextImageStep({ status: 200, headers: {}, body: fixture.upstreamResponse }, request, { ...ctx, model: 'gpt-image-1' });
    expect(done.kind === 'done' && done.body.data[0]).toEqual({ url: 'data:image/webp;base64,UklGRg==' });
  });

  it('refuses what a model cannot do, before any call', () => {
    expect(thrown(() => openaiImagesAdapter.startImageGeneration({ model: 'x', prompt: 'p', n: 2 }, ctx))).toMatchObject({ code: 'invalid_request', param: 'n' });
    expect(thrown(() => openaiImagesAdapter.startImageGeneration({ model: 'x', prompt: 'p'.repeat(4001) }, ctx))).toMatchObject({ param: 'prompt' });
    expect(thrown(() => openaiImagesAdapter.startImageGeneration({ model: 'x', prompt: 'p', background: 'transparent' }, ctx))).toMatchObject({ code: 'unsupported_parameter', param: 'background' });
    expect(thrown(() => openaiImagesAdapter.startImageGeneration({ model: 'x', prompt: 'p', style: 'vivid' }, { ...ctx, model: 'gpt-image-1' }))).toMatchObject({ code: 'unsupported_parameter', param: 'style' });
    expect(thrown(() => openaiImagesAdapter.startImageGeneration({ model: 'x', prompt: 'p', style: 'vivid' }, { ...ctx, model: 'dall-e-2' }))).toMatchObject({ param: 'style' });
  });

  it('an OpenAI-compatible API that answers a URL to a b64_json request gets the URL fetched, without the key', () => {
    const request: ImageGenerationRequest = { model: 'openai_compatible/flux', prompt: 'p', n: 2, response_format: 'b64_json' };
    const compatCtx = { ...ctx, model: 'flux', baseUrl: 'https://images.example.com/v1' };
    const body = { created: 1, data: [{ url: 'https://cdn.example.com/a.png' }, { b64_json: 'QUJD' }] };
    const fetch = openaiCompatibleImagesAdapter.nextImageStep({ status: 200, headers: {}, body }, request, compatCtx);
    expect(fetch).toMatchObject({ kind: 'request', responseType: 'binary', request: { method: 'GET', url: 'https://cdn.example.com/a.png', headers: { accept: 'image/*' } } });
    if (fetch.kind !== 'request') throw new Error('unreachable');
    expect(JSON.stringify(fetch.request)).not.toContain(API_KEY);
    const done = openaiCompatibleImagesAdapter.nextImageStep({ status: 200, headers: {}, body: new Uint8Array([1, 2, 3]), state: fetch.state }, request, compatCtx);
    expect(done).toEqual({ kind: 'done', body: { created: 1, data: [{ b64_json: 'AQID' }, { b64_json: 'QUJD' }] }, usage: { images: 2, imageVariant: '1024x1024' } });
  });

  it('maps errors with the key scrubbed, and an answer without data is the provider’s fault', () => {
    const error = openaiImagesAdapter.mapError({ status: 401, headers: {}, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }) }, ctx);
    expect(error).toMatchObject({ code: 'provider_key_rejected' });
    expect(error.publicMessage).not.toContain(API_KEY);
    expect(thrown(() => openaiImagesAdapter.nextImageStep({ status: 200, headers: {}, body: { created: 1 } }, { model: 'x', prompt: 'p' }, ctx))).toMatchObject({ code: 'provider_error' });
  });
});
