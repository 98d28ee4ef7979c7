import { describe, expect, it } from 'vitest';
import { deliveredTextChars, estimatePromptTokens, requestBodyTokens, tokensForChars } from './token-estimate.js';

describe('deliveredTextChars', () => {
  it('counts the text of chat chunks, without the envelope', () => {
    const chunk = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hello there"},"finish_reason":null}]}';
    expect(deliveredTextChars(chunk)).toBe(11);
    expect(deliveredTextChars('{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}')).toBe(0);
    expect(deliveredTextChars('{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}')).toBe(0);
  });

  it('counts tool-call arguments next to a null content, and every choice', () => {
    const tool = '{"choices":[{"index":0,"delta":{"content":null,"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]}}]}';
    expect(deliveredTextChars(tool)).toBe('{\\"city\\":'.length);
    const two = '{"choices":[{"index":0,"delta":{"content":"ab"}},{"index":1,"delta":{"content":"cde"}}]}';
    expect(deliveredTextChars(two)).toBe(5);
  });

  it('counts escaped quotes inside the text and tolerates spaces after the colon', () => {
    expect(deliveredTextChars('{"choices":[{"delta":{"content":"say \\"hi\\""}}]}')).toBe('say \\"hi\\"'.length);
    expect(deliveredTextChars('{"choices": [{"delta": {"content": "spaced"}}]}')).toBe(6);
  });

  it('counts Anthropic text, JSON and thinking deltas, and nothing of other events', () => {
    expect(deliveredTextChars('{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi!"}}')).toBe(3);
    expect(deliveredTextChars('{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\": 1"}}')).toBe('{\\"a\\": 1'.length);
    expect(deliveredTextChars('{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}')).toBe(3);
    expect(deliveredTextChars('{"type":"message_start","message":{"content":[],"usage":{"input_tokens":12}}}')).toBe(0);
    expect(deliveredTextChars('{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}')).toBe(0);
  });
});

describe('prompt estimates', () => {
  it('counts message text, system and tools, not roles, ids or image data', () => {
    const text = 'x'.repeat(400);
    const plain = estimatePromptTokens({ messages: [{ role: 'user', content: text }] });
    expect(plain).toBe(100 + 4 + 3);
    const withImage = estimatePromptTokens({
      messages: [{ role: 'user', content: [{ type: 'text', text }, { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(10_000)}` } }] }],
    });
    expect(withImage).toBe(plain);
    expect(estimatePromptTokens({ messages: [{ role: 'user', content: text }], system: 'y'.repeat(40) })).toBe(plain + 10);
  });

  it('reads a body size as tokens, and nothing from a missing or bad header', () => {
    expect(requestBodyTokens('400')).toBe(100);
    expect(requestBodyTokens(undefined)).toBe(0);
    expect(requestBodyTokens('nope')).toBe(0);
    expect(tokensForChars(1)).toBe(1);
  });
});
