import { describe, expect, it } from 'vitest';
import { thrown } from '../../test/helpers/adapter-replay.js';
import { mustGuard, validateImageRequest } from './images.js';

describe('validateImageRequest', () => {
  it('accepts OpenAI’s fields, treats null as absent, and drops stream:false', () => {
    expect(validateImageRequest({ model: 'openai/dall-e-3', prompt: 'p', n: 1, size: '1024x1024', quality: 'hd', style: null, stream: false })).toEqual({
      model: 'openai/dall-e-3',
      prompt: 'p',
      n: 1,
      size: '1024x1024',
      quality: 'hd',
    });
  });

  it.each([
    [{ prompt: 'p' }, 'invalid_request', 'model'],
    [{ model: 'm', prompt: '   ' }, 'invalid_request', 'prompt'],
    [{ model: 'm', prompt: 'p'.repeat(32_001) }, 'invalid_request', 'prompt'],
    [{ model: 'm', prompt: 'p', n: 0 }, 'invalid_request', 'n'],
    [{ model: 'm', prompt: 'p', n: 1.5 }, 'invalid_request', 'n'],
    [{ model: 'm', prompt: 'p', size: '1024' }, 'invalid_request', 'size'],
    [{ model: 'm', prompt: 'p', quality: 'ultra' }, 'invalid_request', 'quality'],
    [{ model: 'm', prompt: 'p', background: 'none' }, 'invalid_request', 'background'],
    [{ model: 'm', prompt: 'p', output_compression: 101 }, 'invalid_request', 'output_compression'],
    [{ model: 'm', prompt: 'p', user: 7 }, 'invalid_request', 'user'],
    [{ model: 'm', prompt: 'p', stream: true }, 'unsupported_parameter', 'stream'],
    [{ model: 'm', prompt: 'p', partial_images: 2 }, 'unsupported_parameter', 'partial_images'],
    [{ model: 'm', prompt: 'p', seed: 3 }, 'unsupported_parameter', 'seed'],
  ])('refuses %j with %s on %s', (body, code, param) => {
    expect(thrown(() => validateImageRequest(body))).toMatchObject({ code, param });
  });
});

describe('mustGuard', () => {
  const trusted = { baseUrl: 'https://api.openai.com/v1', guarded: false };
  it('keeps operator-configured base URLs on the trusted client', () => {
    expect(mustGuard('https://api.openai.com/v1/images/generations', trusted)).toBe(false);
  });
  it('guards provider-given URLs elsewhere, even on the same host outside the base path', () => {
    expect(mustGuard('https://cdn.example.com/a.png', trusted)).toBe(true);
    expect(mustGuard('https://api.openai.com/internal/a.png', trusted)).toBe(true);
    expect(mustGuard('http://169.254.169.254/latest/meta-data', trusted)).toBe(true);
  });
  it('guards everything under a user-supplied base URL', () => {
    expect(mustGuard('https://mj.example.com/mj/task/1/fetch', { baseUrl: 'https://mj.example.com', guarded: true })).toBe(true);
  });
  it('refuses image URLs that are not http(s)', () => {
    expect(thrown(() => mustGuard('file:///etc/passwd', trusted))).toMatchObject({ code: 'provider_error' });
    expect(thrown(() => mustGuard('not a url', trusted))).toMatchObject({ code: 'provider_error' });
  });
});
