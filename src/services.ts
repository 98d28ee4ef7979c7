/**
 * Builds every service from config and an open database: the one place dependencies are wired
 * (plain functions and arguments, no container). Used by `serve` and by the CLI alike.
 */
import path from 'node:path';
import { createAccountsService } from './accounts/accounts.service.js';
import { createAccountsStore } from './accounts/accounts.store.js';
import { createAuthenticator } from './accounts/authenticator.js';
import { createPlatformKeysService } from './accounts/platform-keys.service.js';
import { createPlatformKeysStore } from './accounts/platform-keys.store.js';
import { createLoginBackoff } from './accounts/login-backoff.js';
import { createAdminService } from './accounts/admin.service.js';
import { createAdminStore } from './accounts/admin.store.js';
import { createTeamsService } from './accounts/teams.service.js';
import { createTeamsStore } from './accounts/teams.store.js';
import { createAccessTokens } from './accounts/tokens.js';
import { createActivityTracker } from './metering/activity-tracker.js';
import type { Config } from './config.js';
import { createModelResolver } from './gateway/model-resolver.js';
import { createAiRateLimits } from './gateway/limits/ai-rate-limits.js';
import { createMidjourneyImagesAdapter } from './gateway/providers/midjourney/midjourney-images.adapter.js';
import { createModelLister } from './gateway/models.js';
import { keyChecks, providerRegistry } from './gateway/providers/registry.js';
import { createLocalText } from './gateway/local/local-text.js';
import { createUpstreamClient } from './gateway/upstream-client.js';
import { createResilience } from './gateway/resilience/resilience.js';
import { createGatewayTelemetry } from './gateway/gateway-telemetry.js';
import { createBreakerSync } from './gateway/resilience/shared-breakers.js';
import { createRoutesService } from './routing/routes.service.js';
import { createPriceCatalog } from './metering/price-catalog.js';
import { createPriceOverrides } from './metering/price-overrides.js';
import { createUsageRecorder } from './metering/usage-recorder.js';
import { createUsageSpool } from './metering/usage-spool.js';
import { createUsageStore } from './metering/usage.store.js';
import { createUsageAggregates } from './metering/usage-aggregates.js';
import { createUsageLog } from './metering/usage-log.js';
import { createEventHub } from './events/event-hub.js';
import { createBreakerEvents } from './events/breaker-events.js';
import { createAlertsStore } from './metering/budgets/alerts.store.js';
import { createAdminHealth } from './accounts/admin-health.js';
import { createAdminUsers } from './accounts/admin-users.js';
import { integrationStatusEvent } from './events/integration-status.js';
import { createLiveStreams } from './events/live-streams.js';
import { usageEventOf } from './events/usage-event.js';
import { createIntegrationStats } from './vault/integration-stats.js';
import { createVideoJobsStore } from './jobs/video-jobs.store.js';
import { checkWebhookUrl, createWebhookSender } from './jobs/webhooks.js';
import { createBudgetAlerts } from './metering/budgets/budget-alerts.js';
import { createBudgetEnforcer } from './metering/budgets/budget-enforcer.js';
import { createMemoryLedger, createRedisLedger } from './metering/budgets/budget-ledger.js';
import { createBudgetsService } from './metering/budgets/budgets.service.js';
import { createAuditLog } from './platform/audit.js';
import { systemClock } from './platform/clock.js';
import type { InvalidationBus } from './platform/invalidation.js';
import type { Logger } from './platform/logger.js';
import type { Mailer } from './platform/mailer.js';
import { createOwnerNotices } from './platform/owner-notices.js';
import { createNotificationPreferencesStore } from './accounts/notification-preferences.store.js';
import type { RedisConnections } from './platform/redis.js';
import type { Metrics } from './platform/metrics.js';
import type { Database } from './store/db.js';
import { createIntegrationHealth } from './vault/integration-health.js';
import { createIntegrationRecovery } from './vault/integration-recovery.js';
import type { IntegrationRow } from './vault/integrations.store.js';
import { createIntegrationsService } from './vault/integrations.service.js';
import { createIntegrationsStore } from './vault/integrations.store.js';
import type { Keyring } from './vault/keyring.js';
import { createSecretCache } from './vault/secret-cache.js';
import { createTeamIntegrationsService } from './vault/team-integrations.service.js';

export interface ServicesInput {
  config: Config;
  /** Request-path pool. */
  db: Database;
  /** The usage writer's own small pool, so batch inserts never queue behind (or ahead of) requests. */
  usageDb: Database;
  keyring: Keyring;
  logger: Logger;
  metrics: Metrics;
  /** Change notifications to every process (Redis pub/sub, or local without REDIS_URL). */
  bus: InvalidationBus;
  /** Shared counters for limits; undefined means in-process limits (one replica). */
  redis: RedisConnections | undefined;
  mailer: Mailer;
}

export function createPlatformServices({ config, db, usageDb, keyring, logger, metrics, bus, redis, mailer }: ServicesInput) {
  const audit = createAuditLog(db);
  const tokens = createAccessTokens(keyring, config.accessTokenTtlSeconds);
  const catalog = createPriceCatalog({ overridesFile: config.pricesFile });
  const usageStore = createUsageStore(db);
  const secretCache = createSecretCache({
    ttlSeconds: config.secretCacheTtlSeconds,
    onEvent: metrics.enabled ? (cache, event) => metrics.cacheEvents.inc({ cache, event }) : undefined,
  });
  // An integration changed on any replica: drop what this one cached of it.
  bus.subscribe('integration', (ownerAndId) => {
    const [kind, ownerId, integrationId] = ownerAndId.split(':');
    if ((kind === 'user' || kind === 'team') && ownerId && integrationId) secretCache.invalidateIntegration({ kind, id: ownerId }, integrationId);
  });
  bus.onResync(() => secretCache.clear());
  const platformKeysStore = createPlatformKeysStore(db);
  // Live events (GET /api/events): published here, fanned out to every replica's open streams.
  const events = createEventHub({ redis, logger, ringSize: config.events.ringSize });
  const liveStreams = createLiveStreams({ db, hub: events, bus, logger: logger.child({ component: 'events' }), heartbeatMs: config.events.heartbeatMs, clock: systemClock });
  const activity = createActivityTracker({
    db: usageDb,
    keys: createPlatformKeysStore(usageDb),
    audit: createAuditLog(usageDb),
    logger: logger.child({ component: 'activity' }),
    flushIntervalMs: Math.max(config.usage.flushIntervalMs, 1_000),
  });
  const accountsStore = createAccountsStore(db);
  const authenticator = createAuthenticator({
    tokens,
    store: platformKeysStore,
    sessions: accountsStore,
    bus,
    clock: systemClock,
    cacheTtlSeconds: config.secretCacheTtlSeconds || 300,
    onKeyUsed: (keyId) => activity.keyUsed(keyId),
  });
  const publishIntegrationStatus = (row: IntegrationRow) =>
    events.publish('integration.status', { userId: row.ownerUserId, teamId: row.ownerTeamId }, integrationStatusEvent(row, integrationStats.breakerOf({ id: row.id, service: row.service, base_url: row.baseUrl })));
  const notices = createOwnerNotices({ db, mailer, logger: logger.child({ component: 'notices' }) });
  const integrations = createIntegrationsService({
    db,
    store: createIntegrationsStore(db),
    keyring,
    cache: secretCache,
    bus,
    audit,
    allowPrivateUpstreams: config.allowPrivateUpstreams,
    onDecryptFailure: (kekId) => metrics.decryptFailures.inc({ kek_id: kekId }),
    onStatus: publishIntegrationStatus,
  });
  const upstream = createUpstreamClient(config.upstream, { allowPrivate: config.allowPrivateUpstreams });
  const integrationHealth = createIntegrationHealth({
    db,
    integrations,
    upstream,
    checks: keyChecks,
    providerBaseUrls: config.providerBaseUrls,
    bus,
    logger: logger.child({ component: 'integration-health' }),
    timeoutMs: config.keyCheckTimeoutMs,
    checkOnSave: config.keyCheckOnSave,
    notices,
    publicUrl: config.publicUrl,
    onStatus: publishIntegrationStatus,
    onRejections: (integrationId, count) => integrationRecovery.countRejections(integrationId, count),
  });
  // Auto-disable after repeated key rejections, and the re-checks that re-enable (decision 0032).
  const integrationRecovery = createIntegrationRecovery({
    db,
    redis,
    health: integrationHealth,
    bus,
    audit,
    clock: systemClock,
    logger: logger.child({ component: 'integration-recovery' }),
    policy: config.autoDisable,
    notices,
    publicUrl: config.publicUrl,
    onStatus: publishIntegrationStatus,
  });
  const teams = createTeamsService({
    db,
    store: createTeamsStore(db),
    accounts: accountsStore,
    audit,
    bus,
    mailer,
    clock: systemClock,
    publicUrl: config.publicUrl,
  });
  const local = createLocalText(config.local, logger);
  const resilience = createResilience(config.resilience, redis ? createBreakerSync(redis, logger.child({ component: 'breakers' })) : undefined);
  const integrationStats = createIntegrationStats({ db, resilience, providerBaseUrls: config.providerBaseUrls });
  const breakerEvents = createBreakerEvents({
    db,
    hub: events,
    logger: logger.child({ component: 'events' }),
    providerBaseUrls: config.providerBaseUrls,
    breakerOf: (row) => integrationStats.breakerOf({ id: row.id, service: row.service, base_url: row.baseUrl }),
  });
  resilience.onBreakerTransition?.((key) => breakerEvents.transition(key));
  // switchboard_circuit_state per service and official host (a user-supplied base URL is `custom`: bounded).
  const officialOrigins = new Set(Object.values(config.providerBaseUrls).flatMap((url) => (url ? [new URL(url).origin] : [])));
  resilience.onBreakerTransition?.((key, transition) => {
    const [service, origin] = key.split(' ');
    if (!service || !origin || !metrics.enabled) return;
    const endpoint = officialOrigins.has(origin) ? new URL(origin).host : 'custom';
    metrics.circuitState.set({ service, endpoint }, transition.state === 'open' ? 2 : 0);
  });
  const resolveModel = createModelResolver(catalog);
  // GET /v1/models lists local models without a network call per request: the local server's list
  // is read at start and once a minute. The built-in image generator is always there.
  let localModelIds: readonly string[] = ['pattern'];
  const refreshLocalModels = () =>
    local.listModels().then(
      (models) => (localModelIds = ['pattern', ...models.map((model) => model.id.replace(/^local\//, ''))]),
      () => undefined,
    );
  if (config.local.llmUrl || config.local.modelPath) {
    void refreshLocalModels();
    setInterval(() => void refreshLocalModels(), 60_000).unref();
  }
  // Budgets: counters in Redis across replicas (Lua), in-process without REDIS_URL.
  const budgetLedger = redis ? createRedisLedger(redis.client, logger.child({ component: 'budgets' })) : createMemoryLedger();
  const budgetAlerts = createBudgetAlerts({
    db,
    mailer,
    webhooks: config.webhooks.secret ? createWebhookSender({ upstream, ...config.webhooks, logger: logger.child({ component: 'budget-webhooks' }) }) : undefined,
    logger: logger.child({ component: 'budget-alerts' }),
    publicUrl: config.publicUrl,
    onAlert: ({ budget, period, threshold, spent }) =>
      events.publish(
        'budget.alert',
        { userId: budget.ownerUserId, teamId: budget.ownerTeamId },
        { scope: budget.scope, id: budget.id, scope_id: budget.scopeId, period, threshold_pct: threshold, spent_micros: spent, limit_micros: budget.limitMicros, state: spent >= budget.limitMicros ? 'exceeded' : 'warning' },
      ),
  });
  const budgetEnforcer = createBudgetEnforcer({
    db,
    ledger: budgetLedger,
    bus,
    logger: logger.child({ component: 'budgets' }),
    alerts: budgetAlerts,
    cacheTtlMs: (config.secretCacheTtlSeconds || 300) * 1000,
    onRejected: (scope) => metrics.budgetRejections.inc({ scope }),
  });

  const accounts = createAccountsService({
    db,
    store: accountsStore,
    tokens,
    audit,
    clock: systemClock,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    bus,
    mailer,
    logger,
    publicUrl: config.publicUrl,
    loginBackoff: createLoginBackoff(redis),
  });

  return {
    events,
    liveStreams,
    integrationStats,
    alerts: createAlertsStore(db),
    notificationPreferences: createNotificationPreferencesStore({ db, audit }),
    adminHealth: createAdminHealth({ db, redis }),
    adminUsers: createAdminUsers({ db, audit, bus, resendVerification: (email) => accounts.resendVerification(email) }),
    metrics,
    bus,
    redis,
    mailer,
    tokens,
    catalog,
    priceOverrides: createPriceOverrides({ db, catalog, audit, bus, logger: logger.child({ component: 'prices' }) }),
    usageStore,
    usageAggregates: createUsageAggregates(db),
    usageLog: createUsageLog(db),
    videoJobs: createVideoJobsStore(db),
    secretCache,
    providers: { ...providerRegistry, images: { ...providerRegistry.images, midjourney: createMidjourneyImagesAdapter(config.images.midjourney) } },
    activity,
    authenticator,
    platformKeys: createPlatformKeysService({
      db,
      store: platformKeysStore,
      audit,
      clock: systemClock,
      bus,
      onRevoked: (key) => events.publish('key.revoked', { userId: key.userId, teamId: key.teamId }, { id: key.id, team_id: key.teamId }),
    }),
    resolveModel,
    resilience,
    gatewayTelemetry: createGatewayTelemetry({ metrics, catalog, captureContent: config.otel.captureContent }),
    aiRateLimits: createAiRateLimits({ redis, logger, metrics, defaults: config.aiRateLimitDefaults }),
    routes: createRoutesService({
      db,
      bus,
      catalog,
      resolveModel,
      integrations,
      access: teams,
      resilience,
      providerBaseUrls: config.providerBaseUrls,
      cacheTtlMs: (config.secretCacheTtlSeconds || 300) * 1000,
    }),
    modelLister: createModelLister({ db, catalog, bus, cacheTtlSeconds: config.secretCacheTtlSeconds || 300, localModels: () => localModelIds }),
    accounts,
    integrations,
    integrationHealth,
    integrationRecovery,
    audit,
    teams,
    budgetAlerts,
    budgetEnforcer,
    budgets: createBudgetsService({
      db,
      ledger: budgetLedger,
      audit,
      bus,
      checkWebhookUrl: (url) => checkWebhookUrl(url, { allowPrivate: config.webhooks.allowPrivate, secretConfigured: config.webhooks.secret !== undefined }),
    }),
    teamIntegrations: createTeamIntegrationsService({ integrations, access: teams, health: integrationHealth }),
    admin: createAdminService({ db, store: createAdminStore(db), audit, bus, clock: systemClock }),
    upstream,
    local,
    recorder: createUsageRecorder({
      store: createUsageStore(usageDb),
      spool: createUsageSpool({ dir: path.join(config.dataDir, 'usage-spool'), logger: logger.child({ component: 'usage-spool' }) }),
      logger: logger.child({ component: 'usage' }),
      flushIntervalMs: config.usage.flushIntervalMs,
      batchSize: config.usage.batchSize,
      // Made only when a stream, a replay or another replica needs it (most records are seen by nobody).
      onRecorded: (row) => events.publish('usage.created', { userId: row.userId }, () => usageEventOf(row)),
    }),
  };
}

export type PlatformServices = ReturnType<typeof createPlatformServices>;
