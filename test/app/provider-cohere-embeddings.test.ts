/**
 * Cohere embeddings behind Switchboard's /v1/embeddings, driven with the official `openai` SDK
 * (which asks for base64 by default and decodes it) against the fake Cohere v2 Embed API.
 *
 * /v1/embeddings itself is built on another branch (compat-embeddings); this file passes once both
 * are merged, and fails with a 404 before.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCohere, vectorFor } from '../fakes/cohere.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const COHERE_KEY = 'co-embed-cohere-000000000000000000000001';
const WRONG_KEY = 'co-wrong-embed-0000000000000000000000009';

let server: TestServer;
let cohere: FakeProvider;
let token: string;

const sdk = (bearer: string): OpenAI => new OpenAI({ apiKey: bearer, baseURL: `${server.url}/v1`, maxRetries: 0 });

async function addIntegration(bearer: string, apiKey: string): Promise<void> {
  const response = await server.api('/api/integrations', { token: bearer, body: { service: 'cohere', api_key: apiKey } });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  cohere = await startFakeCohere({ keys: [COHERE_KEY] });
  server = await startTestServer({ SWITCHBOARD_COHERE_BASE_URL: cohere.baseUrl });
  token = (await server.signIn()).token;
  await addIntegration(token, COHERE_KEY);
});

afterAll(async () => {
  await server?.close();
  await cohere?.close();
});

describe('Cohere embeddings through the official openai SDK', () => {
  const long = 'The quick brown fox jumps over the lazy dog. '.repeat(20);

  it('embeds with the SDK’s default base64 encoding, decoded to the exact floats Cohere returned', async () => {
    const result = await sdk(token).embeddings.create({ model: 'cohere/embed-v4.0', input: ['hello', long] });
    expect(result.object).toBe('list');
    expect(result.data.map((item) => item.index)).toEqual([0, 1]);
    expect(result.data[0]?.embedding).toEqual(vectorFor('hello', 1536));
    expect(result.data[1]?.embedding).toEqual(vectorFor(long, 1536));
    expect(result.usage.prompt_tokens).toBeGreaterThan(100);
    const upstream = cohere.requests.at(-1)!;
    expect(upstream.path).toBe('/v2/embed');
    expect(upstream.credential).toBe(COHERE_KEY);
    expect(upstream.body).toEqual({
      model: 'embed-v4.0',
      texts: ['hello', long],
      input_type: 'search_document',
      embedding_types: ['float'],
      truncate: 'NONE',
    });
  });

  it('passes dimensions as output_dimension, a caller’s input_type, and answers floats when asked', async () => {
    const result = await sdk(token).embeddings.create({
      model: 'cohere/embed-v4.0',
      input: 'a query',
      dimensions: 256,
      encoding_format: 'float',
      // Not in OpenAI's types: the provider hint Switchboard forwards to Cohere.
      ...({ input_type: 'search_query' } as object),
    });
    expect(result.data[0]?.embedding).toEqual(vectorFor('a query', 256));
    expect(cohere.requests.at(-1)!.body).toMatchObject({ input_type: 'search_query', output_dimension: 256 });
  });

  it('refuses dimensions on a model without a selectable size, before calling Cohere', async () => {
    const before = cohere.requests.length;
    const error = (await sdk(token)
      .embeddings.create({ model: 'cohere/embed-english-v3.0', input: 'x', dimensions: 256 })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('unsupported_parameter');
    expect(cohere.requests.length).toBe(before);
  });

  it('surfaces a Cohere 401 as provider_key_rejected without the key', async () => {
    const stranger = await server.signIn();
    await addIntegration(stranger.token, WRONG_KEY);
    const error = (await sdk(stranger.token)
      .embeddings.create({ model: 'cohere/embed-v4.0', input: 'x' })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe('provider_key_rejected');
    expect(error.message).not.toContain(WRONG_KEY);
  });

  it('meters embeddings with billed input tokens and cost, and keeps keys out of the logs', async () => {
    await server.running.services.recorder.flush();
    const response = await server.api('/api/usage?limit=100', { token });
    const rows = ((await response.json()) as { data: Array<Record<string, unknown>> }).data;
    const first = rows.find((row) => row.model === 'embed-v4.0' && row.status === 200 && (row.input_tokens as number) > 100);
    expect(first).toMatchObject({ service: 'cohere', operation: 'embeddings', priced: true });
    // embed-v4.0: $0.12 per million input tokens.
    expect(first?.cost_micros).toBe(Math.round((first?.input_tokens as number) * 0.12));
    expect(server.logs.text()).not.toContain(COHERE_KEY);
    expect(server.logs.text()).not.toContain(WRONG_KEY);
  });
});
