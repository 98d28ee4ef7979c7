import { describe, expect, it } from 'vitest';
import { chunkJson, createToolCallNumbering, parseEventData, toChatUsage, usageChunkJson, type ChunkEnvelope } from './chat-stream-chunks.js';

const envelope: ChunkEnvelope = { id: 'chatcmpl-1', createdAt: 1767225600, model: 'm', includeUsage: true };

describe('chat stream chunks', () => {
  it('sends usage: null on every chunk when usage was asked for, and the usage chunk last', () => {
    expect(JSON.parse(chunkJson(envelope, 0, { content: 'hi' }))).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1767225600,
      model: 'm',
      choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null, logprobs: null }],
      usage: null,
    });
    expect(JSON.parse(chunkJson({ ...envelope, includeUsage: false }, 1, {}, 'stop'))).not.toHaveProperty('usage');
    const usage = toChatUsage({ inputTokens: 2, outputTokens: 3 });
    expect(usageChunkJson(envelope, usage).map((p) => JSON.parse(p) as unknown)).toEqual([
      { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1767225600, model: 'm', choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } },
    ]);
    expect(usageChunkJson({ ...envelope, includeUsage: false }, usage)).toEqual([]);
    expect(usageChunkJson(envelope, undefined)).toEqual([]);
  });

  it('gives no usage object when a count is unknown, and cached tokens when known', () => {
    expect(toChatUsage({ inputTokens: 2 })).toBeUndefined();
    expect(toChatUsage({ inputTokens: 4, outputTokens: 1, cachedInputTokens: 3 })?.prompt_tokens_details).toEqual({ cached_tokens: 3 });
  });

  it('numbers tool calls 0, 1, … in order of appearance, whatever the provider numbers them', () => {
    const calls = createToolCallNumbering();
    expect(calls.open(5, 'call_a', 'f')).toEqual({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }] });
    expect(calls.open(2, undefined, 7, '{')).toEqual({ tool_calls: [{ index: 1, id: '', type: 'function', function: { name: '', arguments: '{' } }] });
    expect(calls.append(5, '{}')).toEqual({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] });
    expect(calls.append(9, '{}')).toBeUndefined();
    expect(calls.append(undefined, '{}')).toBeUndefined();
    expect(calls.count()).toBe(2);
  });

  it('refuses event data that is not a JSON object', () => {
    expect(parseEventData({ event: undefined, data: '{"a":1}', id: undefined }, 'acme')).toEqual({ a: 1 });
    for (const data of ['[1]', 'nope', 'null']) {
      expect(() => parseEventData({ event: undefined, data, id: undefined }, 'acme')).toThrow(/acme: the stream sent an event/);
    }
  });
});
