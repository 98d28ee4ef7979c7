/**
 * POST /v1/embeddings end to end with the official openai SDK: OpenAI and OpenAI-compatible
 * integrations (fakes on 127.0.0.1), float and base64 (the SDK's default, decoded by the SDK),
 * batches, usage metered with cost, bad input refused before any provider call, team keys, and
 * the platform key's model allow-list.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEmbedding } from '../fakes/embeddings.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeCompatible } from '../fakes/openai-compatible.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { createIntegration, openaiSdk, usageRows, type UsageRow } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const ALICE_KEY = 'sk-alice-embeddings-00000000000000000001';
const TEAM_KEY = 'sk-team-embeddings-000000000000000000002';
const COMPAT_KEY = 'sk-compat-embeddings-0000000000000000003';

let server: TestServer;
let openaiFake: FakeProvider;
let compatFake: FakeProvider;
let alice: { token: string; integration: string };

interface ErrorBody {
  error: { message: string; type: string; code: string; source: string; param: string | null };
}

const sdk = (token: string, headers: Record<string, string> = {}): OpenAI => openaiSdk(server, token, headers);

const addIntegration = async (token: string, body: Record<string, unknown>, path?: string): Promise<string> =>
  (await createIntegration(server, token, body, path)).id;

const usageOf = (token: string, headers: Record<string, string> = {}): Promise<UsageRow[]> => usageRows(server, token, headers);

const rowFor = async (token: string, response: Response) =>
  (await usageOf(token)).find((row) => row.request_id === response.headers.get('x-request-id'));

beforeAll(async () => {
  openaiFake = await startFakeOpenAI({ keys: [ALICE_KEY, TEAM_KEY] });
  compatFake = await startFakeCompatible({ keys: [COMPAT_KEY], models: ['nomic-embed-text'], errorStyle: 'ollama', usage: 'never', omitIds: true });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: openaiFake.baseUrl, SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true' });
  const a = await server.signIn();
  alice = { token: a.token, integration: await addIntegration(a.token, { service: 'openai', api_key: ALICE_KEY }) };
  await addIntegration(a.token, { service: 'openai_compatible', api_key: COMPAT_KEY, base_url: compatFake.baseUrl });
});

afterAll(async () => {
  await server?.close();
  await openaiFake?.close();
  await compatFake?.close();
});

describe('OpenAI embeddings through the official SDK', () => {
  it('default path (the SDK asks for base64 and decodes it): exact float32 values, usage metered with cost', async () => {
    const { data, response } = await sdk(alice.token)
      .embeddings.create({ model: 'openai/text-embedding-3-small', input: 'The quick brown fox' })
      .withResponse();
    expect(data.object).toBe('list');
    expect(data.data).toHaveLength(1);
    expect(Array.from(data.data[0]!.embedding)).toEqual(fakeEmbedding('The quick brown fox', 1536));
    expect(data.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.integration);
    const upstream = openaiFake.requests.at(-1)!;
    expect(upstream.path).toBe('/v1/embeddings');
    expect(upstream.credential).toBe(ALICE_KEY);
    expect(upstream.body).toEqual({ model: 'text-embedding-3-small', input: 'The quick brown fox', encoding_format: 'base64' });

    const row = await rowFor(alice.token, response);
    // 5 tokens at $0.02 per million = 0.1 micro-dollars, rounded to 0.
    expect(row).toMatchObject({ service: 'openai', model: 'text-embedding-3-small', operation: 'embeddings', input_tokens: 5, output_tokens: 0, priced: true, cost_micros: 0, status: 200 });
  });

  it('float, batch input, dimensions: vectors in input order, cost from the catalog', async () => {
    const input = ['first text', 'second, longer text '.repeat(200), 'third'];
    const { data, response } = await sdk(alice.token)
      .embeddings.create({ model: 'text-embedding-3-large', input, encoding_format: 'float', dimensions: 256 })
      .withResponse();
    expect(data.data.map((item) => item.index)).toEqual([0, 1, 2]);
    data.data.forEach((item, index) => expect(item.embedding).toEqual(fakeEmbedding(input[index]!, 256)));
    expect((openaiFake.requests.at(-1)!.body as { dimensions: number; encoding_format: string })).toMatchObject({ dimensions: 256, encoding_format: 'float' });
    const tokens = data.usage.prompt_tokens;
    expect(tokens).toBeGreaterThan(1000);
    const row = await rowFor(alice.token, response);
    expect(row).toMatchObject({ input_tokens: tokens, output_tokens: 0, priced: true, cost_micros: Math.round((tokens * 0.13 * 1_000_000) / 1_000_000) });
  });

  it('explicit base64 stays base64 on the wire, the same bytes OpenAI sent', async () => {
    const response = await server.api('/v1/embeddings', { token: alice.token, body: { model: 'openai/text-embedding-3-small', input: [[1, 2, 3], [4, 5]], encoding_format: 'base64' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: Array<{ embedding: string; index: number }> };
    const decoded = body.data.map((item) => Array.from(new Float32Array(new Uint8Array(Buffer.from(item.embedding, 'base64')).buffer)));
    expect(decoded).toEqual([fakeEmbedding([1, 2, 3], 1536), fakeEmbedding([4, 5], 1536)]);
  });

  it('a provider error keeps its meaning: dimensions on ada-002 is the provider’s 400', async () => {
    const error = (await sdk(alice.token)
      .embeddings.create({ model: 'openai/text-embedding-ada-002', input: 'x', dimensions: 64 })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ code: 'provider_bad_request', source: 'user' });
    expect(error.message).toContain('does not support specifying dimensions');
  });

  it('a provider outage is a 502 provider_error, recorded as failed', async () => {
    openaiFake.enqueue({ kind: 'error', status: 500 });
    const response = await server.api('/v1/embeddings', { token: alice.token, body: { model: 'openai/text-embedding-3-small', input: 'x' } });
    expect(response.status).toBe(502);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'provider_error', source: 'provider' });
    expect(await rowFor(alice.token, response)).toMatchObject({ status: 502, error_code: 'provider_error', input_tokens: null, cost_micros: null });
  });
});

describe('OpenAI-compatible embeddings (floats only, no usage, no object/index fields)', () => {
  it('the SDK’s default base64 is encoded by Switchboard and decodes to the exact floats; unknown usage stays unknown', async () => {
    const { data, response } = await sdk(alice.token)
      .embeddings.create({ model: 'openai_compatible/nomic-embed-text', input: ['alpha', 'beta'] })
      .withResponse();
    expect(data.data.map((item) => Array.from(item.embedding))).toEqual([fakeEmbedding('alpha', 8), fakeEmbedding('beta', 8)]);
    expect(data.data.map((item) => [item.object, item.index])).toEqual([['embedding', 0], ['embedding', 1]]);
    expect(data.model).toBe('nomic-embed-text');
    expect(data.usage).toBeUndefined();
    const upstream = compatFake.requests.at(-1)!;
    expect(upstream.body).toEqual({ model: 'nomic-embed-text', input: ['alpha', 'beta'] });
    expect(upstream.credential).toBe(COMPAT_KEY);
    expect(await rowFor(alice.token, response)).toMatchObject({ service: 'openai_compatible', status: 200, input_tokens: null, output_tokens: null, cost_micros: null, priced: false });
  });

  it('a server that ignores dimensions is a clear 400, never vectors of the wrong size', async () => {
    const response = await server.api('/v1/embeddings', { token: alice.token, body: { model: 'openai_compatible/nomic-embed-text', input: 'x', dimensions: 4 } });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorBody;
    expect(error).toMatchObject({ code: 'unsupported_parameter', param: 'dimensions' });
    expect(error.message).toContain('returned 8-dimensional vectors');
  });

  it('Ollama’s {"error": "…"} for an unknown model is a 404 with its message', async () => {
    const response = await server.api('/v1/embeddings', { token: alice.token, body: { model: 'openai_compatible/mxbai', input: 'x' } });
    expect(response.status).toBe(404);
    const { error } = (await response.json()) as ErrorBody;
    expect(error.code).toBe('provider_model_not_found');
    expect(error.message).toContain('model "mxbai" not found');
  });
});

describe('bad input is refused before any provider call, and never recorded as a success', () => {
  it.each([
    ['no model', { input: 'x' }, 'invalid_request', 'model'],
    ['no input', { model: 'openai/text-embedding-3-small' }, 'invalid_request', 'input'],
    ['an empty string', { model: 'openai/text-embedding-3-small', input: '' }, 'invalid_request', 'input'],
    ['an empty array', { model: 'openai/text-embedding-3-small', input: [] }, 'invalid_request', 'input'],
    ['an empty string in a batch', { model: 'openai/text-embedding-3-small', input: ['a', ''] }, 'invalid_request', 'input[1]'],
    ['mixed strings and tokens', { model: 'openai/text-embedding-3-small', input: ['a', [1]] }, 'invalid_request', 'input'],
    ['a negative token id', { model: 'openai/text-embedding-3-small', input: [[1, -2]] }, 'invalid_request', 'input[0]'],
    ['2049 inputs', { model: 'openai/text-embedding-3-small', input: Array.from({ length: 2049 }, () => 'a') }, 'invalid_request', 'input'],
    ['an input over 100,000 characters', { model: 'openai/text-embedding-3-small', input: 'a'.repeat(100_001) }, 'invalid_request', 'input'],
    ['a token array over 8192 tokens', { model: 'openai/text-embedding-3-small', input: Array.from({ length: 8193 }, () => 1) }, 'invalid_request', 'input'],
    ['encoding_format "int8"', { model: 'openai/text-embedding-3-small', input: 'x', encoding_format: 'int8' }, 'invalid_request', 'encoding_format'],
    ['dimensions 0', { model: 'openai/text-embedding-3-small', input: 'x', dimensions: 0 }, 'invalid_request', 'dimensions'],
    ['dimensions 1.5', { model: 'openai/text-embedding-3-small', input: 'x', dimensions: 1.5 }, 'invalid_request', 'dimensions'],
    ['user not a string', { model: 'openai/text-embedding-3-small', input: 'x', user: 42 }, 'invalid_request', 'user'],
    ['an unknown parameter', { model: 'openai/text-embedding-3-small', input: 'x', truncate: 'END' }, 'unsupported_parameter', 'truncate'],
    ['input_type sent to OpenAI', { model: 'openai/text-embedding-3-small', input: 'x', input_type: 'search_query' }, 'unsupported_parameter', 'input_type'],
    ['an unknown service', { model: 'nosuch/model', input: 'x' }, 'unknown_model', 'model'],
    ['a service without embeddings', { model: 'anthropic/claude-sonnet-4-5', input: 'x' }, 'invalid_request', 'model'],
  ])('%s → 400 %s', async (_name, body, code, param) => {
    const before = openaiFake.requests.length;
    const response = await server.api('/v1/embeddings', { token: alice.token, body });
    const text = await response.text();
    expect(response.status, text).toBe(400);
    const { error } = JSON.parse(text) as ErrorBody;
    expect(error).toMatchObject({ code, param, source: 'user', type: 'invalid_request_error' });
    expect(openaiFake.requests.length).toBe(before);
    const row = await rowFor(alice.token, response);
    if (row) expect(row.status).toBe(400);
  });

  it('the 400 for a service without embeddings lists the services that have them', async () => {
    const response = await server.api('/v1/embeddings', { token: alice.token, body: { model: 'anthropic/claude-sonnet-4-5', input: 'x' } });
    const { error } = (await response.json()) as ErrorBody;
    expect(error.message).toMatch(/Services with embeddings: .*openai.*openai_compatible/);
  });

  it('no successful usage record came from any refused request', async () => {
    const rows = await usageOf(alice.token);
    expect(rows.filter((row) => row.status === 200).every((row) => row.input_tokens === null || row.input_tokens > 0)).toBe(true);
    expect(rows.filter((row) => row.status === 400).every((row) => row.cost_micros === null)).toBe(true);
  });
});

describe('whose key serves, and what a platform key may use', () => {
  it('a team member without an own OpenAI integration is served by the team’s key', async () => {
    const carol = await server.signIn();
    const team = (await (await server.api('/api/teams', { token: carol.token, body: { name: 'Embedders' } })).json()) as { id: string };
    const teamIntegration = await addIntegration(carol.token, { service: 'openai', api_key: TEAM_KEY }, `/api/teams/${team.id}/integrations`);

    const alone = await server.api('/v1/embeddings', { token: carol.token, body: { model: 'openai/text-embedding-3-small', input: 'x' } });
    expect(alone.status).toBe(400);
    expect(((await alone.json()) as ErrorBody).error.code).toBe('integration_missing');

    const { response } = await sdk(carol.token, { 'x-switchboard-team': team.id })
      .embeddings.create({ model: 'openai/text-embedding-3-small', input: 'team text' })
      .withResponse();
    expect(response.headers.get('x-switchboard-integration')).toBe(teamIntegration);
    expect(openaiFake.requests.at(-1)!.credential).toBe(TEAM_KEY);
    const row = (await usageOf(carol.token, { 'x-switchboard-team': team.id })).find((r) => r.request_id === response.headers.get('x-request-id'));
    expect(row ?? (await rowFor(carol.token, response))).toMatchObject({ integration_id: teamIntegration, team_id: team.id, status: 200 });
  });

  it('a platform key’s model allow-list applies to embeddings', async () => {
    const created = await server.api('/api/keys', { token: alice.token, body: { name: 'embed only small', models: ['openai/text-embedding-3-small'] } });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const ok = await sdk(key).embeddings.create({ model: 'openai/text-embedding-3-small', input: 'allowed' });
    expect(ok.data).toHaveLength(1);
    const before = openaiFake.requests.length;
    const error = (await sdk(key)
      .embeddings.create({ model: 'openai/text-embedding-3-large', input: 'not allowed' })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(403);
    expect(error.error).toMatchObject({ code: 'model_not_allowed', param: 'model' });
    expect(openaiFake.requests.length).toBe(before);
  });
});

describe('secrets', () => {
  it('no provider key appears in the logs', () => {
    const text = server.logs.text();
    for (const key of [ALICE_KEY, TEAM_KEY, COMPAT_KEY]) expect(text).not.toContain(key);
  });
});
