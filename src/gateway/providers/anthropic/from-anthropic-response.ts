/**
 * Anthropic Messages responses → OpenAI `chat.completion`, and Anthropic's SSE stream → OpenAI
 * `chat.completion.chunk` payloads.
 *
 * Ids: the completion id is `chatcmpl-<Anthropic message id>`. The prefix is what OpenAI clients
 * expect; keeping the whole `msg_…` id lets a caller quote it to Anthropic support.
 *
 * Content: text blocks are concatenated without a separator (a stream concatenates their deltas
 * the same way); `tool_use` blocks become tool calls; thinking and redacted thinking blocks have
 * no place in a Chat Completions message and are left out; server-tool blocks cannot occur,
 * because this adapter never offers server tools.
 */
import { AppError } from '../../../platform/errors.js';
import type { ChatCompletion, ChatFinishReason, ChatToolCall } from '../../chat-types.js';
import type { SseEvent } from '../../sse.js';
import type { CallContext, ChatResult, NormalizedUsage, StreamTranslator } from '../provider.js';
import { mapAnthropicStreamError } from './map-anthropic-error.js';
import {
  chunkJson,
  createToolCallNumbering,
  isRecord,
  parseEventData,
  toChatUsage,
  usageChunkJson,
  type ChunkDelta,
  type ChunkEnvelope,
} from '../chat-stream-chunks.js';

const PROVIDER = 'anthropic';

/** Anthropic's `usage`; the cache counters are null or absent when caching did not apply. */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

interface AnthropicResponseBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

export interface AnthropicMessageResponse {
  id: string;
  type: 'message';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: string | null;
  usage?: AnthropicUsage;
}

/**
 * Unknown stop reasons (Anthropic's versioning lets it add enum values) read as "stop": the turn
 * did end, and no other OpenAI reason claims more than that.
 */
export function toFinishReason(stopReason: string | null | undefined): ChatFinishReason | undefined {
  switch (stopReason) {
    case null:
    case undefined:
      return undefined;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn, and anything new.
      return 'stop';
  }
}

const count = (value: number | null | undefined): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * Anthropic's `input_tokens` excludes cache reads and writes; the total input is the sum of the
 * three, which is what OpenAI's `prompt_tokens` (cached tokens included) means.
 */
export function toNormalizedUsage(usage: AnthropicUsage | undefined): NormalizedUsage {
  const input = count(usage?.input_tokens);
  const cacheWrite = count(usage?.cache_creation_input_tokens);
  const cacheRead = count(usage?.cache_read_input_tokens);
  return {
    inputTokens: input === undefined ? undefined : input + (cacheWrite ?? 0) + (cacheRead ?? 0),
    outputTokens: count(usage?.output_tokens),
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
}

export const toCompletionId = (messageId: string): string => `chatcmpl-${messageId}`;

export function fromAnthropicResponse(body: unknown, ctx: Pick<CallContext, 'createdAt'>): ChatResult {
  if (!isAnthropicMessage(body)) {
    throw new AppError('provider_error', { message: `${PROVIDER}: the response is not a Messages API message.` });
  }
  const textBlocks = body.content.filter((block) => block.type === 'text');
  const toolCalls = body.content.filter((block) => block.type === 'tool_use').map(toToolCall);
  const usage = toNormalizedUsage(body.usage);
  const chatUsage = toChatUsage(usage);
  const finishReason = toFinishReason(body.stop_reason);
  const completion: ChatCompletion = {
    id: toCompletionId(body.id),
    object: 'chat.completion',
    created: ctx.createdAt,
    model: body.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: textBlocks.length > 0 ? textBlocks.map((block) => block.text ?? '').join('') : null,
          refusal: null,
          ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
        },
        finish_reason: finishReason ?? null,
        logprobs: null,
      },
    ],
    ...(chatUsage !== undefined && { usage: chatUsage }),
  };
  return { body: completion, usage, finishReason };
}

function toToolCall(block: AnthropicResponseBlock): ChatToolCall {
  return {
    id: block.id ?? '',
    type: 'function',
    function: { name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) },
  };
}

function isAnthropicMessage(body: unknown): body is AnthropicMessageResponse {
  if (!isRecord(body)) return false;
  return (
    body.type === 'message' &&
    typeof body.id === 'string' &&
    typeof body.model === 'string' &&
    Array.isArray(body.content) &&
    body.content.every((block) => isRecord(block) && typeof block.type === 'string')
  );
}

/**
 * One translator per upstream stream. Anthropic's event flow is message_start, then per content
 * block a start, deltas and a stop, then message_delta (stop reason, cumulative usage) and
 * message_stop; `ping` and, per Anthropic's versioning policy, unknown events may appear anywhere.
 */
export function createAnthropicStreamTranslator(
  ctx: Pick<CallContext, 'createdAt' | 'includeUsage' | 'model' | 'requestId' | 'apiKey'>,
): StreamTranslator {
  const envelope: ChunkEnvelope = { id: toCompletionId(ctx.requestId), createdAt: ctx.createdAt, model: ctx.model, includeUsage: ctx.includeUsage };
  let hasStarted = false;
  let hasStopped = false;
  let hasSentFinish = false;
  let usage: AnthropicUsage = {};
  let finishReason: ChatFinishReason | undefined;
  /** Anthropic numbers all content blocks; OpenAI numbers tool calls only. */
  const toolCalls = createToolCallNumbering();

  const chunk = (delta: ChunkDelta, finish: ChatFinishReason | null = null): string => chunkJson(envelope, 0, delta, finish);

  /** The role chunk opens every OpenAI stream; emitted once, even if message_start went missing. */
  const start = (): string[] => {
    if (hasStarted) return [];
    hasStarted = true;
    return [chunk({ role: 'assistant', content: '' })];
  };

  const usageChunk = (): string[] => usageChunkJson(envelope, toChatUsage(toNormalizedUsage(usage)));

  const onMessageStart = (data: Record<string, unknown>): string[] => {
    const message = isRecord(data.message) ? data.message : {};
    if (typeof message.id === 'string') envelope.id = toCompletionId(message.id);
    if (typeof message.model === 'string') envelope.model = message.model;
    if (isRecord(message.usage)) usage = mergeUsage(usage, message.usage);
    return start();
  };

  const onBlockStart = (data: Record<string, unknown>): string[] => {
    const block = isRecord(data.content_block) ? data.content_block : {};
    const blockIndex = typeof data.index === 'number' ? data.index : -1;
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
      return [...start(), chunk({ content: block.text })];
    }
    if (block.type !== 'tool_use') return [];
    return [...start(), chunk(toolCalls.open(blockIndex, block.id, block.name))];
  };

  const onBlockDelta = (data: Record<string, unknown>): string[] => {
    const delta = isRecord(data.delta) ? data.delta : {};
    if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') {
      return [...start(), chunk({ content: delta.text })];
    }
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string' && delta.partial_json !== '') {
      const argumentsDelta = toolCalls.append(typeof data.index === 'number' ? data.index : undefined, delta.partial_json);
      return argumentsDelta === undefined ? [] : [...start(), chunk(argumentsDelta)];
    }
    // thinking_delta, signature_delta, citations_delta: nothing in Chat Completions carries them.
    return [];
  };

  const onMessageDelta = (data: Record<string, unknown>): string[] => {
    if (isRecord(data.usage)) usage = mergeUsage(usage, data.usage);
    const delta = isRecord(data.delta) ? data.delta : {};
    const reason = toFinishReason(typeof delta.stop_reason === 'string' ? delta.stop_reason : undefined);
    if (reason === undefined) return [];
    finishReason = reason;
    if (hasSentFinish) return [];
    hasSentFinish = true;
    return [...start(), chunk({}, reason)];
  };

  return {
    onEvent(event: SseEvent): string[] {
      if (hasStopped) return [];
      const data = parseEventData(event, PROVIDER);
      const type = typeof data.type === 'string' ? data.type : event.event;
      switch (type) {
        case 'message_start':
          return onMessageStart(data);
        case 'content_block_start':
          return onBlockStart(data);
        case 'content_block_delta':
          return onBlockDelta(data);
        case 'message_delta':
          return onMessageDelta(data);
        case 'message_stop':
          hasStopped = true;
          return usageChunk();
        case 'error':
          throw mapAnthropicStreamError(data, ctx);
        default:
          // content_block_stop, ping, and event types added after this was written.
          return [];
      }
    },
    onEnd(): string[] {
      if (!hasStopped) {
        throw new AppError('provider_stream_interrupted', {
          message: `${PROVIDER}: the stream ended before message_stop.`,
        });
      }
      return [];
    },
    usage: () => toNormalizedUsage(usage),
    finishReason: () => finishReason,
  };
}

/**
 * message_start carries the input counts and message_delta the cumulative totals; a counter that
 * is present replaces the earlier value and is never added to it (as the official SDK does).
 */
function mergeUsage(current: AnthropicUsage, update: Record<string, unknown>): AnthropicUsage {
  const next = { ...current };
  for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    const value = update[key];
    if (typeof value === 'number') next[key] = value;
  }
  return next;
}
