/**
 * Gemini through Switchboard, driven as a user would: the official OpenAI SDK calls
 * /v1/chat/completions for `gemini/…` models, Switchboard calls the fake Gemini API
 * (SWITCHBOARD_GEMINI_BASE_URL, on 127.0.0.1) with the user's stored key, and answers in OpenAI's
 * shapes: not streamed, streamed, with a tool round trip, metered, and with Gemini's invalid-key
 * error surfacing as Switchboard's own error.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { geminiAnswer, startFakeGemini } from '../fakes/gemini.js';
import { createIntegration, openaiSdk, usageRows, type UsageRow } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const ALICE_KEY = 'AIzaSyALICE-gemini-key-000000000000001';
const WRONG_KEY = 'AIzaSyWRONG-gemini-key-000000000000002';

let server: TestServer;
let fake: FakeProvider;
let alice: { token: string; integration: string };
let mallory: { token: string };


const addIntegration = async (token: string, apiKey: string): Promise<string> =>
  (await createIntegration(server, token, { service: 'gemini', api_key: apiKey })).id;

const sdk = (token: string): OpenAI => openaiSdk(server, token);

const usageOf = (token: string): Promise<UsageRow[]> => usageRows(server, token);

interface GeminiBody {
  contents: Array<{ role: string; parts: Array<Record<string, unknown>> }>;
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: Array<{ name: string }> }>;
  generationConfig?: Record<string, unknown>;
}

beforeAll(async () => {
  fake = await startFakeGemini({ keys: [ALICE_KEY] });
  server = await startTestServer({ SWITCHBOARD_GEMINI_BASE_URL: fake.baseUrl });
  const a = await server.signIn();
  alice = { token: a.token, integration: await addIntegration(a.token, ALICE_KEY) };
  const m = await server.signIn();
  await addIntegration(m.token, WRONG_KEY);
  mallory = { token: m.token };
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe('Gemini chat through the official OpenAI SDK', () => {
  it('answers a non-streamed call with the caller’s key, the system prompt as systemInstruction', async () => {
    const { data, response } = await sdk(alice.token)
      .chat.completions.create({
        model: 'gemini/gemini-2.5-flash',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Say hello' },
        ],
        max_tokens: 50,
        temperature: 0.3,
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(geminiAnswer(1));
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.integration);

    const upstream = fake.requests.at(-1)!;
    expect(upstream.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(upstream.headers['x-goog-api-key']).toBe(ALICE_KEY);
    expect(upstream.query.get('key')).toBeNull();
    const body = upstream.body as GeminiBody;
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'Say hello' }] }]);
    expect(body.generationConfig).toEqual({ maxOutputTokens: 50, temperature: 0.3 });
  });

  it('streams, with the final usage chunk when asked, and meters the stream', async () => {
    const stream = await sdk(alice.token).chat.completions.create({
      model: 'gemini-2.0-flash',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    const finishes: Array<string | null | undefined> = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(geminiAnswer(1));
    expect(finishes).toEqual(['stop']);
    expect(usage?.completion_tokens).toBe(text.match(/\s*\S+\s*/g)?.length);
    const upstream = fake.requests.at(-1)!;
    expect(upstream.path).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent');
    expect(upstream.query.get('alt')).toBe('sse');

    const row = (await usageOf(alice.token)).find((r) => r.stream && r.model === 'gemini-2.0-flash');
    expect(row).toMatchObject({ service: 'gemini', status: 200, output_tokens: usage?.completion_tokens, input_tokens: usage?.prompt_tokens, priced: true });
    expect(row?.cost_micros).toBeGreaterThan(0);
  });

  it('round-trips a tool call: tool_calls out, the tool result goes back as a named functionResponse', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await sdk(alice.token).chat.completions.create({ model: 'gemini/gemini-2.5-pro', messages, tools });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"fake-value"}' } });
    expect(call?.id).toMatch(/^call_/);
    const firstBody = fake.requests.at(-1)!.body as GeminiBody & { tools: Array<{ functionDeclarations: unknown[] }> };
    expect(firstBody.tools[0]?.functionDeclarations).toEqual([
      { name: 'get_weather', description: 'Weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    ]);

    messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call!.id, content: '18°C' });
    const second = await sdk(alice.token).chat.completions.create({ model: 'gemini/gemini-2.5-pro', messages, tools });
    expect(second.choices[0]?.message.content).toBe(geminiAnswer(1));
    const secondBody = fake.requests.at(-1)!.body as GeminiBody;
    expect(secondBody.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'fake-value' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '18°C' } } }] },
    ]);
  });

  it('streams a tool call', async () => {
    const stream = await sdk(alice.token).chat.completions.create({
      model: 'gemini/gemini-2.5-flash',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'required',
      stream: true,
    });
    const calls: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      calls.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(calls).toMatchObject([{ index: 0, type: 'function', function: { name: 'get_weather', arguments: '{"city":"fake-value"}' } }]);
    expect(finish).toBe('tool_calls');
    expect((fake.requests.at(-1)!.body as { toolConfig: unknown }).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
  });

  it('refuses what Gemini cannot take with a clear 400, before calling Gemini', async () => {
    const before = fake.requests.length;
    const error = await sdk(alice.token)
      .chat.completions.create({
        model: 'gemini/gemini-2.5-flash',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat' } }] }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('unsupported_parameter');
    expect(fake.requests.length).toBe(before);
  });

  it('surfaces Gemini’s invalid-key answer (400 API_KEY_INVALID) as provider_key_rejected, without the key anywhere', async () => {
    const error = await sdk(mallory.token)
      .chat.completions.create({ model: 'gemini/gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(401);
    expect(apiError.code).toBe('provider_key_rejected');
    expect(apiError.message).toContain('gemini: API key not valid');
    expect(JSON.stringify(apiError.error)).not.toContain(WRONG_KEY);
    expect(fake.requests.at(-1)!.headers['x-goog-api-key']).toBe(WRONG_KEY);

    const rows = await usageOf(mallory.token);
    expect(rows[0]).toMatchObject({ service: 'gemini', status: 401, error_code: 'provider_key_rejected' });
  });

  it('maps a mid-stream Gemini error to an error event the SDK raises', async () => {
    fake.enqueue({ kind: 'stream-error', afterEvents: 1 });
    const stream = await sdk(alice.token).chat.completions.create({
      model: 'gemini/gemini-2.0-flash',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('Hello ');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String((error as Error).message)).toContain('overloaded');
  });

  it('never writes a Gemini key into the logs', () => {
    const logs = server.logs.text();
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).not.toContain(ALICE_KEY);
    expect(logs).not.toContain(WRONG_KEY);
  });
});
