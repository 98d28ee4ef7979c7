/**
 * Gemini `GenerateContentResponse` → OpenAI `chat.completion`, and the `streamGenerateContent?alt=sse`
 * stream (each `data:` event is one GenerateContentResponse chunk; the stream simply ends, there is
 * no terminator event) → OpenAI `chat.completion.chunk` payloads. Checked against the Gemini API
 * reference (GenerateContentResponse, Candidate, FinishReason, UsageMetadata, PromptFeedback) and
 * the @google/genai SDK (its SSE reader splits events on `\n\n`, `\r\r` or `\r\n\r\n`).
 *
 * Usage: Gemini's `promptTokenCount` already includes `cachedContentTokenCount`; output is
 * `candidatesTokenCount + thoughtsTokenCount` (thinking tokens are billed as output, and OpenAI's
 * `completion_tokens` likewise includes reasoning tokens, reported again in
 * `completion_tokens_details.reasoning_tokens`). `toolUsePromptTokenCount` (built-in tools) is
 * input. Gemini's JSON omits zero counters (proto3), so inside a usageMetadata object that has a
 * `promptTokenCount` a missing counter is 0; without usageMetadata the counts stay unknown.
 *
 * Parts marked `thought: true` (thought summaries) are left out. Function calls get ids
 * `call_<request id>_<n>`; when Gemini attaches a `thoughtSignature` to the call it travels in the
 * id (`…__thought__<signature>`) so the next request can return it, as Gemini requires.
 */
import { AppError } from '../../../platform/errors.js';
import type { ChatCompletion, ChatFinishReason, ChatToolCall, ChatUsage } from '../../chat-types.js';
import type { SseEvent } from '../../sse.js';
import type { CallContext, ChatResult, NormalizedUsage, StreamTranslator } from '../provider.js';
import { mapGeminiStreamError } from './map-gemini-error.js';
import { THOUGHT_SIGNATURE_SEPARATOR } from './to-gemini-request.js';
import { chunkJson, isRecord, parseEventData, usageChunkJson, type ChunkDelta, type ChunkEnvelope } from '../chat-stream-chunks.js';

const PROVIDER = 'gemini';

interface GeminiResponsePart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name?: string; args?: unknown; id?: string };
}

interface GeminiCandidate {
  content?: { parts?: GeminiResponsePart[]; role?: string };
  finishReason?: string;
  index?: number;
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

const CONTENT_FILTER_REASONS: ReadonlySet<string> = new Set([
  'SAFETY',
  'RECITATION',
  'LANGUAGE',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/**
 * STOP → stop (tool_calls when the candidate called functions), MAX_TOKENS → length, safety-style
 * blocks → content_filter. Anything else (OTHER, MALFORMED_FUNCTION_CALL, values added later)
 * reads as "stop": the turn did end, and no other OpenAI reason claims more than that.
 */
export function toFinishReason(reason: string | undefined, hasToolCalls: boolean): ChatFinishReason | undefined {
  if (reason === undefined || reason === '' || reason === 'FINISH_REASON_UNSPECIFIED') return undefined;
  if (reason === 'MAX_TOKENS') return 'length';
  if (CONTENT_FILTER_REASONS.has(reason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export function toNormalizedUsage(usage: GeminiUsageMetadata | undefined): NormalizedUsage {
  if (usage === undefined || num(usage.promptTokenCount) === undefined) return {};
  const prompt = num(usage.promptTokenCount) ?? 0;
  const toolUse = num(usage.toolUsePromptTokenCount) ?? 0;
  const cached = num(usage.cachedContentTokenCount);
  return {
    inputTokens: prompt + toolUse,
    outputTokens: (num(usage.candidatesTokenCount) ?? 0) + (num(usage.thoughtsTokenCount) ?? 0),
    ...(cached !== undefined && { cachedInputTokens: cached }),
  };
}

type GeminiChatUsage = ChatUsage & { completion_tokens_details?: { reasoning_tokens: number } };

export function toChatUsage(metadata: GeminiUsageMetadata | undefined): GeminiChatUsage | undefined {
  const { inputTokens, outputTokens, cachedInputTokens } = toNormalizedUsage(metadata);
  if (inputTokens === undefined || outputTokens === undefined) return undefined;
  const thoughts = num(metadata?.thoughtsTokenCount);
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    ...(cachedInputTokens !== undefined && { prompt_tokens_details: { cached_tokens: cachedInputTokens } }),
    ...(thoughts !== undefined && { completion_tokens_details: { reasoning_tokens: thoughts } }),
  };
}

export const toCompletionId = (id: string): string => `chatcmpl-${id}`;

function toolCallId(requestId: string, n: number, signature: string | undefined, geminiId: string | undefined): string {
  const base = geminiId !== undefined && geminiId !== '' ? geminiId : `call_${requestId}_${n}`;
  return signature === undefined || signature === '' ? base : `${base}${THOUGHT_SIGNATURE_SEPARATOR}${signature}`;
}

function toToolCall(part: GeminiResponsePart, requestId: string, n: number): ChatToolCall {
  const call = part.functionCall ?? {};
  return {
    id: toolCallId(requestId, n, part.thoughtSignature, call.id),
    type: 'function',
    function: { name: call.name ?? '', arguments: JSON.stringify(call.args ?? {}) },
  };
}

const visibleParts = (candidate: GeminiCandidate): GeminiResponsePart[] =>
  (candidate.content?.parts ?? []).filter((part) => isRecord(part) && part.thought !== true);

export function fromGeminiResponse(body: unknown, ctx: Pick<CallContext, 'createdAt' | 'requestId' | 'model'>): ChatResult {
  if (!isGeminiResponse(body)) {
    throw new AppError('provider_error', { message: `${PROVIDER}: the response is not a GenerateContentResponse.` });
  }
  const usage = toNormalizedUsage(body.usageMetadata);
  const chatUsage = toChatUsage(body.usageMetadata);
  let toolCallCount = 0;
  const candidates = body.candidates ?? [];
  const choices: ChatCompletion['choices'] = candidates.map((candidate, position) => {
    const parts = visibleParts(candidate);
    const texts = parts.filter((part) => typeof part.text === 'string' && part.functionCall === undefined);
    const toolCalls = parts.filter((part) => isRecord(part.functionCall)).map((part) => toToolCall(part, ctx.requestId, toolCallCount++));
    const finish = toFinishReason(candidate.finishReason, toolCalls.length > 0);
    return {
      index: candidate.index ?? position,
      message: {
        role: 'assistant',
        content: texts.length > 0 ? texts.map((part) => part.text).join('') : null,
        refusal: null,
        ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
      },
      finish_reason: finish ?? null,
      logprobs: null,
    };
  });
  // A blocked prompt has no candidates, only promptFeedback.blockReason.
  if (choices.length === 0) {
    const blocked = body.promptFeedback?.blockReason !== undefined;
    choices.push({
      index: 0,
      message: { role: 'assistant', content: null, refusal: null },
      finish_reason: blocked ? 'content_filter' : null,
      logprobs: null,
    });
  }
  const completion: ChatCompletion = {
    id: toCompletionId(body.responseId ?? ctx.requestId),
    object: 'chat.completion',
    created: ctx.createdAt,
    model: body.modelVersion ?? ctx.model,
    choices,
    ...(chatUsage !== undefined && { usage: chatUsage }),
  };
  return { body: completion, usage, finishReason: choices[0]?.finish_reason ?? undefined };
}

function isGeminiResponse(body: unknown): body is GeminiResponse {
  if (!isRecord(body)) return false;
  if (body.candidates !== undefined && !(Array.isArray(body.candidates) && body.candidates.every(isRecord))) return false;
  return body.candidates !== undefined || isRecord(body.promptFeedback) || isRecord(body.usageMetadata);
}

export function createGeminiStreamTranslator(
  ctx: Pick<CallContext, 'createdAt' | 'includeUsage' | 'model' | 'requestId' | 'apiKey'>,
): StreamTranslator {
  const envelope: ChunkEnvelope = { id: toCompletionId(ctx.requestId), createdAt: ctx.createdAt, model: ctx.model, includeUsage: ctx.includeUsage };
  let usageMetadata: GeminiUsageMetadata | undefined;
  let finishReason: ChatFinishReason | undefined;
  let toolCallCount = 0;
  let sawFinish = false;
  const started = new Set<number>();
  const finished = new Set<number>();
  const toolIndexByChoice = new Map<number, number>();

  const chunk = (choice: number, delta: ChunkDelta, finish: ChatFinishReason | null = null): string => chunkJson(envelope, choice, delta, finish);
  const start = (choice: number): string[] => {
    if (started.has(choice)) return [];
    started.add(choice);
    return [chunk(choice, { role: 'assistant', content: '' })];
  };

  const onCandidate = (candidate: GeminiCandidate, position: number): string[] => {
    const choice = typeof candidate.index === 'number' ? candidate.index : position;
    const out: string[] = [...start(choice)];
    for (const part of visibleParts(candidate)) {
      if (isRecord(part.functionCall)) {
        const index = toolIndexByChoice.get(choice) ?? 0;
        toolIndexByChoice.set(choice, index + 1);
        const call = toToolCall(part, ctx.requestId, toolCallCount++);
        out.push(chunk(choice, { tool_calls: [{ index, id: call.id, type: 'function', function: call.function }] }));
      } else if (typeof part.text === 'string' && part.text !== '') {
        out.push(chunk(choice, { content: part.text }));
      }
    }
    const reason = toFinishReason(candidate.finishReason, (toolIndexByChoice.get(choice) ?? 0) > 0);
    // A finishReason repeated on a trailing chunk (e.g. one that only updates usage) is sent once.
    if (reason !== undefined && !finished.has(choice)) {
      finished.add(choice);
      sawFinish = true;
      if (choice === 0 || finishReason === undefined) finishReason = reason;
      out.push(chunk(choice, {}, reason));
    }
    return out;
  };

  return {
    onEvent(event: SseEvent): string[] {
      const data = parseEventData(event, PROVIDER);
      if (isRecord(data.error)) throw mapGeminiStreamError(data, ctx);
      const response = data as GeminiResponse;
      if (typeof response.responseId === 'string' && started.size === 0) envelope.id = toCompletionId(response.responseId);
      if (typeof response.modelVersion === 'string') envelope.model = response.modelVersion;
      if (isRecord(response.usageMetadata)) usageMetadata = response.usageMetadata;
      const candidates = Array.isArray(response.candidates) ? response.candidates.filter(isRecord) : [];
      if (candidates.length === 0 && typeof response.promptFeedback?.blockReason === 'string') {
        sawFinish = true;
        finishReason = 'content_filter';
        return [...start(0), chunk(0, {}, 'content_filter')];
      }
      return candidates.flatMap((candidate, position) => onCandidate(candidate as GeminiCandidate, position));
    },
    onEnd(): string[] {
      if (!sawFinish) {
        throw new AppError('provider_stream_interrupted', { message: `${PROVIDER}: the stream ended before a finishReason.` });
      }
      return usageChunkJson(envelope, toChatUsage(usageMetadata));
    },
    usage: () => toNormalizedUsage(usageMetadata),
    finishReason: () => finishReason,
  };
}
