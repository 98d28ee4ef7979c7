import { getEventListeners } from 'node:events';
import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../http/context.js';
import { attemptsView, MAX_RECORDED_ATTEMPTS, openCall, type CallCredential, type GatewayDeps } from './gateway-call.js';
import type { UpstreamAbort } from './upstream-client.js';

const attempt = (candidate: number, status: number, model = `m${candidate}`) => ({
  candidate,
  service: 'openai',
  model,
  integration_id: 'int-1',
  status,
  duration_ms: 5,
  error_code: status >= 400 ? 'provider_error' : null,
  error_source: status >= 400 ? ('provider' as const) : null,
});

describe('attemptsView', () => {
  it('says what followed each attempt: a retry of the same candidate or a fall-over to the next', () => {
    const view = attemptsView([attempt(0, 502), attempt(0, 502), attempt(1, 200)], 200);
    expect(view.map((entry) => entry.next)).toEqual(['retry', 'fallback', null]);
    expect(view.every((entry) => !('candidate' in entry))).toBe(true);
  });

  it('gives a successful last attempt the status the client got (a stream that failed later)', () => {
    expect(attemptsView([attempt(0, 200)], 499).at(-1)?.status).toBe(499);
    expect(attemptsView([attempt(0, 502)], 502).at(-1)?.status).toBe(502);
    expect(attemptsView([], 400)).toEqual([]);
  });

  it('keeps at most MAX_RECORDED_ATTEMPTS: the first ones and the last', () => {
    const many = Array.from({ length: 25 }, (_, index) => attempt(index, index === 24 ? 200 : 502));
    const view = attemptsView(many, 200);
    expect(view).toHaveLength(MAX_RECORDED_ATTEMPTS);
    expect(view.at(-1)).toMatchObject({ model: 'm24', status: 200, next: null });
    expect(view[0]).toMatchObject({ model: 'm0', next: 'fallback' });
  });
});

describe('a call\'s upstream aborts', () => {
  it('links an extra signal once for all its sends (an image task\'s polls) and aborts the latest send with it', async () => {
    const vars: Record<string, unknown> = { principal: { userId: 'u', isAdmin: false }, requestId: 'req_1' };
    const c = { get: (key: string) => vars[key], env: undefined, req: { header: () => undefined } } as unknown as Context<AppEnv>;
    const sent: UpstreamAbort[] = [];
    const deps = {
      resolveModel: () => ({ service: 'openai', model: 'gpt-image-1' }),
      upstream: {
        send: (_request: unknown, options: { signal: UpstreamAbort }) => {
          sent.push(options.signal);
          return Promise.resolve({ status: 200, headers: {}, body: {} });
        },
      },
    } as unknown as GatewayDeps;
    const credential: CallCredential = { integrationId: 'int-1', service: 'openai', apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:9', guarded: false, rateLimit: null };
    const call = openCall(c, deps, { model: 'openai/gpt-image-1', operation: 'images' });
    const deadline = new AbortController();
    for (let poll = 0; poll < 15; poll++) await call.send({ method: 'GET', url: 'http://127.0.0.1:9/v1/tasks/t1', headers: {} }, credential, { signal: deadline.signal });
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(1);
    deadline.abort();
    expect(sent.at(-1)!.aborted).toBe(true);
    expect(sent.slice(0, -1).some((abort) => abort.aborted)).toBe(false);
    // Once the deadline has passed, a further send is aborted from the start.
    await call.send({ method: 'GET', url: 'http://127.0.0.1:9/v1/tasks/t1', headers: {} }, credential, { signal: deadline.signal });
    expect(sent.at(-1)!.aborted).toBe(true);
  });
});
