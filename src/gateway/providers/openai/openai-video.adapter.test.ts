import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../test/helpers/adapter-replay.js';
import { parseMultipartFields } from '../../../../test/fakes/openai-videos.js';
import type { CallContext, VideoCreateRequest } from '../provider.js';
import { openaiCompatibleVideoAdapter, openaiVideoAdapter } from './openai-video.adapter.js';

const API_KEY = 'sk-proj-VIDEOfixture0123456789abcdefghijklmnopqrstuvwxyz';
const ctx: CallContext = { model: 'sora-2', apiKey: API_KEY, baseUrl: 'https://api.openai.com/v1', requestId: 'req_sb_01', createdAt: 1767225600, includeUsage: false };

interface VideoFixture {
  model: string;
  request: VideoCreateRequest;
  upstreamRequest: { method: string; url: string; fields: Record<string, string> };
  createResponse: unknown;
  polls: Array<{ response: unknown; expected: unknown }>;
}
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/video.json', import.meta.url), 'utf8')) as VideoFixture;

describe('openai video adapter (recorded Sora exchange)', () => {
  it('sends multipart/form-data with the text fields, as the openai SDK does', () => {
    const request = openaiVideoAdapter.buildCreateRequest(fixture.request, ctx);
    expect(request.method).toBe(fixture.upstreamRequest.method);
    expect(request.url).toBe(fixture.upstreamRequest.url);
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(parseMultipartFields(request.body!, request.headers['content-type'])).toEqual(fixture.upstreamRequest.fields);
  });

  it('reads the video id, polls and downloads from the provider with the key', () => {
    const { taskId } = openaiVideoAdapter.parseCreateResponse(fixture.createResponse, ctx);
    expect(taskId).toBe('video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5');
    expect(openaiVideoAdapter.buildPollRequest(taskId, ctx)).toEqual({
      method: 'GET',
      url: `https://api.openai.com/v1/videos/${taskId}`,
      headers: { authorization: `Bearer ${API_KEY}`, accept: 'application/json' },
    });
    expect(openaiVideoAdapter.buildContentRequest(taskId, undefined, ctx)).toEqual({
      method: 'GET',
      url: `https://api.openai.com/v1/videos/${taskId}/content`,
      headers: { authorization: `Bearer ${API_KEY}`, accept: 'application/binary' },
    });
  });

  it('normalises every recorded status', () => {
    for (const poll of fixture.polls) expect(openaiVideoAdapter.parsePollResponse(poll.response, fixture.request, ctx)).toEqual(poll.expected);
  });

  it('refuses input_reference (an upload) with a 400 naming it', () => {
    expect(thrown(() => openaiVideoAdapter.buildCreateRequest({ ...fixture.request, input_reference: 'https://example.com/a.png' }, ctx))).toMatchObject({
      code: 'unsupported_parameter',
      param: 'input_reference',
    });
  });

  it('maps OpenAI error bodies without echoing the key', () => {
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    const error = openaiVideoAdapter.mapError({ status: 401, headers: {}, body }, ctx);
    expect(error.code).toBe('provider_key_rejected');
    expect(error.publicMessage).not.toContain(API_KEY);
  });

  it('speaks the same shape at a custom base URL (openai_compatible)', () => {
    const custom = { ...ctx, model: 'wan-2.1', baseUrl: 'https://video.example.com/v1' };
    const request = openaiCompatibleVideoAdapter.buildCreateRequest({ model: 'wan-2.1', prompt: 'x' }, custom);
    expect(openaiCompatibleVideoAdapter.service).toBe('openai_compatible');
    expect(request.url).toBe('https://video.example.com/v1/videos');
    expect(parseMultipartFields(request.body!, request.headers['content-type'])).toEqual({ prompt: 'x', model: 'wan-2.1' });
  });
});
