import { describe, expect, it } from 'vitest';
import { attemptsView, MAX_RECORDED_ATTEMPTS } from './gateway-call.js';

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
