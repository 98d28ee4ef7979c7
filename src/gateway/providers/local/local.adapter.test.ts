/**
 * The local adapter is the OpenAI adapter plus labelling: answers from Ollama-style servers (the
 * fixture is the chunk shape Ollama's OpenAI-compatible endpoint sends, docs/openai.md) come back
 * as `local/<model>`, and the in-process server's refusals map to our own error codes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { everyByte, runStream } from '../../../../test/helpers/adapter-replay.js';
import type { ChatCompletionRequest } from '../../chat-types.js';
import type { CallContext } from '../provider.js';
import { localAdapter } from './local.adapter.js';

const ctx: CallContext = {
  model: 'llama3.2',
  apiKey: 'sb-local-secret-0000000000',
  baseUrl: 'http://127.0.0.1:11434/v1',
  requestId: 'req_1',
  createdAt: 1_764_977_000,
  includeUsage: false,
};
const request: ChatCompletionRequest = { model: 'local/llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: true };

describe('local adapter', () => {
  it('sends the OpenAI request to the local server with the bare model name and asks for stream usage', () => {
    const upstream = localAdapter.buildChatRequest(request, ctx);
    expect(upstream.url).toBe('http://127.0.0.1:11434/v1/chat/completions');
    expect(upstream.headers.authorization).toBe(`Bearer ${ctx.apiKey}`);
    expect(JSON.parse(upstream.body!)).toEqual({ ...request, model: 'llama3.2', stream_options: { include_usage: true } });
  });

  it('labels a non-streamed answer with local/<model>, whatever the server called it', () => {
    const result = localAdapter.parseChatResponse(
      {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'llama3.2:latest',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      },
      ctx,
    );
    expect(result.body.model).toBe('local/llama3.2');
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 1 });
  });

  it('labels every streamed chunk, hides the usage chunk the client did not ask for, and counts usage', () => {
    const bytes = readFileSync(new URL('./__fixtures__/ollama-text-stream.sse', import.meta.url));
    const translator = localAdapter.createStreamTranslator(request, ctx);
    const payloads = runStream(everyByte(bytes), translator);
    expect(payloads).toHaveLength(3);
    for (const payload of payloads) expect(JSON.parse(payload).model).toBe('local/llama3.2');
    expect(payloads.map((payload) => JSON.parse(payload).choices[0].delta.content).join('')).toBe('Hello');
    expect(translator.usage()).toEqual({ inputTokens: 26, outputTokens: 2 });
    expect(translator.finishReason()).toBe('stop');
  });

  it('maps the in-process server’s refusals and a busy queue to our codes, never echoing the key', () => {
    const unsupported = localAdapter.mapError(
      {
        status: 400,
        headers: {},
        body: JSON.stringify({ error: { message: 'The in-process local model does not support tools.', type: 'invalid_request_error', param: 'tools', code: 'unsupported_parameter' } }),
      },
      ctx,
    );
    expect(unsupported).toMatchObject({ code: 'unsupported_parameter', status: 400, param: 'tools', source: 'user' });
    const busy = localAdapter.mapError({ status: 503, headers: {}, body: JSON.stringify({ error: { message: 'busy', code: 'local_busy' } }) }, ctx);
    expect(busy).toMatchObject({ code: 'provider_overloaded', status: 503, retryAfterSeconds: 1 });
    const refused = localAdapter.mapError({ status: 401, headers: {}, body: JSON.stringify({ error: { message: `bad key ${ctx.apiKey}` } }) }, ctx);
    expect(refused.code).toBe('local_unavailable');
    expect(refused.message).toContain('SWITCHBOARD_LOCAL_LLM_API_KEY');
    expect(refused.message).not.toContain(ctx.apiKey);
  });
});
