import { AppError } from '../../../platform/errors.js';
import type { ChatCompletion, ChatFinishReason, ChatUsage } from '../../chat-types.js';
import type { SseEvent } from '../../sse.js';
import type { CallContext, ChatResult, NormalizedUsage, StreamTranslator } from '../provider.js';
import { mapOpenAIErrorBody } from './map-openai-error.js';

export function usageFromOpenAI(usage: Partial<ChatUsage> | null | undefined): NormalizedUsage {
  if (!usage) return {};
  const normalized: NormalizedUsage = {};
  if (typeof usage.prompt_tokens === 'number') normalized.inputTokens = usage.prompt_tokens;
  if (typeof usage.completion_tokens === 'number') normalized.outputTokens = usage.completion_tokens;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') normalized.cachedInputTokens = cached;
  return normalized;
}

export function fromOpenAIResponse(body: unknown, _ctx: CallContext): ChatResult {
  const completion = body as ChatCompletion;
  if (typeof completion !== 'object' || completion === null || !Array.isArray(completion.choices)) {
    throw new AppError('provider_error', { message: 'The provider returned a response that is not a chat completion.' });
  }
  return {
    body: completion,
    usage: usageFromOpenAI(completion.usage),
    finishReason: completion.choices[0]?.finish_reason ?? undefined,
  };
}

/**
 * Passes OpenAI's chunks through byte for byte. Chunks are parsed only when a cheap substring test
 * says they carry something metering needs (a usage object, a finish reason, an error), which
 * keeps the per-chunk cost near zero on the hot path.
 */
const ERROR_OBJECT = /^\s*\{\s*"error"\s*:/;
const USAGE_OBJECT = /"usage"\s*:\s*\{/;
const FINISH_REASON = /"finish_reason"\s*:\s*"/;

export class OpenAIStreamTranslator implements StreamTranslator {
  private done = false;
  private lastUsage: NormalizedUsage = {};
  private lastFinishReason: ChatFinishReason | undefined;

  constructor(private readonly ctx: CallContext) {}

  onEvent(event: SseEvent): string[] {
    const data = event.data;
    if (data === '[DONE]') {
      this.done = true;
      return [];
    }
    if (event.event === 'error' || ERROR_OBJECT.test(data)) {
      throw mapOpenAIErrorBody(data, undefined, this.ctx);
    }
    // Compatible servers do not all emit compact JSON, hence the optional whitespace.
    const hasUsage = USAGE_OBJECT.test(data);
    const hasFinish = FINISH_REASON.test(data);
    if (!hasUsage && !hasFinish) return [data];
    let chunk: { choices?: Array<{ finish_reason?: ChatFinishReason | null }>; usage?: ChatUsage | null };
    try {
      chunk = JSON.parse(data);
    } catch {
      return [data];
    }
    const reason = chunk.choices?.find((choice) => choice.finish_reason)?.finish_reason;
    if (reason) this.lastFinishReason = reason;
    if (chunk.usage) {
      this.lastUsage = usageFromOpenAI(chunk.usage);
      // The usage-only chunk exists because we asked for it; hide it unless the client did too.
      if (!this.ctx.includeUsage && (chunk.choices?.length ?? 0) === 0) return [];
    }
    return [data];
  }

  onEnd(): string[] {
    if (!this.done) throw new AppError('provider_stream_interrupted');
    return [];
  }

  usage(): NormalizedUsage {
    return this.lastUsage;
  }

  finishReason(): ChatFinishReason | undefined {
    return this.lastFinishReason;
  }
}
