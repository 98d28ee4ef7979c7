import { describe, expect, it } from 'vitest';
import { anthropicKeyCheck } from './anthropic/anthropic.key-check.js';
import { cohereKeyCheck } from './cohere/cohere.key-check.js';
import { geminiKeyCheck } from './gemini/gemini.key-check.js';
import { classifyCheckError } from './key-check.js';
import { openaiCompatibleKeyCheck, openaiKeyCheck } from './openai/openai.key-check.js';
import { keyChecks } from './registry.js';
import { runwayKeyCheck } from './runway/runway.key-check.js';
import { stabilityKeyCheck } from './stability/stability.key-check.js';

const ctx = { apiKey: 'sk-unit-key-0000000000000000000000Unit', baseUrl: 'https://provider.example.com' };
const errorOf = (status: number, body = '') => ({ status, headers: {}, body });

describe('key check requests', () => {
  it('send each provider’s cheapest authenticated GET, the key in its documented header only', () => {
    const cases = [
      [openaiKeyCheck, 'https://provider.example.com/models', { authorization: `Bearer ${ctx.apiKey}` }],
      [openaiCompatibleKeyCheck, 'https://provider.example.com/models', { authorization: `Bearer ${ctx.apiKey}` }],
      [anthropicKeyCheck, 'https://provider.example.com/v1/models?limit=1000', { 'x-api-key': ctx.apiKey, 'anthropic-version': '2023-06-01' }],
      [cohereKeyCheck, 'https://provider.example.com/v1/models?page_size=1000', { authorization: `Bearer ${ctx.apiKey}` }],
      [geminiKeyCheck, 'https://provider.example.com/v1beta/models?pageSize=1000', { 'x-goog-api-key': ctx.apiKey }],
      [stabilityKeyCheck, 'https://provider.example.com/v1/user/account', { authorization: `Bearer ${ctx.apiKey}` }],
      [runwayKeyCheck, 'https://provider.example.com/v1/organization', { authorization: `Bearer ${ctx.apiKey}`, 'x-runway-version': '2024-11-06' }],
    ] as const;
    for (const [check, url, headers] of cases) {
      const request = check.buildCheckRequest(ctx);
      expect(request, check.service).toMatchObject({ method: 'GET', url, headers });
      expect(request.body).toBeUndefined();
      expect(request.url).not.toContain(ctx.apiKey);
    }
  });

  it('are registered for every service with a documented cheap call (not midjourney, not local)', () => {
    expect(Object.keys(keyChecks).sort()).toEqual(['anthropic', 'cohere', 'gemini', 'openai', 'openai_compatible', 'runway', 'stability']);
  });
});

describe('key check answers', () => {
  it('read each provider’s model list, tolerating junk', () => {
    expect(openaiKeyCheck.parseCheckResponse({ object: 'list', data: [{ id: 'gpt-4o' }, { id: 7 }, null] })).toEqual({ status: 'active', error: null, models: ['gpt-4o'] });
    expect(anthropicKeyCheck.parseCheckResponse({ data: [{ type: 'model', id: 'claude-haiku-4-5' }], has_more: false }).models).toEqual(['claude-haiku-4-5']);
    expect(cohereKeyCheck.parseCheckResponse({ models: [{ name: 'command-a-03-2025' }] }).models).toEqual(['command-a-03-2025']);
    expect(geminiKeyCheck.parseCheckResponse({ models: [{ name: 'models/gemini-2.5-pro' }] }).models).toEqual(['gemini-2.5-pro']);
    expect(stabilityKeyCheck.parseCheckResponse({ id: 'u', email: 'e' })).toEqual({ status: 'active', error: null });
    expect(runwayKeyCheck.parseCheckResponse({ creditBalance: 5, tier: { models: { gen4_turbo: {} } } })).toEqual({ status: 'active', error: null, models: ['gen4_turbo'] });
    expect(runwayKeyCheck.parseCheckResponse({ creditBalance: 0, tier: { models: {} } }).status).toBe('quota_exceeded');
    expect(openaiKeyCheck.parseCheckResponse('not an object')).toEqual({ status: 'active', error: null });
  });

  it('classify error statuses, never quoting the provider’s body', () => {
    const echo = `Incorrect API key provided: ${ctx.apiKey}`;
    const cases: Array<[number, string, string]> = [
      [401, echo, 'invalid'],
      [403, echo, 'invalid'],
      [402, '', 'quota_exceeded'],
      [429, '{"error":{"code":"insufficient_quota"}}', 'quota_exceeded'],
      [429, '{"error":{"code":"rate_limit_exceeded"}}', 'active'],
      [500, echo, 'unreachable'],
      [404, echo, 'unreachable'],
    ];
    for (const [status, body, verdict] of cases) {
      const result = classifyCheckError(openaiKeyCheck, errorOf(status, body));
      expect(result.status, String(status)).toBe(verdict);
      expect(result.error).not.toContain(ctx.apiKey.slice(0, 8));
    }
  });

  it('reads Gemini’s 400 API_KEY_INVALID as an invalid key, and other 400s generically', () => {
    const body = JSON.stringify({ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } });
    expect(classifyCheckError(geminiKeyCheck, errorOf(400, body)).status).toBe('invalid');
    expect(classifyCheckError(geminiKeyCheck, errorOf(400, '{"error":{"message":"bad page size"}}')).status).toBe('unreachable');
  });
});
