/**
 * `openai_compatible`: any server speaking OpenAI's Chat Completions API under the integration's
 * `base_url` (Ollama `/v1`, vLLM, llama.cpp server, Groq, Mistral, DeepSeek, Together, …). The
 * request is OpenAI's, built by the OpenAI adapter (so streams ask for `stream_options.include_usage`:
 * Ollama, vLLM ≥ 0.4.3, llama.cpp, Groq, DeepSeek and Together accept it; a server that rejects it
 * answers 400/422, which reaches the client as that provider's `provider_bad_request` with its
 * message). Responses and errors go through the compatibility layer in from-compat-response.ts and
 * map-compat-error.ts. Wire formats checked: OpenAI's API reference and openai-node 6.49 types, the
 * Ollama OpenAI-compatibility doc, vLLM's OpenAI server protocol, llama.cpp server README and issues.
 */
import { toOpenAIRequest } from '../openai/to-openai-request.js';
import type { ChatAdapter } from '../provider.js';
import { CompatStreamTranslator, fromCompatResponse } from './from-compat-response.js';
import { mapCompatError } from './map-compat-error.js';

export const openaiCompatibleAdapter: ChatAdapter = {
  service: 'openai_compatible',
  buildChatRequest: toOpenAIRequest,
  parseChatResponse: fromCompatResponse,
  createStreamTranslator: (_request, ctx) => new CompatStreamTranslator(ctx),
  mapError: mapCompatError,
};
