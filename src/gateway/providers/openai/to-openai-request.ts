import type { ChatCompletionRequest } from '../../chat-types.js';
import type { CallContext, UpstreamRequest } from '../provider.js';

/**
 * OpenAI is our client-facing format, so the request passes through: every parameter, including
 * ones this version of Switchboard does not know, reaches OpenAI unchanged. Two edits: the model
 * loses its `openai/` prefix, and streams always ask for the final usage chunk, which metering
 * needs (the translator hides it again when the client did not ask for it).
 */
export function toOpenAIRequest(request: ChatCompletionRequest, ctx: CallContext): UpstreamRequest {
  const body: ChatCompletionRequest = { ...request, model: ctx.model };
  if (request.stream === true) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/chat/completions`,
    headers: {
      authorization: `Bearer ${ctx.apiKey}`,
      'content-type': 'application/json',
      accept: request.stream === true ? 'text/event-stream' : 'application/json',
    },
    body: JSON.stringify(body),
  };
}
