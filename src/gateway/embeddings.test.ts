import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../test/helpers/adapter-replay.js';
import { base64ToFloats, floatsToBase64, MAX_EMBEDDING_INPUTS, validateEmbeddingsRequest } from './embeddings.js';

describe('validateEmbeddingsRequest', () => {
  it.each([
    ['a string', 'hello', 1],
    ['strings', ['a', 'b', 'c'], 3],
    ['one token array', [1, 2, 3], 1],
    ['token arrays', [[1], [2, 3]], 2],
    ['the most inputs', Array.from({ length: MAX_EMBEDDING_INPUTS }, () => 'x'), MAX_EMBEDDING_INPUTS],
  ])('accepts %s and counts the embeddings it needs', (_name, input, count) => {
    expect(validateEmbeddingsRequest({ model: 'openai/text-embedding-3-small', input }).inputCount).toBe(count);
  });

  it('keeps only the fields a provider may receive', () => {
    const { request } = validateEmbeddingsRequest({ model: 'm', input: 'x', encoding_format: 'base64', dimensions: 8, user: 'u', input_type: 'search_query' });
    expect(request).toEqual({ model: 'm', input: 'x', encoding_format: 'base64', dimensions: 8, user: 'u', input_type: 'search_query' });
    expect(validateEmbeddingsRequest({ model: 'm', input: 'x', encoding_format: null, dimensions: null, user: null }).request).toEqual({ model: 'm', input: 'x' });
  });

  it.each([
    [{ input: 'x' }, 'invalid_request', 'model'],
    [{ model: 'm', input: [1.5] }, 'invalid_request', 'input'],
    [{ model: 'm', input: [[]] }, 'invalid_request', 'input[0]'],
    [{ model: 'm', input: { text: 'x' } }, 'invalid_request', 'input'],
    [{ model: 'm', input: Array.from({ length: 40 }, () => Array.from({ length: 8000 }, () => 1)) }, 'invalid_request', 'input'],
    [{ model: 'm', input: Array.from({ length: 13 }, () => 'a'.repeat(100_000)) }, 'invalid_request', 'input'],
    [{ model: 'm', input: 'x', dimensions: 70_000 }, 'invalid_request', 'dimensions'],
    [{ model: 'm', input: 'x', input_type: '' }, 'invalid_request', 'input_type'],
    [{ model: 'm', input: 'x', extra: true }, 'unsupported_parameter', 'extra'],
  ])('refuses %j', (body, code, param) => {
    expect(thrown(() => validateEmbeddingsRequest(body))).toMatchObject({ code, param, status: 400, source: 'user' });
  });
});

describe('base64 float32 encoding (what the openai SDK decodes)', () => {
  it('matches a Float32Array’s little-endian bytes', () => {
    const values = [1, -2, 0.25, Math.fround(0.1)];
    expect(floatsToBase64(values)).toBe(Buffer.from(new Float32Array(values).buffer).toString('base64'));
  });

  it('property: float32 values round-trip exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 64 }), (values) => {
        expect(base64ToFloats(floatsToBase64(values))).toEqual(values.map((v) => (Object.is(v, -0) ? -0 : v)));
      }),
    );
  });

  it('refuses a base64 string that is not whole float32s', () => {
    expect(thrown(() => base64ToFloats('AAA=')).code).toBe('provider_error');
  });
});
