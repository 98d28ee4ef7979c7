import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { createChatCompletionsHandler, type ChatCompletionsDeps } from './chat-completions.js';

/** The AI API under /v1 (OpenAI-compatible). */
export function gatewayRoutes(deps: ChatCompletionsDeps, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = new Hono<AppEnv>();
  router.use('*', requireAuth);
  router.post('/chat/completions', createChatCompletionsHandler(deps));
  return router;
}
