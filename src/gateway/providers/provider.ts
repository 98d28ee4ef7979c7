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
  /** Images generated (image requests), priced per image. */
  images?: number;
  /** What the per-image price depends on, `<size>` or `<size>/<quality>` (e.g. `1024x1024/hd`). */
  imageVariant?: string;
  /** Seconds of video generated (video jobs), priced per second. */
  videoSeconds?: number;
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
  method: 'POST' | 'GET' | 'DELETE';
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
  /**
   * The provider's parsed JSON answer → our chat completion. Returning `body` itself says "pass it
   * through": the handler then sends the provider's bytes as they came, so an adapter that changes
   * anything must return a new object, never `body` modified in place.
   */
  parseChatResponse(body: unknown, ctx: CallContext): ChatResult;
  createStreamTranslator(request: ChatCompletionRequest, ctx: CallContext): StreamTranslator;
  mapError(response: UpstreamErrorResponse, ctx: CallContext): AppError;
}

// ── Embeddings ──────────────────────────────────────────────────────────────────────────────────

/** `POST /v1/embeddings` as OpenAI defines it (the fields a provider may receive). */
export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  /** Provider-specific hints some adapters honour (Cohere/Gemini `input_type`/`task_type`). */
  input_type?: string;
}

/** OpenAI's embeddings response; `embedding` is number[] or a base64 string of float32s. */
export interface EmbeddingsResponse {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  /** Absent when the provider did not report it (some OpenAI-compatible servers): never invented. */
  usage?: { prompt_tokens: number; total_tokens: number };
}

export interface EmbeddingsResult {
  body: EmbeddingsResponse;
  usage: NormalizedUsage;
}

export interface EmbeddingsAdapter {
  readonly service: ServiceId;
  buildEmbeddingsRequest(request: EmbeddingsRequest, ctx: CallContext): UpstreamRequest;
  parseEmbeddingsResponse(body: unknown, request: EmbeddingsRequest, ctx: CallContext): EmbeddingsResult;
  mapError(response: UpstreamErrorResponse, ctx: CallContext): AppError;
}

// ── Images ──────────────────────────────────────────────────────────────────────────────────────

/** `POST /v1/images/generations` as OpenAI defines it. */
export interface ImageGenerationRequest {
  model: string;
  prompt: string;
  n?: number;
  size?: string;
  quality?: string;
  style?: string;
  response_format?: 'url' | 'b64_json';
  output_format?: 'png' | 'jpeg' | 'webp';
  background?: string;
  moderation?: string;
  output_compression?: number;
  user?: string;
}

export interface ImageGenerationResponse {
  created: number;
  data: Array<{ url?: string; b64_json?: string; revised_prompt?: string }>;
  /** Set when the model that answered is not the one requested (a local fallback names itself). */
  model?: string;
  output_format?: string;
  size?: string;
  quality?: string;
  background?: string;
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
}

/**
 * Image APIs differ in shape: one call (OpenAI, Stability) or submit → poll → fetch (Midjourney-
 * style task APIs). An adapter is a small state machine the gateway drives: `start` gives the
 * first request; each `next` reads a response and says what to do — send another request (after a
 * delay, for polling) or finish with the result. The gateway owns all I/O, deadlines and errors.
 */
export type ImageStep =
  | {
      kind: 'request';
      request: UpstreamRequest;
      delayMs?: number;
      responseType?: 'json' | 'binary';
      /** The adapter's own progress (task id, images so far); handed back unchanged in the next input. */
      state?: unknown;
    }
  | { kind: 'done'; body: ImageGenerationResponse; usage: NormalizedUsage };

export interface ImageStepInput {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON for `json` steps, raw bytes (Uint8Array) for `binary` ones. */
  body: unknown;
  /** The `state` of the step that sent this request. */
  state?: unknown;
}

export interface ImagesAdapter {
  readonly service: ServiceId;
  startImageGeneration(request: ImageGenerationRequest, ctx: CallContext): ImageStep;
  nextImageStep(input: ImageStepInput, request: ImageGenerationRequest, ctx: CallContext): ImageStep;
  mapError(response: UpstreamErrorResponse, ctx: CallContext): AppError;
}

// ── Video jobs ──────────────────────────────────────────────────────────────────────────────────

/** `POST /v1/videos` as OpenAI's video API defines it. */
export interface VideoCreateRequest {
  model: string;
  prompt: string;
  seconds?: string | number;
  size?: string;
  /** A reference image as an https URL or data URL (`input_reference.image_url`); uploads are refused. */
  input_reference?: string;
}

/** Where a provider-side video task stands, as the worker sees it. */
export type VideoTaskState =
  | { status: 'queued' | 'in_progress'; progress?: number }
  | { status: 'completed'; videoUrl?: string; seconds: number; progress: 100 }
  | { status: 'failed'; error: { code: string; message: string } };

export interface VideoAdapter {
  readonly service: ServiceId;
  buildCreateRequest(request: VideoCreateRequest, ctx: CallContext): UpstreamRequest;
  /** The provider's task id from the create response. */
  parseCreateResponse(body: unknown, ctx: CallContext): { taskId: string };
  buildPollRequest(taskId: string, ctx: CallContext): UpstreamRequest;
  parsePollResponse(body: unknown, request: VideoCreateRequest, ctx: CallContext): VideoTaskState;
  /**
   * How to download a finished video: the provider's content endpoint (with the key) or the
   * output URL the poll returned (a pre-signed URL on another host: without the key).
   */
  buildContentRequest(taskId: string, videoUrl: string | undefined, ctx: CallContext): UpstreamRequest;
  mapError(response: UpstreamErrorResponse, ctx: CallContext): AppError;
}
