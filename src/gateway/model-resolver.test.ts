import { describe, expect, it } from 'vitest';
import { createPriceCatalog } from '../metering/price-catalog.js';
import { AppError } from '../platform/errors.js';
import { createModelResolver } from './model-resolver.js';

const resolve = createModelResolver(createPriceCatalog());

const unknownModelError = (requested: string): AppError => {
  try {
    resolve(requested);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`"${requested}" resolved`);
};

describe('model resolver', () => {
  it('splits explicit service/model names', () => {
    expect(resolve('openai/gpt-4o-mini')).toEqual({ service: 'openai', model: 'gpt-4o-mini' });
    expect(resolve('anthropic/claude-sonnet-4-5')).toEqual({ service: 'anthropic', model: 'claude-sonnet-4-5' });
  });

  it('keeps further slashes in the model id', () => {
    expect(resolve('openai_compatible/meta-llama/Llama-3-8B')).toEqual({ service: 'openai_compatible', model: 'meta-llama/Llama-3-8B' });
  });

  it('trusts an explicit service even for a model the catalog does not know', () => {
    expect(resolve('openai/ft:gpt-4o-mini:acme:custom:abc123')).toEqual({ service: 'openai', model: 'ft:gpt-4o-mini:acme:custom:abc123' });
    expect(resolve('local/qwen2.5')).toEqual({ service: 'local', model: 'qwen2.5' });
  });

  it('attributes bare names the price catalog knows', () => {
    expect(resolve('gpt-4o-mini')).toEqual({ service: 'openai', model: 'gpt-4o-mini' });
    expect(resolve('claude-haiku-4-5')).toEqual({ service: 'anthropic', model: 'claude-haiku-4-5' });
    expect(resolve('claude-sonnet-4-5-20250929')).toEqual({ service: 'anthropic', model: 'claude-sonnet-4-5-20250929' });
  });

  it('attributes unpriced bare names by their family prefix', () => {
    expect(resolve('gpt-4-turbo')).toEqual({ service: 'openai', model: 'gpt-4-turbo' });
    expect(resolve('o1-preview')).toEqual({ service: 'openai', model: 'o1-preview' });
    expect(resolve('claude-3-opus-20240229')).toEqual({ service: 'anthropic', model: 'claude-3-opus-20240229' });
    expect(resolve('command-r-plus')).toEqual({ service: 'cohere', model: 'command-r-plus' });
    expect(resolve('gemini-2.5-pro')).toEqual({ service: 'gemini', model: 'gemini-2.5-pro' });
  });

  it('uses the catalog the resolver was built with', () => {
    const custom = createModelResolver({ serviceForModel: (model) => (model === 'house-model' ? 'openai_compatible' : undefined) });
    expect(custom('house-model')).toEqual({ service: 'openai_compatible', model: 'house-model' });
    // A catalog naming a service Switchboard does not have is not trusted.
    const bogus = createModelResolver({ serviceForModel: () => 'nonexistent' });
    expect(() => bogus('house-model')).toThrow(AppError);
  });

  it('rejects an unknown prefix, an unknown bare name, and empty parts with unknown_model on param "model"', () => {
    for (const requested of ['azure/gpt-4o', 'mistral-large', 'openai/', '/gpt-4o-mini', '', 'OpenAI/gpt-4o']) {
      const error = unknownModelError(requested);
      expect(error.code, requested).toBe('unknown_model');
      expect(error.param).toBe('model');
      expect(error.status).toBe(400);
      expect(error.source).toBe('user');
      expect(error.publicMessage).toContain('openai/gpt-4o-mini');
    }
  });

  it('quotes at most 200 characters of the requested name back to the client', () => {
    const error = unknownModelError(`x${'y'.repeat(5000)}`);
    expect(error.publicMessage).toContain(`"x${'y'.repeat(199)}"`);
    expect(error.publicMessage.length).toBeLessThan(400);
  });
});
