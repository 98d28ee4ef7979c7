import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext, ImageGenerationRequest, ImageStep } from '../provider.js';
import { createMidjourneyImagesAdapter } from './midjourney-images.adapter.js';

const SECRET = 'mj-FIXTUREsecret0123456789';
const ctx: CallContext = { model: 'mj', apiKey: SECRET, baseUrl: 'https://mj.example.com', requestId: 'req_sb_01', createdAt: 1767225600, includeUsage: false };
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/imagine-task.json', import.meta.url), 'utf8')) as {
  submitResponse: unknown;
  polls: unknown[];
  failure: unknown;
  banned: unknown;
};
const adapter = createMidjourneyImagesAdapter();

const req = (step: ImageStep) => {
  if (step.kind !== 'request') throw new Error(`expected a request step, got ${JSON.stringify(step).slice(0, 200)}`);
  return step;
};

/** Drive submit + the recorded polls; returns the last step. */
function run(request: ImageGenerationRequest, a = adapter): { steps: ImageStep[]; last: ImageStep } {
  const steps: ImageStep[] = [a.startImageGeneration(request, ctx)];
  let step = a.nextImageStep({ status: 200, headers: {}, body: fixture.submitResponse, state: req(steps[0]!).state }, request, ctx);
  steps.push(step);
  for (const poll of fixture.polls) {
    step = a.nextImageStep({ status: 200, headers: {}, body: poll, state: req(step).state }, request, ctx);
    steps.push(step);
  }
  return { steps, last: step };
}

describe('midjourney images adapter (midjourney-proxy shape)', () => {
  it('submits with the aspect ratio from size and the secret header only, then polls the task with a delay', () => {
    const { steps } = run({ model: 'midjourney/mj', prompt: 'a koi pond', size: '1792x1008' });
    expect(req(steps[0]!).request).toEqual({
      method: 'POST',
      url: 'https://mj.example.com/mj/submit/imagine',
      headers: { 'mj-api-secret': SECRET, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a koi pond --ar 16:9' }),
    });
    for (const step of steps.slice(1, 4)) {
      expect(req(step)).toMatchObject({ delayMs: 3000, request: { method: 'GET', url: 'https://mj.example.com/mj/task/1712205491372555/fetch', headers: { 'mj-api-secret': SECRET } } });
    }
  });

  it('answers the image URL for url requests', () => {
    const { last } = run({ model: 'midjourney/mj', prompt: 'a koi pond' });
    expect(last).toEqual({ kind: 'done', body: { created: ctx.createdAt, data: [{ url: 'https://cdn.discordapp.com/attachments/1/2/koi_pond.png' }] }, usage: { images: 1, imageVariant: '1024x1024' } });
  });

  it('fetches the image without the secret for b64_json', () => {
    const request: ImageGenerationRequest = { model: 'midjourney/mj', prompt: 'a koi pond', response_format: 'b64_json' };
    const { last } = run(request);
    const fetch = req(last);
    expect(fetch).toMatchObject({ responseType: 'binary', request: { method: 'GET', url: 'https://cdn.discordapp.com/attachments/1/2/koi_pond.png', headers: { accept: 'image/*' } } });
    expect(JSON.stringify(fetch.request)).not.toContain(SECRET);
    const done = adapter.nextImageStep({ status: 200, headers: {}, body: new Uint8Array([137, 80, 78, 71]), state: fetch.state }, request, ctx);
    expect(done.kind === 'done' && done.body.data).toEqual([{ b64_json: 'iVBORw==' }]);
  });

  it('honours configured paths and poll interval', () => {
    const custom = createMidjourneyImagesAdapter({ submitPath: '/v1/imagine', fetchPath: '/v1/tasks/{id}', pollIntervalMs: 250 });
    const { steps } = run({ model: 'midjourney/mj', prompt: 'p' }, custom);
    expect(req(steps[0]!).request.url).toBe('https://mj.example.com/v1/imagine');
    expect(req(steps[1]!)).toMatchObject({ delayMs: 250, request: { url: 'https://mj.example.com/v1/tasks/1712205491372555' } });
  });

  it('reports failures, refusals and unsupported parameters', () => {
    const request: ImageGenerationRequest = { model: 'midjourney/mj', prompt: 'x' };
    const failed = thrown(() => adapter.nextImageStep({ status: 200, headers: {}, body: fixture.failure, state: { phase: 'poll', taskId: '1' } }, request, ctx));
    expect(failed).toMatchObject({ code: 'provider_error', retryable: false });
    expect(failed.publicMessage).toContain('[Invalid parameter] Invalid value');
    const banned = thrown(() => adapter.nextImageStep({ status: 200, headers: {}, body: fixture.banned, state: { phase: 'submit' } }, request, ctx));
    expect(banned).toMatchObject({ code: 'provider_bad_request' });
    expect(thrown(() => adapter.nextImageStep({ status: 200, headers: {}, body: { code: 23, description: 'queue full' }, state: { phase: 'submit' } }, request, ctx))).toMatchObject({ code: 'provider_overloaded' });
    expect(thrown(() => adapter.startImageGeneration({ ...request, n: 2 }, ctx))).toMatchObject({ code: 'unsupported_parameter', param: 'n' });
    expect(thrown(() => adapter.startImageGeneration({ ...request, quality: 'hd' }, ctx))).toMatchObject({ code: 'unsupported_parameter', param: 'quality' });
  });

  it('maps a rejected secret to provider_key_rejected', () => {
    expect(adapter.mapError({ status: 401, headers: {}, body: '{"status":401,"error":"Unauthorized"}' }, ctx)).toMatchObject({ code: 'provider_key_rejected' });
  });
});
