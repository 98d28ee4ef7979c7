/**
 * Service `local`: a local OpenAI-compatible server (Ollama, llama.cpp's server, vLLM) or the
 * in-process GGUF server, both speaking OpenAI's chat-completions wire format (checked against
 * OpenAI's API reference; Ollama's docs/openai.md and llama.cpp's tools/server README describe the
 * same `/v1/chat/completions` shapes, SSE chunks and `[DONE]`). So this is the OpenAI adapter, plus
 * labelling: every answer's `model` is `local/<model>`, whatever the server calls it, so a local
 * answer is never passed off as another model's.
 */
import { AppError } from '../../../platform/errors.js';
import type { ChatAdapter, CallContext, StreamTranslator, UpstreamErrorResponse } from '../provider.js';
import { fromOpenAIResponse, OpenAIStreamTranslator } from '../openai/from-openai-response.js';
import { mapOpenAIError } from '../openai/map-openai-error.js';
import { toOpenAIRequest } from '../openai/to-openai-request.js';

export const localModelId = (ctx: Pick<CallContext, 'model'>) => `local/${ctx.model}`;

/** Rewrites the `model` of one chunk payload; anything that is not a JSON object passes unchanged. */
function relabel(payload: string, model: string): string {
  if (!payload.includes('"model"')) return payload;
  try {
    const chunk = JSON.parse(payload) as Record<string, unknown>;
    if (typeof chunk !== 'object' || chunk === null || !('model' in chunk)) return payload;
    chunk.model = model;
    return JSON.stringify(chunk);
  } catch {
    return payload;
  }
}

class LocalStreamTranslator implements StreamTranslator {
  private readonly inner: OpenAIStreamTranslator;
  private readonly model: string;
  constructor(ctx: CallContext) {
    this.inner = new OpenAIStreamTranslator(ctx);
    this.model = localModelId(ctx);
  }
  onEvent(event: Parameters<StreamTranslator['onEvent']>[0]): string[] {
    return this.inner.onEvent(event).map((payload) => relabel(payload, this.model));
  }
  onEnd(): string[] {
    return this.inner.onEnd().map((payload) => relabel(payload, this.model));
  }
  usage() {
    return this.inner.usage();
  }
  finishReason() {
    return this.inner.finishReason();
  }
}

function errorFields(body: string): { message?: string; code?: string; param?: string } {
  try {
    const error = (JSON.parse(body) as { error?: Record<string, unknown> }).error ?? {};
    return {
      ...(typeof error.message === 'string' ? { message: error.message.slice(0, 500) } : {}),
      ...(typeof error.code === 'string' ? { code: error.code } : {}),
      ...(typeof error.param === 'string' ? { param: error.param } : {}),
    };
  } catch {
    return {};
  }
}

export function mapLocalError(response: UpstreamErrorResponse, ctx: CallContext): AppError {
  const { message, code, param } = errorFields(response.body);
  if (response.status === 400 && code === 'unsupported_parameter') {
    return new AppError('unsupported_parameter', { ...(param ? { param } : {}), message: message ?? 'The local model does not support a parameter of this request.' });
  }
  if (response.status === 401 || response.status === 403) {
    return new AppError('local_unavailable', { message: 'The local LLM server refused Switchboard: check SWITCHBOARD_LOCAL_LLM_API_KEY.' });
  }
  if (response.status === 503) {
    return new AppError('provider_overloaded', { message: `The local model is busy${message ? `: ${message}` : ''}`, retryAfterSeconds: 1 });
  }
  return mapOpenAIError(response, ctx);
}

export const localAdapter: ChatAdapter = {
  service: 'local',
  buildChatRequest: toOpenAIRequest,
  parseChatResponse(body, ctx) {
    const result = fromOpenAIResponse(body, ctx);
    return { ...result, body: { ...result.body, model: localModelId(ctx) } };
  },
  createStreamTranslator: (_request, ctx) => new LocalStreamTranslator(ctx),
  mapError: mapLocalError,
};
