/**
 * The Anthropic Messages adapter: clients speak OpenAI Chat Completions, Anthropic is called with
 * `POST {baseUrl}/v1/messages` and `anthropic-version: 2023-06-01`. Each direction lives in its own
 * file; this one only joins them to the provider contract.
 */
import type { ChatAdapter } from '../provider.js';
import { createAnthropicStreamTranslator, fromAnthropicResponse } from './from-anthropic-response.js';
import { mapAnthropicError } from './map-anthropic-error.js';
import { toAnthropicRequest } from './to-anthropic-request.js';

export const anthropicAdapter: ChatAdapter = {
  service: 'anthropic',
  buildChatRequest: toAnthropicRequest,
  parseChatResponse: fromAnthropicResponse,
  // The translator needs nothing from the request: everything it emits comes from the stream.
  createStreamTranslator: (_request, ctx) => createAnthropicStreamTranslator(ctx),
  mapError: mapAnthropicError,
};
