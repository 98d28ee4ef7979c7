import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, signWebhook, webhookKey } from './webhooks.js';

describe('webhook signatures (Standard Webhooks)', () => {
  it('signs "<id>.<timestamp>.<body>" with HMAC-SHA256 as v1,<base64>', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const expected = createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef')).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(signWebhook(secret, 'msg_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
  });

  it('uses a secret without the whsec_ prefix as its UTF-8 bytes', () => {
    expect(webhookKey('plain-secret-of-16+')).toEqual(Buffer.from('plain-secret-of-16+', 'utf8'));
  });
});

describe('webhook URL check (SSRF guard at creation)', () => {
  const allowed = { allowPrivate: false, secretConfigured: true };
  it('accepts a public https URL', () => {
    expect(checkWebhookUrl('https://hooks.example.com/video?team=1', allowed)).toBe('https://hooks.example.com/video?team=1');
  });
  it.each(['http://127.0.0.1:9000/x', 'http://10.0.0.5/x', 'http://[::1]/x', 'http://localhost/x', 'http://metadata.internal/x', 'http://169.254.169.254/latest'])(
    'refuses %s',
    (url) => {
      expect(() => checkWebhookUrl(url, allowed)).toThrowError(expect.objectContaining({ code: 'upstream_not_allowed', param: 'webhook_url' }));
    },
  );
  it('allows private addresses only when the operator says so', () => {
    expect(checkWebhookUrl('http://127.0.0.1:9000/x', { allowPrivate: true, secretConfigured: true })).toBe('http://127.0.0.1:9000/x');
  });
  it('refuses credentials in the URL, other schemes, and any webhook without a configured secret', () => {
    expect(() => checkWebhookUrl('https://u:p@example.com/', allowed)).toThrowError(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => checkWebhookUrl('ftp://example.com/', allowed)).toThrowError(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => checkWebhookUrl('https://example.com/', { allowPrivate: false, secretConfigured: false })).toThrowError(
      expect.objectContaining({ code: 'unsupported_parameter' }),
    );
  });
});
