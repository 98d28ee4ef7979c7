/**
 * The Cohere adapters: clients speak OpenAI Chat Completions and Embeddings; Cohere is called with
 * `POST {baseUrl}/v2/chat` and `POST {baseUrl}/v2/embed`, `Authorization: Bearer <key>`. Each
 * direction lives in its own file; this one only joins them to the provider contracts.
 */
import type { ChatAdapter, EmbeddingsAdapter } from '../provider.js';
import { fromCohereEmbedResponse, toCohereEmbedRequest } from './cohere-embeddings.js';
import { createCohereStreamTranslator, fromCohereResponse } from './from-cohere-response.js';
import { mapCohereError } from './map-cohere-error.js';
import { toCohereRequest } from './to-cohere-request.js';

export const cohereAdapter: ChatAdapter = {
  service: 'cohere',
  buildChatRequest: toCohereRequest,
  parseChatResponse: fromCohereResponse,
  // The translator needs nothing from the request: everything it emits comes from the stream.
  createStreamTranslator: (_request, ctx) => createCohereStreamTranslator(ctx),
  mapError: mapCohereError,
};

export const cohereEmbeddingsAdapter: EmbeddingsAdapter = {
  service: 'cohere',
  buildEmbeddingsRequest: toCohereEmbedRequest,
  parseEmbeddingsResponse: fromCohereEmbedResponse,
  mapError: mapCohereError,
};
