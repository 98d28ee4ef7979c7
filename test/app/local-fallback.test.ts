/**
 * Issue 5 item 8 (text): service `local` answers without any stored integration, labelled
 * (`x-switchboard-fallback: local`, `model: "local/<name>"`) and metered as a free fallback.
 *
 * (a) SWITCHBOARD_LOCAL_LLM_URL → the OpenAI fake, standing in for Ollama / llama.cpp's server.
 * (b) SWITCHBOARD_LOCAL_MODEL_PATH → a tiny random-weight GGUF written by the test, run in-process
 *     by the real node-llama-cpp (gibberish out: structure is asserted, not content).
 * (c) no local configuration → a clear error naming the variables to set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeLlamaCpp } from '../../src/gateway/local/llama-runtime.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openAIAnswer, startFakeOpenAI } from '../fakes/openai.js';
import { openaiSdk, usageRows, type UsageRow } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { writeTinyGguf } from '../helpers/tiny-gguf.js';

const LOCAL_SERVER_KEY = 'sk-local-ollama-0000000000000000000009';


const sdk = (server: TestServer, token: string): OpenAI => openaiSdk(server, token);

const usageOf = (server: TestServer, token: string): Promise<UsageRow[]> => usageRows(server, token);

/** The raw SSE body, split into its `data:` payloads. */
async function ssePayloads(response: Response): Promise<string[]> {
  const text = await response.text();
  expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter((event) => event.length > 0)
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
}

describe('(a) a local OpenAI-compatible server (SWITCHBOARD_LOCAL_LLM_URL)', () => {
  let fake: FakeProvider;
  let server: TestServer;
  let user: { token: string };

  beforeAll(async () => {
    fake = await startFakeOpenAI({ keys: [LOCAL_SERVER_KEY] });
    server = await startTestServer({ SWITCHBOARD_LOCAL_LLM_URL: fake.baseUrl, SWITCHBOARD_LOCAL_LLM_API_KEY: LOCAL_SERVER_KEY });
    user = await server.signIn();
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('answers a user with no integration at all, labelled as the local model', async () => {
    const { data, response } = await sdk(server, user.token)
      .chat.completions.create({ model: 'local/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(openAIAnswer(1));
    expect(data.model).toBe('local/gpt-4o-mini');
    expect(response.headers.get('x-switchboard-fallback')).toBe('local');
    expect(response.headers.get('x-switchboard-integration')).toBeNull();
    const upstream = fake.requests.at(-1)!;
    expect(upstream.credential).toBe(LOCAL_SERVER_KEY);
    expect((upstream.body as { model: string }).model).toBe('gpt-4o-mini');
  });

  it('lists the local server\'s models and the built-in image generator in GET /v1/models', async () => {
    let ids: string[] = [];
    for (let attempt = 0; attempt < 50 && !ids.includes('local/gpt-4o-mini'); attempt += 1) {
      ids = (await sdk(server, user.token).models.list()).data.map((model) => model.id);
      if (!ids.includes('local/gpt-4o-mini')) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ids).toEqual(expect.arrayContaining(['local/gpt-4o-mini', 'local/pattern']));
    expect(ids.filter((id) => !id.startsWith('local/'))).toEqual([]);
  });

  it('streams through the SDK, every chunk labelled, and the raw stream ends with [DONE]', async () => {
    const { data: stream, response } = await sdk(server, user.token)
      .chat.completions.create({
        model: 'local/gpt-4o-mini',
        messages: [{ role: 'user', content: 'Say hello' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('x-switchboard-fallback')).toBe('local');
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    const models = new Set<string>();
    for await (const chunk of stream) {
      models.add(chunk.model);
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(openAIAnswer(1));
    expect([...models]).toEqual(['local/gpt-4o-mini']);
    expect(usage?.completion_tokens).toBeGreaterThan(0);

    const raw = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], stream: true }),
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('x-switchboard-fallback')).toBe('local');
    const payloads = await ssePayloads(raw);
    for (const payload of payloads.slice(0, -1)) expect((JSON.parse(payload) as { model: string }).model).toBe('local/gpt-4o-mini');
  });

  it('meters every local call as a free fallback with real token counts, and never logs the local server key', async () => {
    const rows = await usageOf(server, user.token);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) {
      expect(row).toMatchObject({ service: 'local', model: 'gpt-4o-mini', integration_id: null, fallback: true, priced: true, cost_micros: 0, status: 200 });
      expect(row.input_tokens).toBeGreaterThan(0);
      expect(row.output_tokens).toBeGreaterThan(0);
    }
    expect(rows.some((row) => row.stream)).toBe(true);
    expect(server.logs.text()).not.toContain(LOCAL_SERVER_KEY);
  });
});

describe('(b) an in-process GGUF model (SWITCHBOARD_LOCAL_MODEL_PATH)', () => {
  let dir: string;
  let server: TestServer;
  let user: { token: string };

  beforeAll(async () => {
    // Fails with what to run when node-llama-cpp is missing (npm ci's postinstall puts it in ./local-llm).
    await loadNodeLlamaCpp();
    dir = mkdtempSync(path.join(tmpdir(), 'switchboard-gguf-'));
    const file = path.join(dir, 'tiny-random-llama.gguf');
    writeTinyGguf(file, { seed: 7 });
    server = await startTestServer({
      SWITCHBOARD_LOCAL_MODEL_PATH: file,
      SWITCHBOARD_LOCAL_CONTEXT_SIZE: '256',
      SWITCHBOARD_LOCAL_THREADS: '1',
      SWITCHBOARD_LOCAL_MAX_TOKENS: '12',
    });
    user = await server.signIn();
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the model on first use and answers the SDK, labelled, with real token counts', async () => {
    const { data, response } = await sdk(server, user.token)
      .chat.completions.create({ model: 'local/tiny-random-llama', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello world' }], max_tokens: 6 })
      .withResponse();
    expect(response.headers.get('x-switchboard-fallback')).toBe('local');
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('local/tiny-random-llama');
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]?.message.role).toBe('assistant');
    expect(typeof data.choices[0]?.message.content).toBe('string');
    expect(['stop', 'length']).toContain(data.choices[0]?.finish_reason);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(3);
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBeLessThanOrEqual(6);
    expect(data.usage?.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
  }, 90_000);

  it('streams: role first, labelled chunks, a finish reason, the usage chunk, then [DONE]', async () => {
    const stream = await sdk(server, user.token).chat.completions.create({
      model: 'local/tiny-random-llama',
      messages: [{ role: 'user', content: 'say ok' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 8,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set(['local/tiny-random-llama']));
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(true);
    const usage = chunks.at(-1)?.usage;
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeLessThanOrEqual(8);

    const raw = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local/tiny-random-llama', messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: 4 }),
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('x-switchboard-fallback')).toBe('local');
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    const payloads = await ssePayloads(raw);
    // Without include_usage, the client gets no usage chunk (the gateway asked for one to meter).
    for (const payload of payloads.slice(0, -1)) {
      const chunk = JSON.parse(payload) as { model: string; usage?: unknown; choices: unknown[] };
      expect(chunk.model).toBe('local/tiny-random-llama');
      expect(chunk.choices).toHaveLength(1);
    }
  }, 60_000);

  it('refuses what the in-process model cannot honour with a clear 400, and names the available model', async () => {
    const client = sdk(server, user.token);
    const tools = client.chat.completions.create({
      model: 'local/tiny-random-llama',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
    });
    await expect(tools).rejects.toMatchObject({ status: 400, code: 'unsupported_parameter', param: 'tools' });

    const other = client.chat.completions.create({ model: 'local/llama3', messages: [{ role: 'user', content: 'hi' }] });
    await expect(other).rejects.toMatchObject({ status: 400, code: 'unknown_model' });
    await expect(other).rejects.toThrow(/local\/tiny-random-llama/);
  });

  it('meters in-process answers as free fallbacks and keeps the per-boot local key out of the logs', async () => {
    const rows = (await usageOf(server, user.token)).filter((row) => row.status === 200);
    expect(rows.length).toBe(3);
    for (const row of rows) {
      expect(row).toMatchObject({ service: 'local', model: 'tiny-random-llama', integration_id: null, fallback: true, priced: true, cost_micros: 0 });
      expect(row.input_tokens).toBeGreaterThan(0);
      expect(row.output_tokens).toBeGreaterThan(0);
    }
    expect(server.logs.text()).not.toMatch(/sb-local-[A-Za-z0-9_-]{8}/);
  });

  it('serves a route’s fallback_local from the GGUF model when the route’s targets cannot answer', async () => {
    const route = { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }], fallback_local: true };
    expect((await server.api('/api/routes/claude-or-local', { method: 'PUT', token: user.token, body: route })).status).toBe(201);
    // No Anthropic key: the target falls over at once, to the local model.
    const { data, response } = await sdk(server, user.token)
      .chat.completions.create({ model: 'claude-or-local', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 4 })
      .withResponse();
    expect(data.model).toBe('local/tiny-random-llama');
    expect(response.headers.get('x-switchboard-fallback')).toBe('local');
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
  });
});

describe('(c) no local configuration', () => {
  let server: TestServer;
  let user: { token: string };

  beforeAll(async () => {
    server = await startTestServer();
    user = await server.signIn();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers local/* with 503 local_unavailable naming the variables to set, and stores a failed usage row', async () => {
    const response = await server.api('/v1/chat/completions', { token: user.token, body: { model: 'local/llama3', messages: [{ role: 'user', content: 'hi' }] } });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; source: string; message: string } };
    expect(body.error.code).toBe('local_unavailable');
    expect(body.error.source).toBe('platform');
    expect(body.error.message).toContain('SWITCHBOARD_LOCAL_LLM_URL');
    expect(body.error.message).toContain('SWITCHBOARD_LOCAL_MODEL_PATH');
    const rows = await usageOf(server, user.token);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ service: 'local', status: 503, fallback: true });
  });
});
