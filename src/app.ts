/**
 * The composition root of the HTTP app: middleware order and route mounting, nothing else.
 * Services arrive built (see services.ts); this file only wires them to URLs.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { getPath } from 'hono/utils/url';
import { adminRoutes, requirePlatformAdmin } from './accounts/admin.routes.js';
import { authRoutes } from './accounts/auth.routes.js';
import { platformKeysRoutes } from './accounts/platform-keys.routes.js';
import { sessionsRoutes } from './accounts/sessions.routes.js';
import { notificationPreferencesRoutes } from './accounts/notification-preferences.routes.js';
import { teamsRoutes } from './accounts/teams.routes.js';
import type { Config } from './config.js';
import { gatewayRoutes } from './gateway/gateway.routes.js';
import { requireAuth } from './http/authenticate.js';
import { limitBody } from './http/body-limit.js';
import { createClientIpResolver } from './http/client-ip.js';
import type { AppEnv } from './http/context.js';
import { onError, onNotFound } from './http/error-handler.js';
import { healthRoutes, type ReadinessProbe } from './http/health.routes.js';
import { createIpRateLimits } from './http/rate-limit.js';
import { requestContext } from './http/request-context.js';
import { requireStorableText } from './http/storable-text.js';
import { usageRoutes } from './metering/usage.routes.js';
import { budgetsRoutes } from './metering/budgets/budgets.routes.js';
import { adminPricesRoutes } from './metering/prices.routes.js';
import { auditRoutes } from './platform/audit.routes.js';
import type { Logger } from './platform/logger.js';
import type { JobQueue } from './jobs/job-queue.js';
import type { PlatformServices } from './services.js';
import { integrationsRoutes } from './vault/integrations.routes.js';
import { routesRoutes } from './routing/routes.routes.js';
import { adminHealthRoutes } from './gateway/resilience/health.routes.js';
import { integrationHealthRoutes } from './gateway/resilience/integration-health.routes.js';
import { teamIntegrationsRoutes } from './vault/team-integrations.routes.js';
import { webApp } from './http/web-app.js';
import { eventsRoutes } from './events/events.routes.js';
import { credentialCheckRoutes } from './vault/credential-checks.routes.js';
import { alertsRoutes } from './metering/budgets/alerts.routes.js';
import { createRequestTelemetry } from './http/request-telemetry.js';

/** The head of /api/openapi.json (and of web/src/api/schema.d.ts, generated from the same document). */
export const apiDocumentInfo = {
  openapi: '3.1.0',
  info: {
    title: 'Switchboard API',
    version: '0.1.0',
    description: 'Management API of Switchboard. The AI API under /v1 is OpenAI-compatible; see docs/api.md.',
  },
};

export interface AppOptions {
  config: Pick<Config, 'maxBodyBytes' | 'corsOrigins' | 'trustedProxies' | 'providerBaseUrls' | 'rateLimits' | 'publicUrl' | 'refreshTokenTtlSeconds'> &
    Partial<Pick<Config, 'images' | 'allowPrivateUpstreams' | 'webhooks' | 'webDir' | 'keyTestPerMinute'>>;
  logger: Logger;
  services: PlatformServices;
  readiness: ReadinessProbe;
  isDraining: () => boolean;
  /** Where new video jobs go (see jobs/job-runtime.ts); absent: /v1/videos is not served. */
  jobQueue?: JobQueue;
  /** The /metrics text (a cluster worker answers with every worker's, aggregated by the primary); default: this process's registry. */
  metricsText?: () => Promise<string>;
}

export function createApp(options: AppOptions) {
  const { config, logger, services } = options;
  const app = new OpenAPIHono<AppEnv>();
  const authed = requireAuth(services.authenticator);
  const aiAuthed = requireAuth(services.authenticator, { allowPlatformKeys: true, allowApiKeyHeader: true, allowTeamHeader: true });

  // The AI API is an app of its own in front of this one (see the end): a handful of routes, matched
  // by Hono's RegExpRouter. The management API's ~290 routes need its TrieRouter, whose search was
  // ~1 % of a proxied request's CPU and ~3.6 % of its allocated bytes (decision 0041).
  const gateway = new Hono<AppEnv>();
  const context = requestContext({ logger, resolveClientIp: createClientIpResolver(config.trustedProxies), isDraining: options.isDraining, telemetry: createRequestTelemetry(services.metrics) });
  const bodyLimit = limitBody(config.maxBodyBytes);
  const ipLimits = createIpRateLimits({ ...config.rateLimits, redis: services.redis, onRejected: () => services.metrics.rateLimitRejections.inc({ scope: 'ip' }) });
  for (const each of [app, gateway]) {
    each.use(context);
    each.use(bodyLimit);
    each.onError(onError);
    each.notFound(onNotFound);
  }
  if (config.corsOrigins.length > 0) {
    app.use('/api/*', cors({ origin: config.corsOrigins, credentials: true, maxAge: 600 }));
    gateway.use('/v1/*', cors({ origin: config.corsOrigins, maxAge: 600 }));
  }
  gateway.use('/v1/*', ipLimits.failedAuthLimit);
  app.use('/api/*', ipLimits.apiLimit);
  app.use('/api/*', requireStorableText());

  app.route('/', healthRoutes(options.readiness));
  app.get('/metrics', async (c) =>
    services.metrics.enabled ? c.body(await (options.metricsText ?? (() => services.metrics.registry.metrics()))(), 200, { 'content-type': services.metrics.registry.contentType }) : c.notFound(),
  );
  app.route('/api', authRoutes(services.accounts, authed, { publicUrl: config.publicUrl, refreshTokenTtlSeconds: config.refreshTokenTtlSeconds }));
  app.route('/api', sessionsRoutes(services.accounts, authed));
  app.route('/api', notificationPreferencesRoutes(services.notificationPreferences, authed));
  app.route(
    '/api',
    credentialCheckRoutes(
      { integrations: services.integrations, health: services.integrationHealth, access: services.teams, redis: services.redis, perMinute: config.keyTestPerMinute ?? 10 },
      authed,
    ),
  );
  app.route('/api', integrationsRoutes(services.integrations, authed, services.integrationHealth, services.integrationStats));
  app.route('/api', platformKeysRoutes(services.platformKeys, authed));
  app.route('/api', usageRoutes({ store: services.usageStore, aggregates: services.usageAggregates, teams: services.teams, log: services.usageLog, catalog: services.catalog }, authed));
  app.route('/api', budgetsRoutes(services.budgets, authed));
  app.route(
    '/api',
    alertsRoutes(
      { store: services.alerts, budgets: services.budgets, alerts: services.budgetAlerts, audit: services.audit, redis: services.redis, perMinute: config.keyTestPerMinute ?? 10 },
      authed,
    ),
  );
  app.route('/api', teamsRoutes(services.teams, authed));
  app.route('/api', teamIntegrationsRoutes(services.teamIntegrations, authed, services.integrationStats));
  app.route('/api', routesRoutes(services.routes, authed));
  app.route('/api', integrationHealthRoutes({ integrations: services.integrations, access: services.teams, resilience: services.resilience, providerBaseUrls: config.providerBaseUrls }, authed));
  app.route('/api', eventsRoutes(services.liveStreams, requireAuth(services.authenticator, { allowPlatformKeys: true })));
  app.route('/api', auditRoutes(services.audit, services.teams, authed));
  app.route('/api', adminRoutes(services.admin, requirePlatformAdmin(services.authenticator, services.admin.isActiveAdmin), services.adminUsers, services.usageAggregates));
  app.route(
    '/api',
    adminHealthRoutes(services.resilience, requirePlatformAdmin(services.authenticator, services.admin.isActiveAdmin), { health: services.adminHealth, readiness: options.readiness }),
  );
  app.route('/api', adminPricesRoutes(services.priceOverrides, requirePlatformAdmin(services.authenticator, services.admin.isActiveAdmin)));
  gateway.route(
    '/v1',
    gatewayRoutes(
      {
        integrations: services.integrations,
        resolveModel: services.resolveModel,
        providers: services.providers,
        upstream: services.upstream,
        catalog: services.catalog,
        recorder: services.recorder,
        budgets: services.budgetEnforcer,
        activity: services.activity,
        keyHealth: services.integrationHealth,
        models: services.modelLister,
        providerBaseUrls: config.providerBaseUrls,
        ...(config.images ? { images: config.images } : {}),
        local: services.local,
        rateLimits: services.aiRateLimits,
        resilience: services.resilience,
        routes: services.routes,
        telemetry: services.gatewayTelemetry,
        ...(options.jobQueue
          ? {
              videos: {
                store: services.videoJobs,
                queue: options.jobQueue,
                allowPrivateUpstreams: config.allowPrivateUpstreams === true,
                webhooks: { secretConfigured: config.webhooks?.secret !== undefined, allowPrivate: config.webhooks?.allowPrivate === true },
                onEnqueueFailed: (jobId: string, error: unknown) => logger.warn({ err: error, job_id: jobId }, 'video job not enqueued; the sweep will pick it up'),
              },
            }
          : {}),
      },
      aiAuthed,
    ),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token from POST /api/auth/login, or a platform key (sk-sb-…)',
  });
  app.doc31('/api/openapi.json', apiDocumentInfo);
  // Last: the web app and its SPA fallback (never for /api, /v1, /healthz, /readyz, /metrics).
  if (config.webDir) app.get('*', webApp({ webDir: config.webDir }));

  // /v1 and below go to the gateway app; `app.request()` (tests) goes through here too.
  const serveRest = app.fetch;
  app.fetch = (request, env, executionContext) => (servedByGateway(request) ? gateway.fetch(request, env, executionContext) : serveRest(request, env, executionContext));
  return app;
}

/** Whether the path Hono routes on (decoded as Hono decodes it) is /v1 or below. */
function servedByGateway(request: Request): boolean {
  const path = getPath(request);
  return path.startsWith('/v1') && (path.length === 3 || path.charCodeAt(3) === 0x2f);
}
