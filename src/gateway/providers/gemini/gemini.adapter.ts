/**
 * The Google Gemini API adapters (chat and embeddings): clients speak OpenAI, Gemini is called at
 * `{baseUrl}/v1beta/models/{model}:generateContent` / `:streamGenerateContent?alt=sse` /
 * `:batchEmbedContents` with the `x-goog-api-key` header. Each direction lives in its own file;
 * this one only joins them to the provider contracts.
 */
import type { ChatAdapter, EmbeddingsAdapter } from '../provider.js';
import { createGeminiStreamTranslator, fromGeminiResponse } from './from-gemini-response.js';
import { fromGeminiEmbeddingsResponse, toGeminiEmbeddingsRequest } from './gemini-embeddings.js';
import { mapGeminiError } from './map-gemini-error.js';
import { toGeminiRequest } from './to-gemini-request.js';

export const geminiAdapter: ChatAdapter = {
  service: 'gemini',
  buildChatRequest: toGeminiRequest,
  parseChatResponse: fromGeminiResponse,
  createStreamTranslator: (_request, ctx) => createGeminiStreamTranslator(ctx),
  mapError: mapGeminiError,
};

export const geminiEmbeddingsAdapter: EmbeddingsAdapter = {
  service: 'gemini',
  buildEmbeddingsRequest: toGeminiEmbeddingsRequest,
  parseEmbeddingsResponse: fromGeminiEmbeddingsResponse,
  mapError: mapGeminiError,
};
