/**
 * OpenAI Chat Completions results → Anthropic Messages: the `message` object, and the stream
 * re-encoded as the event sequence @anthropic-ai/sdk 1.12 expects (its `Stream` and the
 * `MessageStream` accumulator, src/core/streaming.ts and src/lib/MessageStream.ts):
 *
 *   message_start → per block: content_block_start, content_block_delta…, content_block_stop
 *   (a `ping` after the first block start, as the API sends it) → message_delta → message_stop
 *
 * Counts: the Messages format needs numbers where OpenAI reports usage only at the end, so
 * message_start says 0 and message_delta carries the real input and output counts (the SDK's
 * accumulator takes both from message_delta). A count the provider never reported is sent as 0
 * to the client but metered as unknown. Anthropic's `input_tokens` excludes cache reads and writes,
 * which OpenAI's `prompt_tokens` includes; they are split accordingly.
 */
import { AppError, toAnthropicErrorBody } from '../../platform/errors.js';
import type { ChatCompletion, ChatCompletionChunk, ChatFinishReason } from '../chat-types.js';
import type { SseClientEncoder } from '../chat-completions.js';
import type { ChatResult, NormalizedUsage } from '../providers/provider.js';

export type MessagesStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

export interface MessagesResponseBlock {
  type: 'text' | 'tool_use';
  text?: string;
  id?: string;
  name?: string;
  input?: Record<string, unknown>;
}

export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
}

export interface MessagesResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: MessagesResponseBlock[];
  stop_reason: MessagesStopReason;
  stop_sequence: null;
  stop_details: null;
  usage: MessagesUsage;
}

/**
 * OpenAI reports "stop" both for a natural end and for a matched stop sequence, and strips the
 * sequence from the text, so `stop_sequence` cannot be recovered: both read as `end_turn`.
 */
export function toStopReason(finishReason: ChatFinishReason | null | undefined): MessagesStopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

export function toMessagesUsage(usage: NormalizedUsage): MessagesUsage {
  const cacheRead = usage.cachedInputTokens;
  const cacheWrite = usage.cacheWriteTokens;
  const input = usage.inputTokens === undefined ? 0 : Math.max(0, usage.inputTokens - (cacheRead ?? 0) - (cacheWrite ?? 0));
  return {
    input_tokens: input,
    output_tokens: usage.outputTokens ?? 0,
    cache_creation_input_tokens: cacheWrite ?? null,
    cache_read_input_tokens: cacheRead ?? null,
  };
}

/** `msg_` ids as Anthropic's clients expect; the provider's own id stays visible for support. */
export function toMessageId(upstreamId: string | undefined, requestId: string): string {
  const id = (upstreamId ?? '').replace(/[^A-Za-z0-9_-]/g, '');
  return `msg_${id !== '' ? id : requestId.replace(/[^A-Za-z0-9_-]/g, '')}`;
}

/** Anthropic tool input is an object; OpenAI arguments are a JSON string, `""` meaning none. */
function toolInput(args: string | undefined): Record<string, unknown> {
  if (args === undefined || args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppError('provider_error', { message: 'The provider returned tool call arguments that are not a JSON object.' });
  }
  return parsed as Record<string, unknown>;
}

export function toMessagesResponse(result: ChatResult, requestId: string, fallbackModel: string): MessagesResponse {
  const completion: ChatCompletion = result.body;
  const choice = completion.choices[0];
  const content: MessagesResponseBlock[] = [];
  const message = choice?.message;
  const text = typeof message?.content === 'string' ? message.content : '';
  if (text !== '') content.push({ type: 'text', text });
  if (typeof message?.refusal === 'string' && message.refusal !== '') content.push({ type: 'text', text: message.refusal });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return {
    id: toMessageId(completion.id, requestId),
    type: 'message',
    role: 'assistant',
    model: typeof completion.model === 'string' && completion.model !== '' ? completion.model : fallbackModel,
    content,
    stop_reason: toStopReason(result.finishReason ?? choice?.finish_reason),
    stop_sequence: null,
    stop_details: null,
    usage: toMessagesUsage(result.usage),
  };
}

const event = (type: string, payload: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

/** The event that ends a stream failing midway, as Anthropic sends it (the SDK raises it as APIError). */
export function anthropicErrorEvent(error: AppError, requestId: string): string {
  return `event: error\ndata: ${JSON.stringify(toAnthropicErrorBody(error, requestId))}\n\n`;
}

type OpenBlock = { kind: 'text'; index: number } | { kind: 'tool'; index: number; toolIndex: number };

/**
 * One encoder per stream: chat chunk payloads in (from any adapter's stream translator), Anthropic
 * events out. Blocks are opened and closed in order, as the API does: text, then each tool call.
 */
export function createMessagesStreamEncoder(options: { requestId: string; model: string }): SseClientEncoder {
  let started = false;
  let pinged = false;
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  /** Anthropic block index per OpenAI tool-call index, for argument pieces of an earlier call. */
  const toolBlocks = new Map<number, number>();

  const start = (chunk: Partial<ChatCompletionChunk> | undefined): string => {
    if (started) return '';
    started = true;
    const model = typeof chunk?.model === 'string' && chunk.model !== '' ? chunk.model : options.model;
    const message = {
      id: toMessageId(chunk?.id, options.requestId),
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: null, cache_read_input_tokens: null },
    };
    return event('message_start', { message });
  };

  const close = (): string => {
    if (open === undefined) return '';
    const text = event('content_block_stop', { index: open.index });
    open = undefined;
    return text;
  };

  const openBlock = (block: OpenBlock, contentBlock: Record<string, unknown>): string => {
    let text = close() + event('content_block_start', { index: block.index, content_block: contentBlock });
    open = block;
    if (!pinged) {
      pinged = true;
      text += event('ping', {});
    }
    return text;
  };

  const onText = (delta: string): string => {
    let text = '';
    if (open?.kind !== 'text') text += openBlock({ kind: 'text', index: nextIndex++ }, { type: 'text', text: '' });
    return text + event('content_block_delta', { index: open!.index, delta: { type: 'text_delta', text: delta } });
  };

  type ToolDelta = NonNullable<ChatCompletionChunk['choices'][number]['delta']['tool_calls']>[number];
  const onToolCall = (call: ToolDelta): string => {
    let text = '';
    let index = toolBlocks.get(call.index);
    if (index === undefined) {
      index = nextIndex++;
      toolBlocks.set(call.index, index);
      const contentBlock = { type: 'tool_use', id: call.id ?? '', name: call.function?.name ?? '', input: {} };
      text += openBlock({ kind: 'tool', index, toolIndex: call.index }, contentBlock);
    }
    const args = call.function?.arguments;
    if (typeof args === 'string' && args !== '') {
      text += event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: args } });
    }
    return text;
  };

  const onPayload = (payload: string): string => {
    let chunk: ChatCompletionChunk;
    try {
      chunk = JSON.parse(payload) as ChatCompletionChunk;
    } catch {
      throw new AppError('provider_error', { message: 'The provider sent a stream chunk that is not JSON.' });
    }
    let text = start(chunk);
    const delta = chunk.choices?.[0]?.delta;
    if (delta === undefined) return text;
    if (typeof delta.content === 'string' && delta.content !== '') text += onText(delta.content);
    if (typeof delta.refusal === 'string' && delta.refusal !== '') text += onText(delta.refusal);
    for (const call of delta.tool_calls ?? []) text += onToolCall(call);
    return text;
  };

  return {
    encode(payloads) {
      let text = '';
      for (const payload of payloads) text += onPayload(payload);
      return text;
    },
    end(payloads, summary) {
      let text = '';
      for (const payload of payloads) text += onPayload(payload);
      text += start(undefined) + close();
      const usage = toMessagesUsage(summary.usage);
      const known = summary.usage;
      text += event('message_delta', {
        delta: { stop_reason: toStopReason(summary.finishReason), stop_sequence: null, stop_details: null },
        usage: {
          output_tokens: usage.output_tokens,
          ...(known.inputTokens !== undefined && { input_tokens: usage.input_tokens }),
          ...(known.cachedInputTokens !== undefined && { cache_read_input_tokens: known.cachedInputTokens }),
          ...(known.cacheWriteTokens !== undefined && { cache_creation_input_tokens: known.cacheWriteTokens }),
        },
      });
      return text + event('message_stop', {});
    },
    error: anthropicErrorEvent,
  };
}
