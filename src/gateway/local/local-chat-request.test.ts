import { describe, expect, it } from 'vitest';
import { LocalRequestError, toLocalChatRequest } from './local-chat-request.js';

const limits = { maxTokens: 100 };
const refusal = (body: Record<string, unknown>): LocalRequestError => {
  try {
    toLocalChatRequest(body, limits);
  } catch (error) {
    if (error instanceof LocalRequestError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('OpenAI request → node-llama-cpp chat', () => {
  it('maps roles, text parts and sampling options; caps max_tokens', () => {
    const request = toLocalChatRequest(
      {
        model: 'local/tiny',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }] },
          { role: 'assistant', content: 'Hi.' },
          { role: 'user', content: 'Again' },
        ],
        temperature: 0.5,
        top_p: 0.9,
        seed: 3,
        stop: 'END',
        max_tokens: 5000,
        stream: true,
        stream_options: { include_usage: true },
      },
      limits,
    );
    expect(request).toEqual({
      history: [
        { type: 'system', text: 'Be brief.' },
        { type: 'user', text: 'Hello there' },
        { type: 'model', response: ['Hi.'] },
        { type: 'user', text: 'Again' },
      ],
      stream: true,
      includeUsage: true,
      maxTokens: 100,
      temperature: 0.5,
      topP: 0.9,
      seed: 3,
      stop: ['END'],
    });
    expect(toLocalChatRequest({ messages: [{ role: 'user', content: 'x' }], max_completion_tokens: 7 }, limits).maxTokens).toBe(7);
  });

  it('refuses by name what it cannot honour, rather than dropping it', () => {
    expect(refusal({ messages: [{ role: 'user', content: 'x' }], tools: [] })).toMatchObject({ status: 400, code: 'unsupported_parameter', param: 'tools' });
    expect(refusal({ messages: [{ role: 'user', content: 'x' }], logprobs: true })).toMatchObject({ code: 'unsupported_parameter', param: 'logprobs' });
    expect(refusal({ messages: [{ role: 'user', content: 'x' }], n: 2 })).toMatchObject({ code: 'unsupported_parameter', param: 'n' });
    expect(refusal({ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } })).toMatchObject({ param: 'response_format' });
    expect(refusal({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] })).toMatchObject({ param: 'messages[0].content[0]' });
    expect(refusal({ messages: [{ role: 'tool', content: 'x', tool_call_id: 'a' }] })).toMatchObject({ param: 'messages[0].role' });
    expect(refusal({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }] })).toMatchObject({ code: 'invalid_request', param: 'messages' });
    expect(refusal({ messages: [{ role: 'user', content: 'x' }], temperature: 5 })).toMatchObject({ code: 'invalid_request', param: 'temperature' });
    // Explicit nulls and n: 1 are what SDKs send by default: accepted.
    expect(() => toLocalChatRequest({ messages: [{ role: 'user', content: 'x' }], tools: null, n: 1, response_format: { type: 'text' } }, limits)).not.toThrow();
  });
});
