import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorBody, thrown, type ErrorFixture } from '../../../../test/helpers/adapter-replay.js';
import { parseMultipart } from '../../../../test/fakes/stability.js';
import type { CallContext, ImageGenerationRequest, ImageStep } from '../provider.js';
import { aspectRatioOf, stabilityImagesAdapter } from './stability-images.adapter.js';

const API_KEY = 'sk-FIXTUREstability0123456789abcdefghijklmnopqrstuvwxyzAB';
const ctx: CallContext = { model: 'core', apiKey: API_KEY, baseUrl: 'https://api.stability.ai', requestId: 'req_sb_01', createdAt: 1767225600, includeUsage: false };
const errors = JSON.parse(readFileSync(new URL('./__fixtures__/errors.json', import.meta.url), 'utf8')) as ErrorFixture[];

const requestStep = (step: ImageStep) => {
  if (step.kind !== 'request') throw new Error('expected a request step');
  return step;
};

describe('stability images adapter', () => {
  it('builds the exact multipart request: endpoint by model, aspect ratio from size, key only in the header', () => {
    const request: ImageGenerationRequest = { model: 'stability/sd3.5-large', prompt: 'A lighthouse', size: '1024x1792', output_format: 'jpeg' };
    const step = requestStep(stabilityImagesAdapter.startImageGeneration(request, { ...ctx, model: 'sd3.5-large' }));
    const boundary = 'switchboard-reqsb01-0';
    expect(step.request).toEqual({
      method: 'POST',
      url: 'https://api.stability.ai/v2beta/stable-image/generate/sd3',
      headers: { authorization: `Bearer ${API_KEY}`, accept: 'application/json', 'content-type': `multipart/form-data; boundary=${boundary}` },
      body:
        `--${boundary}\r\ncontent-disposition: form-data; name="prompt"\r\n\r\nA lighthouse\r\n` +
        `--${boundary}\r\ncontent-disposition: form-data; name="model"\r\n\r\nsd3.5-large\r\n` +
        `--${boundary}\r\ncontent-disposition: form-data; name="aspect_ratio"\r\n\r\n9:16\r\n` +
        `--${boundary}\r\ncontent-disposition: form-data; name="output_format"\r\n\r\njpeg\r\n` +
        `--${boundary}--\r\n`,
    });
    expect(parseMultipart(step.request.body!, step.request.headers['content-type'])).toEqual({ prompt: 'A lighthouse', model: 'sd3.5-large', aspect_ratio: '9:16', output_format: 'jpeg' });
    expect(requestStep(stabilityImagesAdapter.startImageGeneration({ model: 'x', prompt: 'p' }, { ...ctx, model: 'ultra' })).request.url).toBe('https://api.stability.ai/v2beta/stable-image/generate/ultra');
  });

  it('n=3 is three calls; the answer collects every image', () => {
    const request: ImageGenerationRequest = { model: 'stability/core', prompt: 'p', n: 3, response_format: 'b64_json' };
    let step = stabilityImagesAdapter.startImageGeneration(request, ctx);
    let calls = 0;
    while (step.kind === 'request') {
      calls += 1;
      step = stabilityImagesAdapter.nextImageStep({ status: 200, headers: {}, body: { image: `SU1H${calls}`, finish_reason: 'SUCCESS', seed: 42 }, state: step.state }, request, ctx);
    }
    expect(calls).toBe(3);
    expect(step).toEqual({ kind: 'done', body: { created: ctx.createdAt, data: [{ b64_json: 'SU1H1' }, { b64_json: 'SU1H2' }, { b64_json: 'SU1H3' }], output_format: 'png' }, usage: { images: 3, imageVariant: '1024x1024' } });
  });

  it('answers url requests with a data: URL, and refuses a filtered image', () => {
    const request: ImageGenerationRequest = { model: 'stability/core', prompt: 'p', output_format: 'webp' };
    const done = stabilityImagesAdapter.nextImageStep({ status: 200, headers: {}, body: { image: 'UklG', finish_reason: 'SUCCESS', seed: 1 } }, request, ctx);
    expect(done.kind === 'done' && done.body.data).toEqual([{ url: 'data:image/webp;base64,UklG' }]);
    expect(thrown(() => stabilityImagesAdapter.nextImageStep({ status: 200, headers: {}, body: { image: 'UklG', finish_reason: 'CONTENT_FILTERED', seed: 1 } }, request, ctx))).toMatchObject({ code: 'provider_bad_request' });
  });

  it('maps sizes to the nearest offered aspect ratio within 3%, else 400', () => {
    expect(aspectRatioOf('1024x1024')).toBe('1:1');
    expect(aspectRatioOf('1792x1024')).toBe('16:9');
    expect(aspectRatioOf('1536x1024')).toBe('3:2');
    expect(thrown(() => aspectRatioOf('1000x100'))).toMatchObject({ code: 'unsupported_parameter', param: 'size' });
  });

  it('refuses parameters and models it cannot express', () => {
    for (const param of ['quality', 'style', 'background'] as const) {
      expect(thrown(() => stabilityImagesAdapter.startImageGeneration({ model: 'x', prompt: 'p', [param]: 'hd' }, ctx))).toMatchObject({ code: 'unsupported_parameter', param });
    }
    expect(thrown(() => stabilityImagesAdapter.startImageGeneration({ model: 'x', prompt: 'p' }, { ...ctx, model: 'dall-e-3' }))).toMatchObject({ code: 'invalid_request', param: 'model' });
    expect(thrown(() => stabilityImagesAdapter.startImageGeneration({ model: 'x', prompt: 'p', output_format: 'webp' }, { ...ctx, model: 'sd3' }))).toMatchObject({ param: 'output_format' });
  });

  it.each(errors.map((fixture) => [fixture.name, fixture] as const))('maps the recorded %s error', (_name, fixture) => {
    const error = stabilityImagesAdapter.mapError({ status: fixture.status, headers: fixture.headers, body: errorBody(fixture) }, ctx);
    expect({ code: error.code, status: error.status, retryable: error.retryable }).toEqual({ code: fixture.expected.code, status: fixture.expected.status, retryable: fixture.expected.retryable });
    if (fixture.expected.retryAfterSeconds !== undefined) expect(error.retryAfterSeconds).toBe(fixture.expected.retryAfterSeconds);
    if (fixture.expected.message !== undefined) expect(error.publicMessage).toBe(fixture.expected.message);
  });
});
