/**
 * /api/openapi.json without a server: the same createApp, its routers given services that are never
 * called (building routes only registers them). `npm run gen:api-types` turns this document into the
 * web app's types (web/src/api/schema.d.ts).
 */
import { pino } from 'pino';
import { apiDocumentInfo, createApp, type AppOptions } from '../app.js';
import { defaultProviderBaseUrls } from '../config.js';

/**
 * Any property is another unwired value and calling one throws, so a router that starts using a
 * service while it is being built fails the generator loudly instead of documenting a guess.
 * `absent` names the properties that are undefined (optional dependencies such as Redis).
 */
function unwired<T>(path: string, absent: readonly string[] = []): T {
  return new Proxy(() => undefined, {
    get: (_target, property) => (property === 'then' || absent.includes(String(property)) ? undefined : unwired(`${path}.${String(property)}`)),
    apply: () => {
      throw new Error(`${path}() was called while building the OpenAPI document: routers may use services only inside handlers`);
    },
  }) as T;
}

export function buildOpenApiDocument() {
  const app = createApp({
    config: {
      maxBodyBytes: 1,
      corsOrigins: [],
      trustedProxies: [],
      providerBaseUrls: defaultProviderBaseUrls,
      rateLimits: { apiPerIp: 0, authPerIp: 0 },
      publicUrl: 'http://localhost',
      refreshTokenTtlSeconds: 1,
    },
    logger: pino({ level: 'silent' }),
    // Without Redis the limiters are built in memory rather than on an unwired client.
    services: unwired('services', ['redis']),
    readiness: unwired('readiness'),
    isDraining: () => false,
  });
  return app.getOpenAPI31Document(apiDocumentInfo);
}
