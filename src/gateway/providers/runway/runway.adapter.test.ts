import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorBody, thrown, type ErrorFixture } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext, VideoCreateRequest } from '../provider.js';
import { runwayAdapter } from './runway.adapter.js';

const API_KEY = 'key_5f0d8a1c2b3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c';
const ctx: CallContext = { model: 'gen4.5', apiKey: API_KEY, baseUrl: 'https://api.dev.runwayml.com', requestId: 'req_sb_01', createdAt: 1767225600, includeUsage: false };

const fixtureUrl = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);
const readJson = <T>(name: string): T => JSON.parse(readFileSync(fixtureUrl(name), 'utf8').split('{{API_KEY}}').join(API_KEY)) as T;

interface TaskFixture {
  description: string;
  model: string;
  request: VideoCreateRequest;
  upstreamRequest: { method: string; url: string; headers: Record<string, string>; body: unknown };
  createResponse: unknown;
  pollRequest: { method: string; url: string; headers: Record<string, string> };
  polls: Array<{ response: unknown; expected: unknown }>;
}

describe.each(['text-to-video.json', 'image-to-video-failed.json'])('runway task fixture %s', (name) => {
  const fixture = readJson<TaskFixture>(name);
  const call = { ...ctx, model: fixture.model };

  it('builds the exact create request', () => {
    const request = runwayAdapter.buildCreateRequest(fixture.request, call);
    expect({ ...request, body: JSON.parse(request.body!) }).toEqual(fixture.upstreamRequest);
  });

  it('reads the task id and builds the poll request', () => {
    const { taskId } = runwayAdapter.parseCreateResponse(fixture.createResponse, call);
    expect(runwayAdapter.buildPollRequest(taskId, call)).toEqual(fixture.pollRequest);
  });

  it('normalises every recorded task state', () => {
    for (const poll of fixture.polls) expect(runwayAdapter.parsePollResponse(poll.response, fixture.request, call)).toEqual(poll.expected);
  });
});

describe('runway request mapping', () => {
  it('refuses sizes and durations it cannot express, with the parameter named', () => {
    expect(thrown(() => runwayAdapter.buildCreateRequest({ model: 'gen4.5', prompt: 'x', size: 'huge' }, ctx))).toMatchObject({ code: 'invalid_request', param: 'size' });
    expect(thrown(() => runwayAdapter.buildCreateRequest({ model: 'gen4.5', prompt: 'x', seconds: '2.5' }, ctx))).toMatchObject({ code: 'invalid_request', param: 'seconds' });
  });

  it('downloads output from the pre-signed URL without the key', () => {
    const request = runwayAdapter.buildContentRequest('task', 'https://cdn.example.com/out.mp4?sig=1', ctx);
    expect(request).toEqual({ method: 'GET', url: 'https://cdn.example.com/out.mp4?sig=1', headers: { accept: '*/*' } });
    expect(JSON.stringify(request)).not.toContain(API_KEY);
  });

  it('treats a SUCCEEDED task without output, or an unknown status, as the provider’s fault', () => {
    expect(thrown(() => runwayAdapter.parsePollResponse({ id: 't', status: 'SUCCEEDED', output: [] }, { model: 'gen4.5', prompt: 'x' }, ctx)).code).toBe('provider_error');
    expect(thrown(() => runwayAdapter.parsePollResponse({ id: 't', status: 'EXPLODED' }, { model: 'gen4.5', prompt: 'x' }, ctx)).code).toBe('provider_error');
  });
});

describe('runway errors', () => {
  const fixtures = readJson<ErrorFixture[]>('errors.json');
  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
    const error = runwayAdapter.mapError({ status: fixture.status, headers: fixture.headers, body: errorBody(fixture) }, ctx);
    expect({ code: error.code, status: error.status, retryable: error.retryable }).toEqual({ code: fixture.expected.code, status: fixture.expected.status, retryable: fixture.expected.retryable });
    if (fixture.expected.retryAfterSeconds !== undefined) expect(error.retryAfterSeconds).toBe(fixture.expected.retryAfterSeconds);
    if (fixture.expected.message !== undefined) expect(error.publicMessage).toBe(fixture.expected.message);
    expect(error.publicMessage).not.toContain(API_KEY);
  });
});
