/**
 * The embeddings fakes speak the real wire format: the official openai SDK, pointed straight at
 * them, decodes their base64 and raises their errors as it would OpenAI's.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEmbedding } from './embeddings.js';
import type { FakeProvider } from './fake-server.js';
import { startFakeCompatible } from './openai-compatible.js';
import { startFakeOpenAI } from './openai.js';

const KEY = 'sk-fake-embeddings-key-000000000000000001';
let openai: FakeProvider;
let compat: FakeProvider;

beforeAll(async () => {
  openai = await startFakeOpenAI({ keys: [KEY] });
  compat = await startFakeCompatible({ models: ['nomic-embed-text'], errorStyle: 'vllm', usage: 'always' });
});
afterAll(async () => {
  await openai?.close();
  await compat?.close();
});

describe('fake OpenAI /v1/embeddings', () => {
  const client = () => new OpenAI({ apiKey: KEY, baseURL: openai.baseUrl, maxRetries: 0 });

  it('answers the SDK’s default base64 request with bytes the SDK decodes to the exact vector', async () => {
    const response = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect((openai.requests.at(-1)!.body as { encoding_format: string }).encoding_format).toBe('base64');
    expect(Array.from(response.data[0]!.embedding)).toEqual(fakeEmbedding('hello', 1536));
    expect(response.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });

  it('honours dimensions on text-embedding-3-*, refuses it on ada-002, and refuses empty input', async () => {
    const small = await client().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 3, encoding_format: 'float' });
    expect(small.data.map((d) => d.embedding.length)).toEqual([3, 3]);
    await expect(client().embeddings.create({ model: 'text-embedding-ada-002', input: 'a', dimensions: 3 })).rejects.toMatchObject({ status: 400, param: 'dimensions' });
    await expect(client().embeddings.create({ model: 'text-embedding-3-small', input: '' })).rejects.toMatchObject({ status: 400, param: 'input' });
  });

  it('rejects an unknown key with 401', async () => {
    const stranger = new OpenAI({ apiKey: 'sk-unknown', baseURL: openai.baseUrl, maxRetries: 0 });
    await expect(stranger.embeddings.create({ model: 'text-embedding-3-small', input: 'a' })).rejects.toMatchObject({ status: 401 });
  });
});

describe('fake OpenAI-compatible server', () => {
  it('always answers floats, whatever encoding_format says, and ignores dimensions', async () => {
    const response = await fetch(`${compat.baseUrl}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer anything' },
      body: JSON.stringify({ model: 'nomic-embed-text', input: 'x', encoding_format: 'base64', dimensions: 2 }),
    });
    const body = (await response.json()) as { data: Array<{ embedding: number[] }>; usage: unknown };
    expect(body.data[0]!.embedding).toEqual(fakeEmbedding('x', 8));
    expect(body.usage).toEqual({ prompt_tokens: 1, total_tokens: 1 });
  });

  it('answers an unknown model in vLLM’s error shape', async () => {
    const response = await fetch(`${compat.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'nope', messages: [] }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ object: 'error', message: 'model "nope" not found, try pulling it first', type: 'NotFoundError', param: null, code: 404 });
  });
});
