/**
 * Cohere behind Switchboard, driven as a user would: the official `openai` SDK calls
 * /v1/chat/completions with a `cohere/...` model, and Switchboard calls the fake Cohere v2 API on
 * 127.0.0.1 with the user's stored Cohere key: plain, streamed, a tool round trip, metering with
 * cost, a Cohere 401 as our error, and a parameter Cohere cannot express refused before any call.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCohere } from '../fakes/cohere.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { createIntegration, openaiSdk, usageRows, type UsageRow } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const ALICE_COHERE_KEY = 'co-alice-cohere-0000000000000000000000001';
const WRONG_COHERE_KEY = 'co-wrong-cohere-0000000000000000000000009';

let server: TestServer;
let cohere: FakeProvider;
let alice: { token: string; integration: string };


const addIntegration = async (token: string, apiKey: string): Promise<string> =>
  (await createIntegration(server, token, { service: 'cohere', api_key: apiKey })).id;

const sdk = (token: string): OpenAI => openaiSdk(server, token);

const usageOf = (token: string): Promise<UsageRow[]> => usageRows(server, token);

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

beforeAll(async () => {
  cohere = await startFakeCohere({ keys: [ALICE_COHERE_KEY] });
  server = await startTestServer({ SWITCHBOARD_COHERE_BASE_URL: cohere.baseUrl });
  const a = await server.signIn();
  alice = { token: a.token, integration: await addIntegration(a.token, ALICE_COHERE_KEY) };
});

afterAll(async () => {
  await server?.close();
  await cohere?.close();
});

describe('Cohere chat through the official openai SDK', () => {
  it('answers a non-streamed call with the caller’s Cohere key, translating the request to v2 Chat', async () => {
    const { data, response } = await sdk(alice.token)
      .chat.completions.create({
        model: 'cohere/command-a-03-2025',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Say hello' },
        ],
        max_tokens: 64,
        top_p: 0.5,
        stop: ['\n\n'],
      })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('command-a-03-2025');
    expect(data.choices[0]?.message.content).toBe('Hello from fake-cohere (key #1).');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(response.headers.get('x-switchboard-integration')).toBe(alice.integration);
    const upstream = cohere.requests.at(-1)!;
    expect(upstream.path).toBe('/v2/chat');
    expect(upstream.credential).toBe(ALICE_COHERE_KEY);
    expect(upstream.body).toEqual({
      model: 'command-a-03-2025',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      max_tokens: 64,
      p: 0.5,
      stop_sequences: ['\n\n'],
    });
    // Cohere's billed units are the usage: the fake's `tokens` count adds 200 unbilled prompt tokens.
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage?.prompt_tokens).toBeLessThan(200);
    expect(data.usage?.completion_tokens).toBe(5);
  });

  it('streams text, the finish reason and the final usage chunk when asked', async () => {
    const stream = await sdk(alice.token).chat.completions.create({
      model: 'cohere/command-r-08-2024',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from fake-cohere (key #1).');
    expect(chunks).toBeGreaterThan(4);
    expect(finish).toBe('stop');
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBe(5);
    expect((cohere.requests.at(-1)!.body as { stream?: boolean }).stream).toBe(true);
  });

  it('does a tool round trip: a streamed tool call, then the tool result answered from', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await sdk(alice.token)
      .chat.completions.stream({ model: 'cohere/command-a-03-2025', messages, tools: [weatherTool], tool_choice: 'required' })
      .finalChatCompletion();
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('I will call get_weather (key #1).');
    const call = choice.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'fake-value' });
    expect(cohere.requests.at(-1)!.body).toMatchObject({ tool_choice: 'REQUIRED', tools: [{ type: 'function', function: { name: 'get_weather' } }] });

    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: '18°C, cloudy' });
    const second = await sdk(alice.token).chat.completions.create({ model: 'cohere/command-a-03-2025', messages, tools: [weatherTool] });
    expect(second.choices[0]?.message.content).toBe('The tool said: 18°C, cloudy (key #1).');
    expect(second.choices[0]?.finish_reason).toBe('stop');
    // The assistant's text next to its tool calls went back to Cohere as the tool plan.
    const sent = (cohere.requests.at(-1)!.body as { messages: unknown[] }).messages;
    expect(sent[1]).toEqual({
      role: 'assistant',
      tool_plan: 'I will call get_weather (key #1).',
      tool_calls: [{ id: call.id, type: 'function', function: { name: 'get_weather', arguments: call.function.arguments } }],
    });
    expect(sent[2]).toEqual({ role: 'tool', tool_call_id: call.id, content: '18°C, cloudy' });
  });

  it('refuses what Cohere cannot express with a 400 before calling it', async () => {
    const before = cohere.requests.length;
    const error = (await sdk(alice.token)
      .chat.completions.create({ model: 'cohere/command-a-03-2025', messages: [{ role: 'user', content: 'hi' }], n: 2 })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('unsupported_parameter');
    expect(error.param).toBe('n');
    expect(cohere.requests.length).toBe(before);
  });
});

describe('Cohere errors', () => {
  it('a key Cohere rejects is the user’s to fix (401 provider_key_rejected), and the key never shows', async () => {
    const stranger = await server.signIn();
    await addIntegration(stranger.token, WRONG_COHERE_KEY);
    const error = (await sdk(stranger.token)
      .chat.completions.create({ model: 'cohere/command-a-03-2025', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe('provider_key_rejected');
    expect((error.error as { source: string }).source).toBe('user');
    expect(error.message).toContain('cohere: invalid api token');
    expect(error.message).not.toContain(WRONG_COHERE_KEY);
  });

  it.each([
    ['fake-error-429', 429, 'provider_rate_limited'],
    ['fake-error-500', 502, 'provider_error'],
    ['fake-error-404', 404, 'provider_model_not_found'],
  ])('%s surfaces as %i %s', async (model, status, code) => {
    const error = (await sdk(alice.token)
      .chat.completions.create({ model: `cohere/${model}`, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
  });

  it('a generation that fails mid-stream ends the stream with an error, not a silent stop', async () => {
    const stream = await sdk(alice.token).chat.completions.create({
      model: 'cohere/fake-stream-error',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    const caught = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    expect((caught as Error).message).toContain('cohere: internal server error');
    expect(text).toBe('');
    const rows = await usageOf(alice.token);
    expect(rows.find((row) => row.model === 'fake-stream-error')).toMatchObject({ error_code: 'provider_error', error_source: 'provider', stream: true });
  });
});

describe('Cohere metering', () => {
  it('records tokens and cost for priced Cohere models, streamed and not, and failures by source', async () => {
    const rows = await usageOf(alice.token);
    const ok = rows.filter((row) => row.service === 'cohere' && row.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(4);
    for (const row of ok) {
      expect(row.integration_id).toBe(alice.integration);
      expect(row.input_tokens).toBeGreaterThan(0);
      expect(row.output_tokens).toBeGreaterThan(0);
      expect(row).toMatchObject({ priced: true });
      expect(row.cost_micros).toBeGreaterThan(0);
    }
    expect(ok.some((row) => row.stream)).toBe(true);
    const commandA = ok.find((row) => row.model === 'command-a-03-2025' && !row.stream)!;
    // command-a-03-2025: $2.50 input, $10 output per million tokens.
    expect(commandA.cost_micros).toBe(Math.round((commandA.input_tokens! * 2.5 + commandA.output_tokens! * 10)));
    expect(rows.find((row) => row.model === 'fake-error-500')).toMatchObject({ status: 502, error_source: 'provider', error_code: 'provider_error' });
  });

  it('never writes a Cohere key to the logs', () => {
    const logs = server.logs.text();
    expect(logs).not.toContain(ALICE_COHERE_KEY);
    expect(logs).not.toContain(WRONG_COHERE_KEY);
  });
});

