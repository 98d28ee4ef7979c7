/**
 * The whole tenancy model, designed up front so later features add columns, not rewrites.
 *
 * Conventions:
 * - Ids are ULIDs (text): sortable by creation time, so keyset pagination can order by id.
 * - A resource owned by "a user or a team" has two nullable foreign keys and a CHECK that exactly
 *   one is set; this keeps referential integrity and cascades, which a polymorphic id cannot.
 * - Money is integer micro-dollars (bigint, read as JS number: 2^53 micro-dollars is $9 billion).
 * - High-volume tables (usage_records, audit_events) carry ids without foreign keys: they must
 *   outlive what they mention, and FK checks would slow the batched inserts.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const micros = (name: string) => bigint(name, { mode: 'number' });

/** Requests per second/minute and tokens per minute; any may be absent. */
export interface RateLimitSpec {
  rps?: number;
  rpm?: number;
  tpm?: number;
}
export interface MonthlyQuotaSpec {
  limit_micros: number;
}

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** Stored lower-cased; the unique index makes addresses case-insensitive. */
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    isAdmin: boolean('is_admin').notNull().default(false),
    emailVerifiedAt: tstz('email_verified_at'),
    disabledAt: tstz('disabled_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

/** A login session = one refresh-token family. Revoking it ends every token of the family. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastUsedAt: tstz('last_used_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    revokedAt: tstz('revoked_at'),
    revokedReason: text('revoked_reason'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Opaque refresh tokens, stored as SHA-256; each use spends one and issues its successor. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    tokenHash: bytea('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: tstz('expires_at').notNull(),
    /** Set when the token is exchanged; a later reuse past the grace window revokes the session. */
    usedAt: tstz('used_at'),
  },
  (t) => [uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash), index('refresh_tokens_session_idx').on(t.sessionId)],
);

/** Single-use mailed tokens: email verification and password reset. */
export const emailTokens = pgTable(
  'email_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['verify_email', 'reset_password'] }).notNull(),
    tokenHash: bytea('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
  },
  (t) => [uniqueIndex('email_tokens_hash_key').on(t.tokenHash), index('email_tokens_user_idx').on(t.userId)],
);

export const teams = pgTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  /** Set by a platform admin: members keep their data but the team's keys and secrets stop serving. */
  disabledAt: tstz('disabled_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const memberships = pgTable(
  'memberships',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'admin', 'member'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

export const teamInvitations = pgTable(
  'team_invitations',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: ['owner', 'admin', 'member'] }).notNull(),
    tokenHash: bytea('token_hash').notNull(),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: tstz('expires_at').notNull(),
    acceptedAt: tstz('accepted_at'),
    revokedAt: tstz('revoked_at'),
  },
  (t) => [uniqueIndex('team_invitations_hash_key').on(t.tokenHash), index('team_invitations_team_idx').on(t.teamId)],
);

const ownerColumns = () => ({
  ownerUserId: text('owner_user_id').references(() => users.id, { onDelete: 'cascade' }),
  ownerTeamId: text('owner_team_id').references(() => teams.id, { onDelete: 'cascade' }),
});
const exactlyOneOwner = (table: string) =>
  check(`${table}_one_owner`, sql`num_nonnulls(owner_user_id, owner_team_id) = 1`);

/**
 * Per-owner data-encryption keys, wrapped (AES-256-GCM) by a master key identified by `kek_id`.
 * Rotation of the master key rewraps these rows and never touches secret ciphertexts.
 */
export const dataKeys = pgTable(
  'data_keys',
  {
    id: text('id').primaryKey(),
    ...ownerColumns(),
    kekId: text('kek_id').notNull(),
    wrappedKey: bytea('wrapped_key').notNull(),
    createdAt: createdAt(),
    rotatedAt: tstz('rotated_at'),
  },
  (t) => [
    exactlyOneOwner('data_keys'),
    uniqueIndex('data_keys_owner_user_key').on(t.ownerUserId).where(sql`owner_user_id is not null`),
    uniqueIndex('data_keys_owner_team_key').on(t.ownerTeamId).where(sql`owner_team_id is not null`),
    index('data_keys_kek_idx').on(t.kekId),
  ],
);

/** A stored provider credential ("integration"), personal or a team secret. */
export const integrations = pgTable(
  'integrations',
  {
    id: text('id').primaryKey(),
    ...ownerColumns(),
    service: text('service').notNull(),
    name: text('name').notNull(),
    /** version byte ‖ nonce ‖ ciphertext ‖ tag, bound by AAD to owner, id and key_version. */
    apiKeyEncrypted: bytea('api_key_encrypted').notNull(),
    dataKeyId: text('data_key_id')
      .notNull()
      .references(() => dataKeys.id),
    /** Incremented each time the key is replaced; part of the AAD. */
    keyVersion: integer('key_version').notNull().default(1),
    keyLast4: text('key_last4').notNull(),
    baseUrl: text('base_url'),
    status: text('status', { enum: ['active', 'invalid', 'quota_exceeded', 'unreachable'] })
      .notNull()
      .default('active'),
    lastError: text('last_error'),
    lastCheckedAt: tstz('last_checked_at'),
    /** When the gateway first served a request with this key (audited once). */
    firstUsedAt: tstz('first_used_at'),
    /** Set while the integration is disabled: the gateway skips it (falls over to the next candidate). */
    disabledAt: tstz('disabled_at'),
    /** Why it is disabled, in words shown to its owner (null while enabled). */
    disabledReason: text('disabled_reason'),
    /** Who disabled it: a person (never re-enabled automatically) or the auto-disable policy (null while enabled). */
    disabledBy: text('disabled_by', { enum: ['user', 'system'] }),
    /** When the policy next re-checks the stored key of an integration it disabled (null otherwise). */
    retryAt: tstz('retry_at'),
    /** Re-checks that failed since the policy disabled it: the exponent of the next wait. */
    retryAttempts: integer('retry_attempts').notNull().default(0),
    /** The provider's own model list, as of the last successful key check (null: never listed). */
    models: text('models').array(),
    rateLimit: jsonb('rate_limit').$type<RateLimitSpec>(),
    monthlyQuota: jsonb('monthly_quota').$type<MonthlyQuotaSpec>(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    exactlyOneOwner('integrations'),
    index('integrations_owner_user_idx').on(t.ownerUserId, t.service),
    index('integrations_owner_team_idx').on(t.ownerTeamId, t.service),
    index('integrations_retry_idx').on(t.retryAt).where(sql`retry_at is not null`),
  ],
);

/** Platform keys (`sk-sb-…`) for programs; stored as SHA-256, shown once. */
export const platformKeys = pgTable(
  'platform_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    teamId: text('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: bytea('key_hash').notNull(),
    keyLast4: text('key_last4').notNull(),
    models: text('models').array(),
    rateLimit: jsonb('rate_limit').$type<RateLimitSpec>(),
    monthlyBudgetMicros: micros('monthly_budget_micros'),
    expiresAt: tstz('expires_at'),
    /** When the key stops working. In the future while a roll's grace period runs (POST /api/keys/:id/roll). */
    revokedAt: tstz('revoked_at'),
    /** When `key.revoked` went out for it: at once for a revoke now, by the sweep when a roll's grace ends. */
    revokedAnnouncedAt: tstz('revoked_announced_at'),
    lastUsedAt: tstz('last_used_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('platform_keys_hash_key').on(t.keyHash),
    index('platform_keys_user_idx').on(t.userId),
    index('platform_keys_unannounced_idx').on(t.revokedAt).where(sql`revoked_at is not null and revoked_announced_at is null`),
  ],
);

/** Virtual models ("routes"): a strategy over candidate targets with constraints and fallbacks. */
export const routes = pgTable(
  'routes',
  {
    id: text('id').primaryKey(),
    ...ownerColumns(),
    name: text('name').notNull(),
    strategy: text('strategy', { enum: ['priority', 'cost', 'latency', 'weighted'] }).notNull(),
    targets: jsonb('targets').notNull(),
    constraints: jsonb('constraints'),
    fallbackLocal: boolean('fallback_local').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    exactlyOneOwner('routes'),
    uniqueIndex('routes_owner_user_name_key').on(t.ownerUserId, t.name).where(sql`owner_user_id is not null`),
    uniqueIndex('routes_owner_team_name_key').on(t.ownerTeamId, t.name).where(sql`owner_team_id is not null`),
  ],
);

/** Spend limits per user, team, platform key or integration, per calendar month (UTC). */
export const budgets = pgTable(
  'budgets',
  {
    id: text('id').primaryKey(),
    ...ownerColumns(),
    scope: text('scope', { enum: ['user', 'team', 'key', 'integration'] }).notNull(),
    scopeId: text('scope_id').notNull(),
    limitMicros: micros('limit_micros').notNull(),
    /** Percentages of the limit at which to alert, e.g. {50,80,100}. */
    alertThresholds: integer('alert_thresholds').array().notNull().default(sql`'{50,80,100}'::integer[]`),
    hardLimit: boolean('hard_limit').notNull().default(true),
    /** Threshold alerts are also POSTed here, signed like video webhooks (null: mail + in-app only). */
    webhookUrl: text('webhook_url'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [exactlyOneOwner('budgets'), uniqueIndex('budgets_scope_key').on(t.scope, t.scopeId)],
);

/**
 * One row per budget, period (calendar month UTC, `YYYY-MM`) and threshold crossed: the unique key
 * is what makes an alert fire once, whichever replica notices the crossing first.
 */
export const budgetAlerts = pgTable(
  'budget_alerts',
  {
    budgetId: text('budget_id')
      .notNull()
      .references(() => budgets.id, { onDelete: 'cascade' }),
    period: text('period').notNull(),
    threshold: integer('threshold').notNull(),
    spentMicros: micros('spent_micros').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.budgetId, t.period, t.threshold] })],
);

/** In-app notifications for the web app (budget alerts, …), per recipient user. */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    data: jsonb('data'),
    readAt: tstz('read_at'),
    createdAt: createdAt(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.id)],
);

/**
 * Which notices a user also gets by mail (platform/owner-notices.ts); the in-app notification is
 * always stored. No row means the defaults: every mail on.
 */
export const notificationPreferences = pgTable('notification_preferences', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** Budget thresholds crossed and "Send test alert" (budget.threshold, budget.test). */
  emailBudgetAlerts: boolean('email_budget_alerts').notNull().default(true),
  /** A provider rejected a stored key (integration.invalid). */
  emailIntegrationAlerts: boolean('email_integration_alerts').notNull().default(true),
  updatedAt: updatedAt(),
});

/**
 * One row per AI request, inserted in batches and idempotently by `request_id`. Counts are null
 * when the provider did not report them (unknown is not zero); `priced=false` means the model
 * had no catalog price, so `cost_micros` is null rather than a misleading 0.
 */
/** One upstream attempt of a request (usage_records.attempts). */
export interface UsageAttempt {
  service: string;
  model: string;
  integration_id: string | null;
  /** HTTP status of the attempt (0: no answer, e.g. unreachable or breaker open). */
  status: number;
  duration_ms: number;
  error_code: string | null;
  error_source: 'user' | 'platform' | 'provider' | null;
  /** What followed: a retry of the same target, a fall-over to the next candidate, or nothing. */
  next: 'retry' | 'fallback' | null;
}

export const usageRecords = pgTable(
  'usage_records',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull(),
    userId: text('user_id').notNull(),
    teamId: text('team_id'),
    keyId: text('key_id'),
    integrationId: text('integration_id'),
    service: text('service').notNull(),
    model: text('model').notNull(),
    operation: text('operation').notNull(),
    stream: boolean('stream').notNull().default(false),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    cachedInputTokens: integer('cached_input_tokens'),
    /** Images generated (image requests). */
    imageCount: integer('image_count'),
    /** Seconds of video generated (video jobs). */
    videoSeconds: integer('video_seconds'),
    costMicros: micros('cost_micros'),
    /** The price catalog version the cost was computed with (see price_overrides). */
    catalogVersion: text('catalog_version'),
    priced: boolean('priced').notNull(),
    estimated: boolean('estimated').notNull().default(false),
    /** HTTP status the client received. */
    status: integer('status').notNull(),
    errorCode: text('error_code'),
    errorSource: text('error_source', { enum: ['user', 'platform', 'provider'] }),
    fallback: boolean('fallback').notNull().default(false),
    latencyMs: integer('latency_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    /** The `model` the client asked for (a model or a route name); null on records older than 0005. */
    requestedModel: text('requested_model'),
    /** The upstream attempts, in order (bounded, see gateway-call.ts); null on records older than 0005. */
    attempts: jsonb('attempts').$type<UsageAttempt[]>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('usage_records_request_key').on(t.requestId),
    index('usage_records_user_idx').on(t.userId, t.id),
    index('usage_records_team_idx').on(t.teamId, t.id).where(sql`team_id is not null`),
    index('usage_records_key_idx').on(t.keyId, t.id).where(sql`key_id is not null`),
  ],
);

/**
 * Usage rolled up per 15-minute UTC bucket and dimension set (issue 7, WEBAPP.md §5.4; see
 * docs/decisions/0016-usage-rollup.md). Upserted by the usage writer in the same statement as
 * the raw rows, counting only rows actually inserted (replays add nothing). Quarter-hour buckets
 * make days and hours exact in every zone (Asia/Kolkata is +05:30, Asia/Kathmandu +05:45).
 * Nullable dimensions are stored as '' so the primary key can be the conflict target.
 * Histograms have one cell per latency bucket of usage-rollup.ts (LATENCY_BOUNDS_MS).
 */
export const usageHourly = pgTable(
  'usage_hourly',
  {
    userId: text('user_id').notNull(),
    teamId: text('team_id').notNull().default(''),
    bucketStart: tstz('bucket_start').notNull(),
    keyId: text('key_id').notNull().default(''),
    integrationId: text('integration_id').notNull().default(''),
    service: text('service').notNull(),
    model: text('model').notNull(),
    statusClass: text('status_class').notNull(),
    errorSource: text('error_source').notNull().default(''),
    fallback: boolean('fallback').notNull(),
    requests: integer('requests').notNull(),
    errors: integer('errors').notNull(),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull(),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull(),
    costMicros: micros('cost_micros').notNull(),
    unpricedRequests: integer('unpriced_requests').notNull(),
    estimatedRequests: integer('estimated_requests').notNull(),
    latencySumMs: bigint('latency_sum_ms', { mode: 'number' }).notNull(),
    /** Packed histograms (usage-rollup.ts): cell i is the i-th group of 15 decimal digits from the right. */
    latencyHist: numeric('latency_hist').notNull(),
    ttftHist: numeric('ttft_hist').notNull(),
  },
  (t) => [
    primaryKey({ name: 'usage_hourly_pk', columns: [t.userId, t.bucketStart, t.teamId, t.keyId, t.integrationId, t.service, t.model, t.statusClass, t.errorSource, t.fallback] }),
    index('usage_hourly_team_idx').on(t.teamId, t.bucketStart).where(sql`team_id <> ''`),
    index('usage_hourly_bucket_idx').on(t.bucketStart),
  ],
);

/**
 * Admin price overrides on top of the bundled catalog, each effective from a date: the price of a
 * request is the newest override (or bundled price) whose effective_from is not after it.
 * Micro-dollars per million tokens, per image or per second of video.
 */
export const priceOverrides = pgTable(
  'price_overrides',
  {
    id: text('id').primaryKey(),
    service: text('service').notNull(),
    model: text('model').notNull(),
    inputMicrosPerMtok: micros('input_micros_per_mtok'),
    outputMicrosPerMtok: micros('output_micros_per_mtok'),
    cachedInputMicrosPerMtok: micros('cached_input_micros_per_mtok'),
    cacheWriteMicrosPerMtok: micros('cache_write_micros_per_mtok'),
    perImageMicros: micros('per_image_micros'),
    perSecondMicros: micros('per_second_micros'),
    effectiveFrom: tstz('effective_from').notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('price_overrides_model_idx').on(t.service, t.model, t.effectiveFrom)],
);

/** Security-relevant actions. Metadata never holds key material. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    actorUserId: text('actor_user_id'),
    teamId: text('team_id'),
    action: text('action').notNull(),
    targetKind: text('target_kind'),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    metadata: jsonb('metadata'),
    createdAt: createdAt(),
  },
  (t) => [index('audit_events_actor_idx').on(t.actorUserId, t.id), index('audit_events_team_idx').on(t.teamId, t.id)],
);

/** Durable jobs (video generation, mail, alerts): the outbox a queue is rebuilt from. */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    ...ownerColumns(),
    status: text('status', { enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] })
      .notNull()
      .default('queued'),
    idempotencyKey: text('idempotency_key'),
    payload: jsonb('payload').notNull(),
    result: jsonb('result'),
    error: jsonb('error'),
    attempts: integer('attempts').notNull().default(0),
    /** 0–100, for jobs that report it (video generation). */
    progress: integer('progress').notNull().default(0),
    runAt: tstz('run_at').notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('jobs_idempotency_key').on(t.kind, t.idempotencyKey).where(sql`idempotency_key is not null`),
    index('jobs_status_run_at_idx').on(t.status, t.runAt),
  ],
);
