import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../platform/errors.js';
import { isPrivateAddress, normaliseBaseUrl } from './upstream-guard.js';

describe('isPrivateAddress', () => {
  it('flags loopback, private, link-local, CGNAT and other non-public IPv4', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.255.254',
      '0.0.0.0',
      '10.0.0.1',
      '10.255.255.255',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.255',
      '198.18.0.1',
      '224.0.0.1',
      '255.255.255.255',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
  });

  it('flags loopback, unspecified, unique-local, link-local and multicast IPv6', () => {
    for (const address of ['::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'FE80::abcd', 'ff02::1']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
  });

  it('flags IPv4-mapped IPv6 forms of private addresses, dotted or hex', () => {
    for (const address of ['::ffff:10.0.0.1', '::FFFF:127.0.0.1', '::ffff:a00:1', '::ffff:7f00:1', '::ffff:a9fe:a9fe']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    expect(isPrivateAddress('::ffff:8.8.8.8')).toBe(false);
  });

  it('passes public addresses, including the edges of private ranges', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '11.0.0.1', '2606:4700::1111', '2001:4860:4860::8888']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('answers false for hostnames (they are checked after resolution)', () => {
    expect(isPrivateAddress('localhost')).toBe(false);
    expect(isPrivateAddress('api.openai.com')).toBe(false);
  });
});

const rejection = (raw: string, allowPrivate = false, param?: string): AppError => {
  try {
    normaliseBaseUrl(raw, param === undefined ? { allowPrivate } : { allowPrivate, param });
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`${raw} was accepted`);
};

const expectRejected = (raw: string, code: ErrorCode, allowPrivate = false) => {
  const error = rejection(raw, allowPrivate);
  expect(error.code, raw).toBe(code);
  expect(error.param, raw).toBe('base_url');
  expect(error.status, raw).toBe(400);
};

describe('normaliseBaseUrl', () => {
  it('accepts public http(s) URLs and strips trailing slashes', () => {
    expect(normaliseBaseUrl('https://api.together.xyz/v1/', { allowPrivate: false })).toBe('https://api.together.xyz/v1');
    expect(normaliseBaseUrl('https://api.together.xyz/v1//', { allowPrivate: false })).toBe('https://api.together.xyz/v1');
    expect(normaliseBaseUrl('https://api.together.xyz', { allowPrivate: false })).toBe('https://api.together.xyz');
    expect(normaliseBaseUrl('http://8.8.8.8:8000/v1', { allowPrivate: false })).toBe('http://8.8.8.8:8000/v1');
    expect(normaliseBaseUrl('HTTPS://API.Example.COM/V1', { allowPrivate: false })).toBe('https://api.example.com/V1');
  });

  it('rejects what is not an absolute http(s) URL as invalid_request', () => {
    for (const raw of ['not a url', '/v1', 'ftp://files.example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'ws://example.com']) {
      expectRejected(raw, 'invalid_request');
    }
  });

  it('rejects credentials in the URL without echoing them', () => {
    for (const raw of ['https://user:hunter2@api.example.com/v1', 'https://sk-secret@api.example.com']) {
      expectRejected(raw, 'invalid_request');
      const error = rejection(raw);
      expect(error.publicMessage).not.toContain('hunter2');
      expect(error.publicMessage).not.toContain('sk-secret');
    }
  });

  it('rejects a query string or fragment', () => {
    expectRejected('https://api.example.com/v1?api-version=2024', 'invalid_request');
    expectRejected('https://api.example.com/v1#frag', 'invalid_request');
  });

  it('refuses loopback, private and local names with upstream_not_allowed', () => {
    for (const raw of [
      'http://localhost:11434/v1',
      'http://LOCALHOST/v1',
      'http://ollama.localhost',
      'http://metadata.google.internal/computeMetadata',
      'http://printer.local',
      'http://127.0.0.1:8000',
      'http://[::1]:8000/v1',
      'http://10.0.0.5/v1',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00::5]/',
      // Alternative spellings of 127.0.0.1 that the URL parser normalises.
      'http://2130706433/',
      'http://0x7f.1/',
      'http://127.1/',
    ]) {
      expectRejected(raw, 'upstream_not_allowed');
    }
  });

  it('refuses a fully-qualified local name with a trailing dot (bug: "localhost." passed)', () => {
    expectRejected('http://localhost./v1', 'upstream_not_allowed');
    expectRejected('http://metadata.google.internal./', 'upstream_not_allowed');
  });

  it('allows private and local upstreams when the operator opts in', () => {
    expect(normaliseBaseUrl('http://localhost:11434/v1/', { allowPrivate: true })).toBe('http://localhost:11434/v1');
    expect(normaliseBaseUrl('http://[::1]:8000', { allowPrivate: true })).toBe('http://[::1]:8000');
    expect(normaliseBaseUrl('http://10.0.0.5/v1', { allowPrivate: true })).toBe('http://10.0.0.5/v1');
    // The opt-in does not relax the other rules.
    expectRejected('ftp://10.0.0.5', 'invalid_request', true);
    expectRejected('http://u:p@10.0.0.5', 'invalid_request', true);
  });

  it('names the parameter it was given', () => {
    expect(rejection('http://127.0.0.1', false, 'fallback_base_url').param).toBe('fallback_base_url');
    expect(rejection('http://127.0.0.1', false, 'fallback_base_url').publicMessage).toContain('fallback_base_url');
  });
});
