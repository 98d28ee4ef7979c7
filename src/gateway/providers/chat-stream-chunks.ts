/**
 * The pieces of an OpenAI `chat.completion.chunk` stream the provider stream translators
 * (from-<x>-response.ts) build alike: the chunk envelope, the closing usage chunk, tool calls
 * numbered in order of appearance, and the parsed event data.
 */
import { AppError } from '../../platform/errors.js';
import type { ChatCompletionChunk, ChatFinishReason, ChatUsage } from '../chat-types.js';
import type { SseEvent } from '../sse.js';
import type { NormalizedUsage } from './provider.js';

export type ChunkDelta = ChatCompletionChunk['choices'][number]['delta'];

/** What every chunk of one stream repeats; `id` and `model` may change once the provider names them. */
export interface ChunkEnvelope {
  id: string;
  createdAt: number;
  model: string;
  includeUsage: boolean;
}

export function chunkJson(envelope: ChunkEnvelope, choice: number, delta: ChunkDelta, finish: ChatFinishReason | null = null): string {
  const payload: ChatCompletionChunk = {
    id: envelope.id,
    object: 'chat.completion.chunk',
    created: envelope.createdAt,
    model: envelope.model,
    choices: [{ index: choice, delta, finish_reason: finish, logprobs: null }],
    // OpenAI sends `usage: null` on every chunk but the last when usage was asked for.
    ...(envelope.includeUsage && { usage: null }),
  };
  return JSON.stringify(payload);
}

/** The last chunk, with no choices and the usage: only when the client asked for usage and it is known. */
export function usageChunkJson(envelope: ChunkEnvelope, usage: ChatUsage | undefined): string[] {
  if (!envelope.includeUsage || usage === undefined) return [];
  const payload: ChatCompletionChunk = {
    id: envelope.id,
    object: 'chat.completion.chunk',
    created: envelope.createdAt,
    model: envelope.model,
    choices: [],
    usage,
  };
  return [JSON.stringify(payload)];
}

/** OpenAI usage needs both counts; with either unknown there is no honest usage object to give. */
export function toChatUsage(usage: NormalizedUsage): ChatUsage | undefined {
  const { inputTokens, outputTokens, cachedInputTokens } = usage;
  if (inputTokens === undefined || outputTokens === undefined) return undefined;
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    ...(cachedInputTokens !== undefined && { prompt_tokens_details: { cached_tokens: cachedInputTokens } }),
  };
}

/**
 * Providers number tool calls by their own index (a content block, a call slot); OpenAI numbers
 * them 0, 1, … in order of appearance. `upstreamIndex` is the provider's number for a call.
 */
export function createToolCallNumbering() {
  const indexByUpstream = new Map<number, number>();
  return {
    /** How many calls have opened. */
    count: (): number => indexByUpstream.size,
    /** The delta that opens a call: its id, name and any arguments it came with. */
    open(upstreamIndex: number, id: unknown, name: unknown, args = ''): ChunkDelta {
      const index = indexByUpstream.size;
      indexByUpstream.set(upstreamIndex, index);
      const call = {
        index,
        id: typeof id === 'string' ? id : '',
        type: 'function' as const,
        function: { name: typeof name === 'string' ? name : '', arguments: args },
      };
      return { tool_calls: [call] };
    },
    /** The delta that adds argument text to an open call; undefined for a call that never opened. */
    append(upstreamIndex: number | undefined, args: string): ChunkDelta | undefined {
      const index = upstreamIndex === undefined ? undefined : indexByUpstream.get(upstreamIndex);
      if (index === undefined) return undefined;
      return { tool_calls: [{ index, function: { arguments: args } }] };
    },
  };
}

/** An SSE event's data as a JSON object; anything else means the stream is broken. */
export function parseEventData(event: SseEvent, provider: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(event.data);
    if (isRecord(parsed)) return parsed;
  } catch {
    // Fall through: a payload that is not a JSON object is a broken stream.
  }
  throw new AppError('provider_error', { message: `${provider}: the stream sent an event whose data is not a JSON object.` });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
