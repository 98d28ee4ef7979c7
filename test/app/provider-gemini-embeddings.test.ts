/**
 * Gemini embeddings through Switchboard's /v1/embeddings with the official OpenAI SDK as the client
 * and the fake Gemini API as upstream. The SDK asks for base64 by default and decodes it as
 * little-endian float32, so the vectors it returns prove the encoding; with
 * `encoding_format: "float"` the numbers come through as Gemini sent them. Gemini reports no token
 * counts: the usage record keeps them unknown (null), never 0.
 *
 * /v1/embeddings itself is built on the `compat-embeddings` branch; this test passes once it is merged.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { fakeEmbedding, startFakeGemini } from '../fakes/gemini.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const KEY = 'AIzaSyEMBED-gemini-key-0000000000000003';

let server: TestServer;
let fake: FakeProvider;
let token: string;

const sdk = (): OpenAI => new OpenAI({ apiKey: token, baseURL: `${server.url}/v1`, maxRetries: 0 });
const asFloat32 = (values: number[]): number[] => Array.from(new Float32Array(values));

beforeAll(async () => {
  fake = await startFakeGemini({ keys: [KEY] });
  server = await startTestServer({ SWITCHBOARD_GEMINI_BASE_URL: fake.baseUrl });
  token = (await server.signIn()).token;
  const response = await server.api('/api/integrations', { token, body: { service: 'gemini', api_key: KEY } });
  expect(response.status).toBe(201);
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe('Gemini embeddings through the official OpenAI SDK', () => {
  it('embeds a batch (SDK default base64, decoded as float32) and sends Gemini what it expects', async () => {
    const result = await sdk().embeddings.create({ model: 'gemini/gemini-embedding-001', input: ['first', 'second'], dimensions: 8 });
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
    expect(result.data[0]?.embedding).toEqual(asFloat32(fakeEmbedding('first', 8)));
    expect(result.data[1]?.embedding).toEqual(asFloat32(fakeEmbedding('second', 8)));

    const upstream = fake.requests.at(-1)!;
    expect(upstream.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(upstream.headers['x-goog-api-key']).toBe(KEY);
    expect(upstream.body).toEqual({
      requests: ['first', 'second'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, outputDimensionality: 8 })),
    });
  });

  it('returns floats as sent with encoding_format float', async () => {
    const result = await sdk().embeddings.create({ model: 'gemini/text-embedding-004', input: 'hello', encoding_format: 'float' });
    expect(result.data[0]?.embedding).toEqual(fakeEmbedding('hello', 768));
  });

  it('meters the call with unknown token counts, never zero, and keeps the key out of the logs', async () => {
    await server.running.services.recorder.flush();
    const response = await server.api('/api/usage?limit=100', { token });
    const rows = ((await response.json()) as { data: Array<Record<string, unknown>> }).data.filter((r) => r.service === 'gemini');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row).toMatchObject({ status: 200, input_tokens: null, output_tokens: null, cost_micros: null });
    expect(server.logs.text()).not.toContain(KEY);
  });
});
