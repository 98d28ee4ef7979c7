/**
 * Environment → typed configuration, in one place. Nothing else reads process.env: every module
 * receives the slice of config it needs. Invalid settings fail at start with every problem listed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { serviceIds, type ServiceId } from './gateway/providers/provider.js';

/** Official base URLs, in the form each provider's own SDK takes them. */
export const defaultProviderBaseUrls: Record<ServiceId, string | undefined> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  cohere: 'https://api.cohere.com',
  gemini: 'https://generativelanguage.googleapis.com',
  stability: 'https://api.stability.ai',
  midjourney: undefined,
  runway: 'https://api.dev.runwayml.com',
  openai_compatible: undefined,
  local: undefined,
};

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const integer = (min: number) => z.coerce.number().int().min(min);

const csv = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const url = z.url({ protocol: /^https?$/ });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: integer(0).max(65_535).default(8080),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  PUBLIC_URL: url.optional(),
  SMTP_URL: z.string().optional(),
  SWITCHBOARD_MAIL_FROM: z.string().min(3).default('Switchboard <no-reply@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SWITCHBOARD_MASTER_KEY: z.string().optional(),
  SWITCHBOARD_MASTER_KEYS_PREVIOUS: csv.default([]),
  SWITCHBOARD_MIGRATE_ON_START: booleanFromEnv.default(true),
  SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: integer(0).default(50_000),
  SWITCHBOARD_MAX_BODY_BYTES: integer(1024).default(10 * 1024 * 1024),
  SWITCHBOARD_CORS_ORIGINS: csv.default([]),
  SWITCHBOARD_TRUSTED_PROXIES: csv.default(['127.0.0.1/8', '::1/128']),
  SWITCHBOARD_RATE_LIMIT_API_PER_IP: integer(0).default(30),
  SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: integer(0).default(5),
  SWITCHBOARD_DEFAULT_KEY_RPS: integer(1).optional(),
  SWITCHBOARD_DEFAULT_KEY_RPM: integer(1).optional(),
  SWITCHBOARD_DEFAULT_KEY_TPM: integer(1).optional(),
  SWITCHBOARD_DEFAULT_INTEGRATION_RPS: integer(1).optional(),
  SWITCHBOARD_DEFAULT_INTEGRATION_RPM: integer(1).optional(),
  SWITCHBOARD_DEFAULT_INTEGRATION_TPM: integer(1).optional(),
  SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: booleanFromEnv.default(false),
  SWITCHBOARD_ACCESS_TOKEN_TTL_SECONDS: integer(30).default(900),
  SWITCHBOARD_REFRESH_TOKEN_TTL_SECONDS: integer(60).default(30 * 24 * 3600),
  SWITCHBOARD_SECRET_CACHE_TTL_SECONDS: integer(0).default(300),
  SWITCHBOARD_UPSTREAM_CONNECT_TIMEOUT_MS: integer(1).default(10_000),
  SWITCHBOARD_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: integer(1).default(120_000),
  SWITCHBOARD_UPSTREAM_IDLE_TIMEOUT_MS: integer(1).default(300_000),
  SWITCHBOARD_RETRY_MAX_ATTEMPTS: integer(1).default(3),
  SWITCHBOARD_RETRY_BASE_DELAY_MS: integer(0).default(200),
  SWITCHBOARD_RETRY_MAX_DELAY_MS: integer(0).default(5_000),
  SWITCHBOARD_REQUEST_DEADLINE_MS: integer(1).default(180_000),
  SWITCHBOARD_BREAKER_FAILURES: integer(1).default(5),
  SWITCHBOARD_BREAKER_COOLDOWN_MS: integer(1).default(30_000),
  SWITCHBOARD_BREAKER_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.5),
  SWITCHBOARD_PRICES_FILE: z.string().optional(),
  SWITCHBOARD_KEY_CHECK_TIMEOUT_MS: integer(100).default(5_000),
  SWITCHBOARD_KEY_CHECK_ON_SAVE: booleanFromEnv.default(true),
  SWITCHBOARD_AUTO_DISABLE_ERRORS: integer(0).default(5),
  SWITCHBOARD_AUTO_DISABLE_WINDOW_SECONDS: integer(1).default(120),
  SWITCHBOARD_AUTO_DISABLE_RETRY_SECONDS: integer(1).max(86_400).default(900),
  SWITCHBOARD_LIFECYCLE_SWEEP_MS: integer(10).default(30_000),
  SWITCHBOARD_EVENTS_HEARTBEAT_MS: integer(10).default(15_000),
  SWITCHBOARD_EVENTS_RING_SIZE: integer(0).default(1_000),
  SWITCHBOARD_KEY_TEST_PER_MINUTE: integer(0).default(10),
  SWITCHBOARD_USAGE_FLUSH_INTERVAL_MS: integer(10).default(1_000),
  SWITCHBOARD_USAGE_BATCH_SIZE: integer(1).default(500),
  SWITCHBOARD_IMAGE_TIMEOUT_MS: integer(1).default(300_000),
  SWITCHBOARD_IMAGE_MAX_POLLS: integer(1).default(120),
  SWITCHBOARD_MIDJOURNEY_SUBMIT_PATH: z.string().regex(/^\/\S*$/, 'must be a path starting with /').default('/mj/submit/imagine'),
  SWITCHBOARD_MIDJOURNEY_FETCH_PATH: z.string().regex(/^\/\S*\{id\}\S*$/, 'must be a path starting with / and containing {id}').default('/mj/task/{id}/fetch'),
  SWITCHBOARD_MIDJOURNEY_POLL_INTERVAL_MS: integer(1).default(3_000),
  SWITCHBOARD_LOCAL_LLM_URL: url.optional(),
  SWITCHBOARD_LOCAL_LLM_API_KEY: z.string().optional(),
  SWITCHBOARD_LOCAL_MODEL_PATH: z.string().optional(),
  SWITCHBOARD_LOCAL_MODEL_NAME: z.string().regex(/^[\w.:-]{1,128}$/, 'letters, digits, . _ : - only').optional(),
  SWITCHBOARD_LOCAL_CONTEXT_SIZE: integer(64).optional(),
  SWITCHBOARD_LOCAL_THREADS: integer(1).optional(),
  SWITCHBOARD_LOCAL_MAX_QUEUE: integer(0).default(8),
  SWITCHBOARD_LOCAL_MAX_TOKENS: integer(1).default(1024),
  SWITCHBOARD_VIDEO_POLL_INTERVAL_MS: integer(10).default(5_000),
  SWITCHBOARD_VIDEO_DEADLINE_SECONDS: integer(1).default(3_600),
  SWITCHBOARD_JOBS_IN_SERVE: z.enum(['auto', 'true', 'false']).default('auto'),
  SWITCHBOARD_JOB_CONCURRENCY: integer(1).default(10),
  SWITCHBOARD_WEBHOOK_SECRET: z.string().min(16).optional(),
  SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE: booleanFromEnv.default(false),
  SWITCHBOARD_WEBHOOK_MAX_ATTEMPTS: integer(1).default(5),
  SWITCHBOARD_WEBHOOK_RETRY_BASE_MS: integer(1).default(1_000),
  SWITCHBOARD_WEB_DIR: z.string().min(1).optional(),
  SWITCHBOARD_WORKERS: integer(1).max(64).default(1),
  SWITCHBOARD_WORKER_HEALTH_PORT: integer(0).max(65_535).default(8081),
  SWITCHBOARD_METRICS: booleanFromEnv.default(true),
  SWITCHBOARD_OTEL_CAPTURE_CONTENT: booleanFromEnv.default(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('switchboard'),
  ...Object.fromEntries(serviceIds.map((service) => [`SWITCHBOARD_${service.toUpperCase()}_BASE_URL`, url.optional()])),
});

/** Every environment variable Switchboard reads (documented in docs/configuration.md). */
export const configVariableNames = (): string[] => Object.keys(envSchema.shape);

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  publicUrl: string;
  /** The built web app (`npm run build` writes dist/web); served by `serve` with an SPA fallback. */
  webDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  masterKey: string | undefined;
  previousMasterKeys: string[];
  migrateOnStart: boolean;
  shutdownTimeoutMs: number;
  maxBodyBytes: number;
  corsOrigins: string[];
  trustedProxies: string[];
  rateLimits: { apiPerIp: number; authPerIp: number };
  /** Operator defaults for platform keys and integrations whose `rate_limit` leaves a field unset. */
  aiRateLimitDefaults: { key: { rps?: number; rpm?: number; tpm?: number }; integration: { rps?: number; rpm?: number; tpm?: number } };
  allowPrivateUpstreams: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  secretCacheTtlSeconds: number;
  upstream: { connectTimeoutMs: number; firstByteTimeoutMs: number; idleTimeoutMs: number };
  resilience: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; deadlineMs: number; breakerFailures: number; breakerCooldownMs: number; breakerFailureRate: number };
  providerBaseUrls: Record<ServiceId, string | undefined>;
  pricesFile: string | undefined;
  /** Deadline of an integration key check (on save and POST …/test). */
  keyCheckTimeoutMs: number;
  /** Check a key when it is saved (create, or PATCH of api_key/base_url). */
  keyCheckOnSave: boolean;
  /** GET /api/events: heartbeat comment interval, and how many recent events each process keeps for Last-Event-ID. */
  events: { heartbeatMs: number; ringSize: number };
  /** The auto-disable policy for integrations whose key the provider keeps rejecting (errors 0: off). */
  autoDisable: { errors: number; windowSeconds: number; retrySeconds: number };
  /** How often each `serve` process sweeps for due re-checks and ended roll graces. */
  lifecycleSweepMs: number;
  /** POST /api/integrations/test (unsaved credentials) per user per minute; 0 = unlimited. */
  keyTestPerMinute: number;
  usage: { flushIntervalMs: number; batchSize: number };
  images: { timeoutMs: number; maxPolls: number; midjourney: { submitPath: string; fetchPath: string; pollIntervalMs: number } };
  /** Service `local`: a local OpenAI-compatible server and/or an in-process GGUF model. */
  local: {
    llmUrl: string | undefined;
    llmApiKey: string | undefined;
    modelPath: string | undefined;
    modelName: string | undefined;
    contextSize: number | undefined;
    threads: number | undefined;
    maxQueue: number;
    maxTokens: number;
  };
  jobs: {
    /** Whether `serve` runs jobs itself: 'auto' means only without REDIS_URL (then `worker` processes do). */
    runInServe: boolean;
    concurrency: number;
    videoPollIntervalMs: number;
    videoDeadlineSeconds: number;
  };
  webhooks: { secret: string | undefined; allowPrivate: boolean; maxAttempts: number; retryBaseMs: number };
  /** `serve`: HTTP worker processes (node:cluster when > 1). */
  workers: number;
  /** `worker`: the loopback port of its /healthz and /metrics (0 = any free port). */
  workerHealthPort: number;
  /** Prometheus metrics on (default) or off (the bench's baseline). */
  metricsEnabled: boolean;
  /** OpenTelemetry traces: exported over OTLP/HTTP only when `endpoint` is set. */
  otel: { endpoint: string | undefined; serviceName: string; captureContent: boolean };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const stripSlash = (value: string) => value.replace(/\/+$/, '');
const definedOnly = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" (a blank line in an .env file must not override a default).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  // Checked on the raw values, so a schema error elsewhere cannot hide it: every problem is listed at once.
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (present.NODE_ENV === 'production' && !present.SWITCHBOARD_MASTER_KEY) {
    problems.push('SWITCHBOARD_MASTER_KEY: required when NODE_ENV=production (32 random bytes, base64)');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;

  const providerBaseUrls = { ...defaultProviderBaseUrls };
  const record = e as unknown as Record<string, string | undefined>;
  for (const service of serviceIds) {
    const override = record[`SWITCHBOARD_${service.toUpperCase()}_BASE_URL`];
    if (override) providerBaseUrls[service] = stripSlash(override);
  }

  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    publicUrl: stripSlash(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`),
    // src/ (tsx) and dist/ (built) both sit one level below the package root.
    webDir: e.SWITCHBOARD_WEB_DIR ? path.resolve(e.SWITCHBOARD_WEB_DIR) : fileURLToPath(new URL('../dist/web', import.meta.url)),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.SWITCHBOARD_MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    masterKey: e.SWITCHBOARD_MASTER_KEY,
    previousMasterKeys: e.SWITCHBOARD_MASTER_KEYS_PREVIOUS,
    migrateOnStart: e.SWITCHBOARD_MIGRATE_ON_START,
    shutdownTimeoutMs: e.SWITCHBOARD_SHUTDOWN_TIMEOUT_MS,
    maxBodyBytes: e.SWITCHBOARD_MAX_BODY_BYTES,
    corsOrigins: e.SWITCHBOARD_CORS_ORIGINS,
    trustedProxies: e.SWITCHBOARD_TRUSTED_PROXIES,
    rateLimits: { apiPerIp: e.SWITCHBOARD_RATE_LIMIT_API_PER_IP, authPerIp: e.SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP },
    aiRateLimitDefaults: {
      key: definedOnly({ rps: e.SWITCHBOARD_DEFAULT_KEY_RPS, rpm: e.SWITCHBOARD_DEFAULT_KEY_RPM, tpm: e.SWITCHBOARD_DEFAULT_KEY_TPM }),
      integration: definedOnly({ rps: e.SWITCHBOARD_DEFAULT_INTEGRATION_RPS, rpm: e.SWITCHBOARD_DEFAULT_INTEGRATION_RPM, tpm: e.SWITCHBOARD_DEFAULT_INTEGRATION_TPM }),
    },
    allowPrivateUpstreams: e.SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS,
    accessTokenTtlSeconds: e.SWITCHBOARD_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.SWITCHBOARD_REFRESH_TOKEN_TTL_SECONDS,
    secretCacheTtlSeconds: e.SWITCHBOARD_SECRET_CACHE_TTL_SECONDS,
    upstream: {
      connectTimeoutMs: e.SWITCHBOARD_UPSTREAM_CONNECT_TIMEOUT_MS,
      firstByteTimeoutMs: e.SWITCHBOARD_UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
      idleTimeoutMs: e.SWITCHBOARD_UPSTREAM_IDLE_TIMEOUT_MS,
    },
    resilience: {
      maxAttempts: e.SWITCHBOARD_RETRY_MAX_ATTEMPTS,
      baseDelayMs: e.SWITCHBOARD_RETRY_BASE_DELAY_MS,
      maxDelayMs: e.SWITCHBOARD_RETRY_MAX_DELAY_MS,
      deadlineMs: e.SWITCHBOARD_REQUEST_DEADLINE_MS,
      breakerFailures: e.SWITCHBOARD_BREAKER_FAILURES,
      breakerCooldownMs: e.SWITCHBOARD_BREAKER_COOLDOWN_MS,
      breakerFailureRate: e.SWITCHBOARD_BREAKER_FAILURE_RATE,
    },
    providerBaseUrls,
    pricesFile: e.SWITCHBOARD_PRICES_FILE,
    keyCheckTimeoutMs: e.SWITCHBOARD_KEY_CHECK_TIMEOUT_MS,
    keyCheckOnSave: e.SWITCHBOARD_KEY_CHECK_ON_SAVE,
    events: { heartbeatMs: e.SWITCHBOARD_EVENTS_HEARTBEAT_MS, ringSize: e.SWITCHBOARD_EVENTS_RING_SIZE },
    autoDisable: { errors: e.SWITCHBOARD_AUTO_DISABLE_ERRORS, windowSeconds: e.SWITCHBOARD_AUTO_DISABLE_WINDOW_SECONDS, retrySeconds: e.SWITCHBOARD_AUTO_DISABLE_RETRY_SECONDS },
    lifecycleSweepMs: e.SWITCHBOARD_LIFECYCLE_SWEEP_MS,
    keyTestPerMinute: e.SWITCHBOARD_KEY_TEST_PER_MINUTE,
    usage: { flushIntervalMs: e.SWITCHBOARD_USAGE_FLUSH_INTERVAL_MS, batchSize: e.SWITCHBOARD_USAGE_BATCH_SIZE },
    images: {
      timeoutMs: e.SWITCHBOARD_IMAGE_TIMEOUT_MS,
      maxPolls: e.SWITCHBOARD_IMAGE_MAX_POLLS,
      midjourney: {
        submitPath: e.SWITCHBOARD_MIDJOURNEY_SUBMIT_PATH,
        fetchPath: e.SWITCHBOARD_MIDJOURNEY_FETCH_PATH,
        pollIntervalMs: e.SWITCHBOARD_MIDJOURNEY_POLL_INTERVAL_MS,
      },
    },
    local: {
      llmUrl: e.SWITCHBOARD_LOCAL_LLM_URL ? stripSlash(e.SWITCHBOARD_LOCAL_LLM_URL) : undefined,
      llmApiKey: e.SWITCHBOARD_LOCAL_LLM_API_KEY,
      modelPath: e.SWITCHBOARD_LOCAL_MODEL_PATH ? path.resolve(e.SWITCHBOARD_LOCAL_MODEL_PATH) : undefined,
      modelName: e.SWITCHBOARD_LOCAL_MODEL_NAME,
      contextSize: e.SWITCHBOARD_LOCAL_CONTEXT_SIZE,
      threads: e.SWITCHBOARD_LOCAL_THREADS,
      maxQueue: e.SWITCHBOARD_LOCAL_MAX_QUEUE,
      maxTokens: e.SWITCHBOARD_LOCAL_MAX_TOKENS,
    },
    jobs: {
      runInServe: e.SWITCHBOARD_JOBS_IN_SERVE === 'auto' ? !e.REDIS_URL : e.SWITCHBOARD_JOBS_IN_SERVE === 'true',
      concurrency: e.SWITCHBOARD_JOB_CONCURRENCY,
      videoPollIntervalMs: e.SWITCHBOARD_VIDEO_POLL_INTERVAL_MS,
      videoDeadlineSeconds: e.SWITCHBOARD_VIDEO_DEADLINE_SECONDS,
    },
    webhooks: {
      secret: e.SWITCHBOARD_WEBHOOK_SECRET,
      allowPrivate: e.SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE,
      maxAttempts: e.SWITCHBOARD_WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.SWITCHBOARD_WEBHOOK_RETRY_BASE_MS,
    },
    workers: e.SWITCHBOARD_WORKERS,
    workerHealthPort: e.SWITCHBOARD_WORKER_HEALTH_PORT,
    metricsEnabled: e.SWITCHBOARD_METRICS,
    otel: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT ? stripSlash(e.OTEL_EXPORTER_OTLP_ENDPOINT) : undefined, serviceName: e.OTEL_SERVICE_NAME, captureContent: e.SWITCHBOARD_OTEL_CAPTURE_CONTENT },
  };
}
