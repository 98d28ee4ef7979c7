/**
 * Embeddings through an OpenAI-compatible server (`{base_url}/embeddings`: Ollama `/v1`, vLLM,
 * llama.cpp server, Mistral, Together, …). The request is OpenAI's without `encoding_format`: not
 * every server implements base64 (Ollama's compatibility doc lists only `model`, `input`,
 * `dimensions`), so we always get floats and the gateway encodes base64 itself when the client
 * asks (the openai SDK does by default). A missing `usage` stays unknown; a missing `object`,
 * `index` or `model` is filled in. Errors use the compatible-server mapping.
 */
import { buildOpenAIEmbeddingsRequest, parseOpenAIEmbeddings } from '../openai/openai.embeddings.js';
import type { EmbeddingsAdapter } from '../provider.js';
import { mapCompatError } from './map-compat-error.js';

export const openaiCompatibleEmbeddingsAdapter: EmbeddingsAdapter = {
  service: 'openai_compatible',
  buildEmbeddingsRequest: (request, ctx) => buildOpenAIEmbeddingsRequest(request, ctx, { forwardEncoding: false }),
  parseEmbeddingsResponse: (body, _request, ctx) => parseOpenAIEmbeddings(body, ctx, { lenient: true }),
  mapError: mapCompatError,
};
