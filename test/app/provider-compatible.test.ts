/**
 * Chat through an `openai_compatible` integration, driven with the official openai SDK: the
 * integration's base_url points at fake compatible servers on 127.0.0.1 (hence
 * SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS=true) with the quirks of Ollama, vLLM and llama.cpp: no ids,
 * no usage, usage chunks without choices, non-OpenAI finish reasons, non-OpenAI error bodies.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { compatibleAnswer, startFakeCompatible } from '../fakes/openai-compatible.js';
import { createIntegration, openaiSdk, usageRows, type UsageRow } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const VLLM_KEY = 'sk-vllm-compat-key-0000000000000000000042';
const OLLAMA_PLACEHOLDER_KEY = 'ollama';

let server: TestServer;
let ollama: FakeProvider; // no ids, no usage, `eos` finish reason, {"error": "..."} errors, any key
let vllm: FakeProvider; // usage on request, usage chunk without choices, vLLM error bodies, one key
let oldVllm: FakeProvider; // rejects stream_options
let user: { token: string; integration: string };
let vllmUser: { token: string; integration: string };
let oldUser: { token: string };


const sdk = (token: string): OpenAI => openaiSdk(server, token);

async function integrate(baseUrl: string, apiKey: string) {
  const { token } = await server.signIn();
  const { id } = await createIntegration(server, token, { service: 'openai_compatible', api_key: apiKey, base_url: baseUrl });
  return { token, integration: id };
}

const usageOf = (token: string): Promise<UsageRow[]> => usageRows(server, token);

const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];

beforeAll(async () => {
  ollama = await startFakeCompatible({ models: ['llama3.2'], errorStyle: 'ollama', usage: 'never', omitIds: true, finishReason: 'eos' });
  vllm = await startFakeCompatible({ keys: [VLLM_KEY], models: ['meta-llama/Llama-3.1-8B-Instruct'], errorStyle: 'vllm', usage: 'on-request', usageChunkWithoutChoices: true });
  oldVllm = await startFakeCompatible({ models: ['m'], errorStyle: 'fastapi', usage: 'on-request', rejectStreamOptions: true });
  server = await startTestServer({ SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true' });
  user = await integrate(ollama.baseUrl, OLLAMA_PLACEHOLDER_KEY);
  vllmUser = await integrate(vllm.baseUrl, VLLM_KEY);
  oldUser = await integrate(oldVllm.baseUrl, 'placeholder');
});

afterAll(async () => {
  await server?.close();
  await Promise.all([ollama?.close(), vllm?.close(), oldVllm?.close()]);
});

describe('an Ollama-like server (no ids, no usage, `eos`, string errors)', () => {
  it('answers a non-streamed call with ids filled in, `eos` mapped to stop, and usage left unknown', async () => {
    const { data, response } = await sdk(user.token)
      .chat.completions.create({ model: 'openai_compatible/llama3.2', messages: [{ role: 'user', content: 'Say hello' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(compatibleAnswer());
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.object).toBe('chat.completion');
    expect(data.id).toMatch(/^chatcmpl-req_/);
    expect(data.created).toBeGreaterThan(1_700_000_000);
    expect(data.model).toBe('llama3.2');
    expect(data.usage).toBeUndefined();
    expect(response.headers.get('x-switchboard-integration')).toBe(user.integration);
    const upstream = ollama.requests.at(-1)!;
    expect(upstream.path).toBe('/v1/chat/completions');
    expect(upstream.credential).toBe(OLLAMA_PLACEHOLDER_KEY);
    expect((upstream.body as { model: string }).model).toBe('llama3.2');

    const row = (await usageOf(user.token)).find((r) => r.request_id === response.headers.get('x-request-id'))!;
    expect(row).toMatchObject({ service: 'openai_compatible', model: 'llama3.2', status: 200, input_tokens: null, output_tokens: null, cost_micros: null, priced: false });
  });

  it('streams with chunk ids filled in, and the usage it never reported stays null', async () => {
    const { data: stream, response } = await sdk(user.token)
      .chat.completions.create({ model: 'openai_compatible/llama3.2', messages: [{ role: 'user', content: 'Say hello' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let text = '';
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe(compatibleAnswer());
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id.startsWith('chatcmpl-') && typeof chunk.created === 'number')).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    // Switchboard asked for usage anyway (it meters streams); this server just never sends it.
    expect((ollama.requests.at(-1)!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    const row = (await usageOf(user.token)).find((r) => r.request_id === response.headers.get('x-request-id'))!;
    expect(row).toMatchObject({ stream: true, status: 200, input_tokens: null, output_tokens: null, cost_micros: null });
  });

  it('passes tool calls through, streamed and not', async () => {
    const completion = await sdk(user.token).chat.completions.create({ model: 'openai_compatible/llama3.2', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toHaveProperty('city');
    expect((ollama.requests.at(-1)!.body as { tools: unknown }).tools).toEqual(tools);

    const final = await sdk(user.token)
      .chat.completions.stream({ model: 'openai_compatible/llama3.2', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools })
      .finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    expect(streamed?.type === 'function' ? streamed.function.name : undefined).toBe('get_weather');
    expect(streamed?.type === 'function' ? JSON.parse(streamed.function.arguments) : undefined).toHaveProperty('city');
  });

  it('turns Ollama’s {"error": "…"} 404 into provider_model_not_found with its message', async () => {
    const error = (await sdk(user.token)
      .chat.completions.create({ model: 'openai_compatible/mistral', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(404);
    expect(error.error).toMatchObject({ code: 'provider_model_not_found', source: 'user' });
    expect(error.message).toContain('model "mistral" not found, try pulling it first');
  });
});

describe('a vLLM-like server (usage on request, chunk without choices, vLLM errors)', () => {
  it('meters streamed usage from a usage chunk without `choices`, hidden when the client did not ask', async () => {
    const { data: stream, response } = await sdk(vllmUser.token)
      .chat.completions.create({ model: 'openai_compatible/meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'Say hello' }], stream: true })
      .withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(compatibleAnswer());
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(vllm.requests.at(-1)!.credential).toBe(VLLM_KEY);
    expect((vllm.requests.at(-1)!.body as { model: string }).model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    const row = (await usageOf(vllmUser.token)).find((r) => r.request_id === response.headers.get('x-request-id'))!;
    expect(row.input_tokens).toBeGreaterThan(0);
    expect(row.output_tokens).toBe(3); // the fake's tokens: 'Hello ', 'from ', 'fake-compatible.'
  });

  it('gives the usage chunk (with choices: []) to a client that asked', async () => {
    const stream = await sdk(vllmUser.token).chat.completions.create({
      model: 'openai_compatible/meta-llama/Llama-3.1-8B-Instruct',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 3 });
  });

  it('maps vLLM’s {"object":"error"} body and a key it rejects to provider_key_rejected, without the key', async () => {
    const stranger = await integrate(vllm.baseUrl, 'sk-wrong-key-for-vllm-000000000000000');
    const error = (await sdk(stranger.token)
      .chat.completions.create({ model: 'openai_compatible/meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(401);
    expect(error.error).toMatchObject({ code: 'provider_key_rejected', source: 'user' });
    expect(error.message).toContain('Unauthorized: invalid api key');
    const row = (await usageOf(stranger.token)).at(0)!;
    expect(row).toMatchObject({ status: 401, error_code: 'provider_key_rejected', error_source: 'user' });
  });

  it('maps a 500 to provider_error, attributed to the provider', async () => {
    vllm.enqueue({ kind: 'error', status: 500 });
    const error = (await sdk(vllmUser.token)
      .chat.completions.create({ model: 'openai_compatible/meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ code: 'provider_error', source: 'provider' });
    expect(error.message).toContain('fake failure 500');
  });

  it('a stream cut before [DONE] and any finish reason ends with an error event, metered as a provider failure', async () => {
    vllm.enqueue({ kind: 'stream-cut', afterEvents: 2 });
    const stream = await sdk(vllmUser.token).chat.completions.create({
      model: 'openai_compatible/meta-llama/Llama-3.1-8B-Instruct',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // drain
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toMatch(/provider/i);
    const row = (await usageOf(vllmUser.token)).at(0)!;
    expect(row).toMatchObject({ stream: true, error_source: 'provider' });
    expect(row.status).toBeGreaterThanOrEqual(500);
  });
});

describe('a server that rejects stream_options (old vLLM)', () => {
  it('is that provider’s 400, with its message, and non-streamed calls still work', async () => {
    const error = (await sdk(oldUser.token)
      .chat.completions.create({ model: 'openai_compatible/m', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ code: 'provider_bad_request', source: 'user' });
    expect(error.message).toContain('stream_options');
    const ok = await sdk(oldUser.token).chat.completions.create({ model: 'openai_compatible/m', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.choices[0]?.message.content).toBe(compatibleAnswer());
  });
});

describe('secrets', () => {
  it('no provider key appears in the logs', () => {
    const text = server.logs.text();
    expect(text).not.toContain(VLLM_KEY);
    expect(text).not.toContain('sk-wrong-key-for-vllm-000000000000000');
  });
});
