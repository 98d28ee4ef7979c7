import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { createChatCompletionsHandler } from './chat-completions.js';
import type { GatewayDeps } from './gateway-call.js';
import type { ProviderRegistry } from './providers/registry.js';
import { videoRoutes, type VideoRoutesDeps } from './videos.js';

export interface GatewayRoutesDeps extends GatewayDeps {
  providers: ProviderRegistry;
  /** Video jobs (store, queue, webhook policy); absent: /v1/videos is not served. */
  videos?: Pick<VideoRoutesDeps, 'store' | 'queue' | 'allowPrivateUpstreams' | 'webhooks' | 'onEnqueueFailed'>;
}

/** The AI API under /v1 (OpenAI-compatible, and Anthropic-compatible at /v1/messages). */
export function gatewayRoutes(deps: GatewayRoutesDeps, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = new Hono<AppEnv>();
  router.use('*', requireAuth);
  router.post('/chat/completions', createChatCompletionsHandler({ ...deps, adapters: deps.providers.chat }));
  if (deps.videos) router.route('/', videoRoutes({ ...deps, ...deps.videos, adapters: deps.providers.video }));
  return router;
}
