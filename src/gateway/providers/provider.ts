/**
 * The one provider contract. An adapter is pure translation: it turns an OpenAI-shaped request
 * into the provider's HTTP request, the provider's response or SSE stream back into OpenAI
 * shapes, and the provider's errors into attributed AppErrors. It receives the decrypted
 * credential, the base URL and the model per call; it never reads config, performs I/O,
 * retries, or logs. All I/O policy (timeouts, retries, breakers, fallback) lives in the gateway.
 */
import type { AppError } from '../../platform/errors.js';
import type { ChatCompletion, ChatCompletionRequest, ChatFinishReason } from '../chat-types.js';
import type { SseEvent } from '../sse.js';

export const serviceIds = [
  'openai',
  'anthropic',
  'cohere',
  'gemini',
  'stability',
  'midjourney',
  'runway',
  'openai_compatible',
  'local',
] as const;
export type ServiceId = (typeof serviceIds)[number];

/** Token counts as the provider reported them. `undefined` means unknown, never zero. */
export interface NormalizedUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** Input tokens served from the provider's prompt cache (already included in inputTokens). */
  cachedInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (already included in inputTokens). */
  cacheWriteTokens?: number;
}

export interface CallContext {
  /** The provider's own model id (no `service/` prefix). */
  model: string;
  /** The caller's decrypted provider key. Adapters put it in a header and nowhere else. */
  apiKey: string;
  /** Provider base URL, in the form the provider's official SDK takes it (no trailing slash). */
  baseUrl: string;
  requestId: string;
  /** Unix seconds of the request, for the `created` field of translated responses. */
  createdAt: number;
  /** The client asked for a final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
}

export interface UpstreamRequest {
  method: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ChatResult {
  body: ChatCompletion;
  usage: NormalizedUsage;
  finishReason: ChatFinishReason | undefined;
}

/**
 * Translates one upstream SSE stream into OpenAI `chat.completion.chunk` payloads. The gateway
 * writes each returned string as `data: <payload>\n\n` and writes `data: [DONE]` itself at the end,
 * so translators never emit `[DONE]`.
 */
export interface StreamTranslator {
  /** Consume one upstream event. Throws an AppError when the upstream sends an error event. */
  onEvent(event: SseEvent): string[];
  /** Upstream closed. Returns trailing payloads (e.g. the usage chunk); throws if it closed early. */
  onEnd(): string[];
  usage(): NormalizedUsage;
  finishReason(): ChatFinishReason | undefined;
}

export interface UpstreamErrorResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body text (may be empty or not JSON). May echo the key: never log it unscrubbed. */
  body: string;
}

export interface ChatAdapter {
  readonly service: ServiceId;
  /** Throws AppError(`unsupported_parameter`/`invalid_request`, source user) for requests it cannot express. */
  buildChatRequest(request: ChatCompletionRequest, ctx: CallContext): UpstreamRequest;
  parseChatResponse(body: unknown, ctx: CallContext): ChatResult;
  createStreamTranslator(request: ChatCompletionRequest, ctx: CallContext): StreamTranslator;
  mapError(response: UpstreamErrorResponse, ctx: CallContext): AppError;
}
