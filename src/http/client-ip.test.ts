import { describe, expect, it } from 'vitest';
import { createClientIpResolver } from './client-ip.js';

const defaults = ['127.0.0.1/8', '::1/128'];

describe('client IP resolver', () => {
  const clientIp = createClientIpResolver(defaults);

  it('ignores X-Forwarded-For from an untrusted peer, so a client cannot pick its rate-limit key', () => {
    expect(clientIp('203.0.113.7', '1.2.3.4')).toBe('203.0.113.7');
    expect(clientIp('203.0.113.7', '127.0.0.1, 1.2.3.4')).toBe('203.0.113.7');
    expect(clientIp('2001:db8::7', '1.2.3.4')).toBe('2001:db8::7');
  });

  it('uses the peer when there is no X-Forwarded-For', () => {
    expect(clientIp('127.0.0.1', undefined)).toBe('127.0.0.1');
    expect(clientIp('127.0.0.1', '')).toBe('127.0.0.1');
    expect(clientIp('198.51.100.1', undefined)).toBe('198.51.100.1');
  });

  it('returns null without a peer address', () => {
    expect(clientIp(undefined, '1.2.3.4')).toBeNull();
  });

  it('behind a trusted proxy, takes the right-most hop that is not itself trusted', () => {
    // The client wrote "6.6.6.6" itself; the proxy appended the address it really saw.
    expect(clientIp('127.0.0.1', '6.6.6.6, 198.51.100.9')).toBe('198.51.100.9');
    expect(clientIp('127.0.0.1', '6.6.6.6, 198.51.100.9, 127.0.0.2')).toBe('198.51.100.9');
    expect(clientIp('::1', '2001:db8::1, ::1')).toBe('2001:db8::1');
  });

  it('when every hop is trusted, takes the left-most one', () => {
    expect(clientIp('127.0.0.1', '127.0.0.5, 127.0.0.9')).toBe('127.0.0.5');
  });

  it('skips entries that are not addresses', () => {
    expect(clientIp('127.0.0.1', '198.51.100.9, unknown, 1.2.3.4:8080, , <script>')).toBe('198.51.100.9');
    expect(clientIp('127.0.0.1', 'garbage, also-garbage')).toBe('127.0.0.1');
  });

  it('treats an IPv4-mapped IPv6 peer like its IPv4 address', () => {
    expect(clientIp('::ffff:127.0.0.1', '198.51.100.9')).toBe('198.51.100.9');
    expect(clientIp('::FFFF:127.0.0.1', '198.51.100.9')).toBe('198.51.100.9');
    expect(clientIp('::ffff:203.0.113.7', '198.51.100.9')).toBe('::ffff:203.0.113.7');
    expect(clientIp('127.0.0.1', '198.51.100.9, ::ffff:127.0.0.3')).toBe('198.51.100.9');
  });

  it('trusts exactly the configured networks', () => {
    const behindLb = createClientIpResolver(['10.0.0.0/8', '2001:db8::/32', '192.0.2.1']);
    expect(behindLb('10.1.2.3', '198.51.100.9, 10.9.9.9')).toBe('198.51.100.9');
    expect(behindLb('2001:db8::5', '198.51.100.9')).toBe('198.51.100.9');
    expect(behindLb('192.0.2.1', '198.51.100.9')).toBe('198.51.100.9');
    // A bare address trusts that host only; loopback is no longer trusted.
    expect(behindLb('192.0.2.2', '198.51.100.9')).toBe('192.0.2.2');
    expect(behindLb('127.0.0.1', '198.51.100.9')).toBe('127.0.0.1');
    expect(behindLb('11.0.0.1', '198.51.100.9')).toBe('11.0.0.1');
  });

  it('trusts nobody with an empty list', () => {
    expect(createClientIpResolver([])('127.0.0.1', '198.51.100.9')).toBe('127.0.0.1');
  });

  it('refuses a configuration entry that is not an address or CIDR, naming the setting', () => {
    for (const cidr of ['localhost', '10.0.0.0/33', '::1/129', '10.0.0.0/abc', '/8', '300.0.0.1/8']) {
      expect(() => createClientIpResolver([cidr]), cidr).toThrow(/SWITCHBOARD_TRUSTED_PROXIES/);
    }
  });

  it('refuses an empty or malformed prefix instead of trusting every address (bug: "10.0.0.0/" trusted all of IPv4)', () => {
    for (const cidr of ['10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/ 8', '10.0.0.0/8.5']) {
      expect(() => createClientIpResolver([cidr]), cidr).toThrow(/SWITCHBOARD_TRUSTED_PROXIES/);
    }
  });
});
