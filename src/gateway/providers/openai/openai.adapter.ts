import type { ChatAdapter } from '../provider.js';
import { fromOpenAIResponse, OpenAIStreamTranslator } from './from-openai-response.js';
import { mapOpenAIError } from './map-openai-error.js';
import { toOpenAIRequest } from './to-openai-request.js';

export const openaiAdapter: ChatAdapter = {
  service: 'openai',
  buildChatRequest: toOpenAIRequest,
  parseChatResponse: fromOpenAIResponse,
  createStreamTranslator: (_request, ctx) => new OpenAIStreamTranslator(ctx),
  mapError: mapOpenAIError,
};
