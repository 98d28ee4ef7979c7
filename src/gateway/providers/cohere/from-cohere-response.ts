/**
 * Cohere v2 Chat responses → OpenAI `chat.completion`, and the v2 SSE stream → OpenAI
 * `chat.completion.chunk` payloads.
 *
 * Checked against Cohere's API reference (docs.cohere.com/v2/reference/chat and chat-stream), the
 * "Streaming" and "Streaming for tool use" guides, and the cohere-ai SDK types (`V2ChatResponse`,
 * `AssistantMessageResponse`, `ChatFinishReason`, `Usage`, `StreamedChatResponseV2`). On the wire
 * each event is `event: <type>` plus `data: {"type": <type>, ...}`; the SDK also stops at a
 * `data: [DONE]` terminator, which is ignored here.
 *
 * Content: text parts are concatenated; `thinking` parts have no place in a Chat Completions
 * message and are left out. `tool_plan` (what the model says before calling tools) becomes the
 * message content when there is no text, and a request's assistant text next to tool calls is sent
 * back as `tool_plan`, so a tool round trip keeps it. Usage: `billed_units` (what Cohere charges,
 * per its pricing docs) wins over `tokens` (which include tokens Cohere adds itself).
 */
import { AppError } from '../../../platform/errors.js';
import type { ChatCompletion, ChatFinishReason, ChatToolCall } from '../../chat-types.js';
import type { SseEvent } from '../../sse.js';
import type { CallContext, ChatResult, NormalizedUsage, StreamTranslator } from '../provider.js';
import { mapCohereStreamError } from './map-cohere-error.js';
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

const PROVIDER = 'cohere';

interface CohereUsageCounts {
  input_tokens?: number | null;
  output_tokens?: number | null;
}
export interface CohereUsage {
  billed_units?: CohereUsageCounts | null;
  tokens?: CohereUsageCounts | null;
}

interface CohereResponseContent {
  type: string;
  text?: string;
}

export interface CohereChatResponse {
  id: string;
  finish_reason?: string | null;
  message: {
    role: 'assistant';
    content?: CohereResponseContent[] | null;
    tool_plan?: string | null;
    tool_calls?: Array<{ id?: string; type?: string; function?: { name?: string; arguments?: string } }> | null;
  };
  usage?: CohereUsage | null;
}

/**
 * COMPLETE and STOP_SEQUENCE end the turn normally; ERROR is thrown before it gets here. Older
 * reasons (ERROR_TOXIC) and any added later read as their nearest OpenAI equivalent, else "stop".
 */
export function toFinishReason(reason: string | null | undefined): ChatFinishReason | undefined {
  switch (reason) {
    case null:
    case undefined:
      return undefined;
    case 'MAX_TOKENS':
    case 'ERROR_LIMIT':
      return 'length';
    case 'TOOL_CALL':
      return 'tool_calls';
    case 'ERROR_TOXIC':
      return 'content_filter';
    default:
      return 'stop';
  }
}

const count = (value: number | null | undefined): number | undefined => (typeof value === 'number' ? value : undefined);

export function toNormalizedUsage(usage: CohereUsage | null | undefined): NormalizedUsage {
  const billed = usage?.billed_units ?? undefined;
  const tokens = usage?.tokens ?? undefined;
  return {
    inputTokens: count(billed?.input_tokens) ?? count(tokens?.input_tokens),
    outputTokens: count(billed?.output_tokens) ?? count(tokens?.output_tokens),
  };
}

export const toCompletionId = (id: string): string => `chatcmpl-${id}`;

/** Removes undefined counters so "unknown" is absent, not a key holding undefined. */
function compact(usage: NormalizedUsage): NormalizedUsage {
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== undefined)) as NormalizedUsage;
}

export function fromCohereResponse(body: unknown, ctx: Pick<CallContext, 'createdAt' | 'model' | 'apiKey'>): ChatResult {
  if (!isCohereResponse(body)) {
    throw new AppError('provider_error', { message: `${PROVIDER}: the response is not a v2 Chat response.` });
  }
  if (body.finish_reason === 'ERROR') throw mapCohereStreamError(undefined, ctx);
  const message = body.message;
  const texts = (message.content ?? []).filter((part) => part.type === 'text').map((part) => part.text ?? '');
  const plan = typeof message.tool_plan === 'string' && message.tool_plan !== '' ? message.tool_plan : undefined;
  const content = texts.length > 0 ? texts.join('') : (plan ?? null);
  const toolCalls: ChatToolCall[] = (message.tool_calls ?? []).map((call) => ({
    id: call.id ?? '',
    type: 'function',
    function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '{}' },
  }));
  const usage = compact(toNormalizedUsage(body.usage));
  const chatUsage = toChatUsage(usage);
  const finishReason = toFinishReason(body.finish_reason);
  const completion: ChatCompletion = {
    id: toCompletionId(body.id),
    object: 'chat.completion',
    created: ctx.createdAt,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null, ...(toolCalls.length > 0 && { tool_calls: toolCalls }) },
        finish_reason: finishReason ?? null,
        logprobs: null,
      },
    ],
    ...(chatUsage !== undefined && { usage: chatUsage }),
  };
  return { body: completion, usage, finishReason };
}

function isCohereResponse(body: unknown): body is CohereChatResponse {
  if (!isRecord(body) || typeof body.id !== 'string' || !isRecord(body.message)) return false;
  const content = body.message.content;
  return content === undefined || content === null || (Array.isArray(content) && content.every((p) => isRecord(p) && typeof p.type === 'string'));
}

/**
 * One translator per upstream stream: message-start, then content-start/delta/end per content
 * block (text or thinking), or tool-plan-delta and tool-call-start/delta/end per call, then
 * citations, then message-end with the finish reason and usage. Unknown events are ignored.
 */
export function createCohereStreamTranslator(
  ctx: Pick<CallContext, 'createdAt' | 'includeUsage' | 'model' | 'requestId' | 'apiKey'>,
): StreamTranslator {
  const envelope: ChunkEnvelope = { id: toCompletionId(ctx.requestId), createdAt: ctx.createdAt, model: ctx.model, includeUsage: ctx.includeUsage };
  let hasStarted = false;
  let hasEnded = false;
  let usage: NormalizedUsage = {};
  let finishReason: ChatFinishReason | undefined;
  /** Content indexes that are thinking blocks, whose deltas are not part of the answer. */
  const thinkingIndexes = new Set<number>();
  /** Cohere numbers tool calls by its own index; OpenAI by order of appearance. */
  const toolCalls = createToolCallNumbering();

  const chunk = (delta: ChunkDelta, finish: ChatFinishReason | null = null): string => chunkJson(envelope, 0, delta, finish);

  const start = (): string[] => {
    if (hasStarted) return [];
    hasStarted = true;
    return [chunk({ role: 'assistant', content: '' })];
  };

  const text = (value: unknown): string[] => (typeof value === 'string' && value !== '' ? [...start(), chunk({ content: value })] : []);

  const onContentStart = (data: Record<string, unknown>): string[] => {
    const content = messageOf(data).content;
    const index = typeof data.index === 'number' ? data.index : -1;
    if (isRecord(content) && content.type === 'thinking') {
      thinkingIndexes.add(index);
      return start();
    }
    return [...start(), ...text(isRecord(content) ? content.text : undefined)];
  };

  const onContentDelta = (data: Record<string, unknown>): string[] => {
    if (typeof data.index === 'number' && thinkingIndexes.has(data.index)) return [];
    const content = messageOf(data).content;
    return text(isRecord(content) ? content.text : undefined);
  };

  const onToolCallStart = (data: Record<string, unknown>): string[] => {
    const call = messageOf(data).tool_calls;
    if (!isRecord(call)) return [];
    const fn = isRecord(call.function) ? call.function : {};
    const args = typeof fn.arguments === 'string' ? fn.arguments : '';
    const upstreamIndex = typeof data.index === 'number' ? data.index : toolCalls.count();
    return [...start(), chunk(toolCalls.open(upstreamIndex, call.id, fn.name, args))];
  };

  const onToolCallDelta = (data: Record<string, unknown>): string[] => {
    const call = messageOf(data).tool_calls;
    const fn = isRecord(call) && isRecord(call.function) ? call.function : {};
    if (typeof fn.arguments !== 'string' || fn.arguments === '') return [];
    const upstreamIndex = typeof data.index === 'number' ? data.index : toolCalls.count() - 1;
    const argumentsDelta = toolCalls.append(upstreamIndex, fn.arguments);
    return argumentsDelta === undefined ? [] : [...start(), chunk(argumentsDelta)];
  };

  const onMessageEnd = (data: Record<string, unknown>): string[] => {
    hasEnded = true;
    const delta = isRecord(data.delta) ? data.delta : {};
    if (isRecord(delta.usage)) usage = compact(toNormalizedUsage(delta.usage as CohereUsage));
    const reason = typeof delta.finish_reason === 'string' ? delta.finish_reason : undefined;
    if (reason === 'ERROR') throw mapCohereStreamError(typeof delta.error === 'string' ? delta.error : undefined, ctx);
    finishReason = toFinishReason(reason);
    const out = [...start(), chunk({}, finishReason ?? 'stop')];
    finishReason ??= 'stop';
    out.push(...usageChunkJson(envelope, toChatUsage(usage)));
    return out;
  };

  return {
    onEvent(event: SseEvent): string[] {
      if (hasEnded || event.data.trim() === '[DONE]') return [];
      const data = parseEventData(event, PROVIDER);
      const type = typeof data.type === 'string' ? data.type : event.event;
      switch (type) {
        case 'message-start':
          if (typeof data.id === 'string' && data.id !== '') envelope.id = toCompletionId(data.id);
          return start();
        case 'content-start':
          return onContentStart(data);
        case 'content-delta':
          return onContentDelta(data);
        case 'tool-plan-delta':
          return text(messageOf(data).tool_plan);
        case 'tool-call-start':
          return onToolCallStart(data);
        case 'tool-call-delta':
          return onToolCallDelta(data);
        case 'message-end':
          return onMessageEnd(data);
        default:
          // content-end, tool-call-end, citation-start/end, debug, and events added later.
          return [];
      }
    },
    onEnd(): string[] {
      if (!hasEnded) {
        throw new AppError('provider_stream_interrupted', { message: `${PROVIDER}: the stream ended before message-end.` });
      }
      return [];
    },
    usage: () => usage,
    finishReason: () => finishReason,
  };
}

function messageOf(data: Record<string, unknown>): Record<string, unknown> {
  const delta = isRecord(data.delta) ? data.delta : {};
  return isRecord(delta.message) ? delta.message : {};
}
