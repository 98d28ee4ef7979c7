import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { createChatCompletionsHandler } from './chat-completions.js';
import { createEmbeddingsHandler } from './embeddings.js';
import type { GatewayDeps } from './gateway-call.js';
import { createMessagesHandler } from './messages/messages.handler.js';
import { createImagesHandler, type ImageLimits } from './images.js';
import { createModelsHandler, type ModelLister } from './models.js';
import type { ProviderRegistry } from './providers/registry.js';
import { videoRoutes, type VideoRoutesDeps } from './videos.js';

export interface GatewayRoutesDeps extends GatewayDeps {
  providers: ProviderRegistry;
  images?: ImageLimits;
  /** GET /v1/models. */
  models?: ModelLister;
  /** Video jobs (store, queue, webhook policy); absent: /v1/videos is not served. */
  videos?: Pick<VideoRoutesDeps, 'store' | 'queue' | 'allowPrivateUpstreams' | 'webhooks' | 'onEnqueueFailed'>;
}

/** The AI API under /v1 (OpenAI-compatible, and Anthropic-compatible at /v1/messages). */
export function gatewayRoutes(deps: GatewayRoutesDeps, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = new Hono<AppEnv>();
  router.use('*', requireAuth);
  router.post('/chat/completions', createChatCompletionsHandler({ ...deps, adapters: deps.providers.chat }));
  router.post('/embeddings', createEmbeddingsHandler({ ...deps, adapters: deps.providers.embeddings }));
  router.post('/messages', createMessagesHandler({ ...deps, adapters: deps.providers.chat }));
  router.post('/images/generations', createImagesHandler({ ...deps, adapters: deps.providers.images }));
  if (deps.models) router.get('/models', createModelsHandler(deps.models));
  if (deps.videos) router.route('/', videoRoutes({ ...deps, ...deps.videos, adapters: deps.providers.video }));
  return router;
}
