import { describe, expect, it } from 'vitest';
import { codeForHttpStatus, headerValue, providerError, publicMessage, responseError } from './provider-error.js';

const KEY = 'sk-test-key-0123456789abcdefghijklmnop';

describe('codeForHttpStatus', () => {
  it.each([
    [400, 'provider_bad_request'],
    [401, 'provider_key_rejected'],
    [403, 'provider_permission_denied'],
    [404, 'provider_model_not_found'],
    [408, 'provider_timeout'],
    [413, 'payload_too_large'],
    [422, 'provider_bad_request'],
    [429, 'provider_rate_limited'],
    [500, 'provider_error'],
    [503, 'provider_overloaded'],
    [504, 'provider_timeout'],
    [529, 'provider_error'],
    [302, 'provider_error'],
  ] as const)('maps HTTP %i to %s', (status, code) => {
    expect(codeForHttpStatus(status)).toBe(code);
  });

  it("lets a provider's own statuses win", () => {
    expect(codeForHttpStatus(529, { 529: 'provider_overloaded' })).toBe('provider_overloaded');
    expect(codeForHttpStatus(401, { 401: 'provider_bad_request' })).toBe('provider_bad_request');
  });
});

describe('provider errors', () => {
  it('reads headers case-insensitively, taking the first of a repeated one', () => {
    expect(headerValue({ 'Retry-After': ['7', '9'] }, 'retry-after')).toBe('7');
    expect(headerValue({}, 'retry-after')).toBeUndefined();
  });

  it("quotes the provider's message scrubbed and truncated, else the catalogue's with the status", () => {
    expect(publicMessage('acme', 'provider_error', `bad key ${KEY}`, KEY, 500)).not.toContain(KEY);
    expect(publicMessage('acme', 'provider_error', 'x'.repeat(600), KEY, 500)).toHaveLength('acme: '.length + 501);
    expect(publicMessage('acme', 'provider_error', '  ', KEY, 500)).toMatch(/\(acme answered HTTP 500\)$/);
    expect(publicMessage('acme', 'provider_error', undefined, KEY, undefined)).not.toContain('HTTP');
  });

  it('keeps a body that was not the provider JSON in the cause only, scrubbed, and reads Retry-After', () => {
    const error = responseError('acme', { status: 429, headers: { 'retry-after': '3' }, body: `<html>${KEY}</html>` }, { apiKey: KEY, createdAt: 0 }, {
      code: 'provider_rate_limited',
      providerMessage: undefined,
      details: undefined,
      isParsed: false,
    });
    expect(error.retryAfterSeconds).toBe(3);
    expect(error.cause).toEqual({ provider: 'acme', status: 429, body: '<html>[REDACTED]</html>' });
  });

  it('marks an error event inside a stream as mid-stream', () => {
    const error = providerError({ provider: 'acme', code: 'provider_error', providerMessage: 'boom', apiKey: KEY, status: undefined });
    expect(error.cause).toEqual({ provider: 'acme', midStream: true });
    expect(error.publicMessage).toBe('acme: boom');
  });
});
