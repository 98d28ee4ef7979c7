/**
 * One error hierarchy for the whole platform. Every failure a client can see is an AppError
 * whose `code` comes from the catalogue below; the catalogue says who must act (`source`),
 * the HTTP status, whether a retry can help, and (in docs/errors.md) the cause and remedy.
 *
 * `publicMessage` is the only text a client ever sees. It must never contain keys, tokens,
 * passwords or prompt content; `cause` is for logs only and is itself logged through redaction.
 */

export type ErrorSource = 'user' | 'platform' | 'provider';

interface CatalogEntry {
  readonly status: number;
  readonly source: ErrorSource;
  readonly retryable: boolean;
  /** Default client-facing message when the thrower supplies none. */
  readonly message: string;
}

const entry = (status: number, source: ErrorSource, retryable: boolean, message: string): CatalogEntry => ({
  status,
  source,
  retryable,
  message,
});

export const errorCatalog = {
  // The caller's request is wrong.
  invalid_request: entry(400, 'user', false, 'The request is invalid.'),
  invalid_json: entry(400, 'user', false, 'The request body is not valid JSON.'),
  unsupported_parameter: entry(400, 'user', false, 'A parameter is not supported by the selected provider.'),
  unknown_model: entry(400, 'user', false, 'The model is not known. Use "service/model", e.g. "openai/gpt-4o-mini".'),
  integration_missing: entry(400, 'user', false, 'No integration for this service. Add your provider key first.'),
  integration_disabled: entry(400, 'user', false, 'Your integration for this service is disabled. Re-enable it first.'),
  no_route_candidate: entry(400, 'user', false, 'No target of the route satisfies its constraints.'),
  upstream_not_allowed: entry(400, 'user', false, 'The upstream address is not allowed.'),
  unauthenticated: entry(401, 'user', false, 'Authentication required: send a valid access token or platform key.'),
  invalid_credentials: entry(401, 'user', false, 'The email or password is incorrect.'),
  invalid_refresh_token: entry(401, 'user', false, 'The refresh token is invalid, expired or already used.'),
  invalid_email_token: entry(400, 'user', false, 'The link is invalid, expired or was already used. Ask for a new one.'),
  email_not_verified: entry(403, 'user', false, 'Verify your email address first: follow the link we mailed you, or ask for a new one.'),
  csrf_failed: entry(403, 'user', false, 'The request failed the CSRF check: send the x-csrf-token header from the session cookie.'),
  forbidden: entry(403, 'user', false, 'You are not allowed to do this.'),
  model_not_allowed: entry(403, 'user', false, 'This platform key may not use the requested model.'),
  not_found: entry(404, 'user', false, 'Not found.'),
  route_not_found: entry(404, 'user', false, 'No such endpoint.'),
  conflict: entry(409, 'user', false, 'The resource already exists.'),
  last_owner: entry(409, 'user', false, 'A team must keep at least one owner.'),
  payload_too_large: entry(413, 'user', false, 'The request body is too large.'),
  unsupported_media_type: entry(415, 'user', false, 'Send the request body as application/json.'),
  video_not_ready: entry(409, 'user', true, 'The video is not ready: wait until its status is "completed".'),
  rate_limited: entry(429, 'user', true, 'Too many requests. Retry after the time in the Retry-After header.'),
  budget_exceeded: entry(402, 'user', false, 'A spending budget of this month would be exceeded by this request.'),

  // The caller's own provider key or account at the provider needs attention.
  provider_key_rejected: entry(401, 'user', false, 'The provider rejected the API key stored in your integration.'),
  provider_permission_denied: entry(403, 'user', false, 'The provider refused this request for the API key stored in your integration.'),
  provider_quota_exceeded: entry(429, 'user', false, 'The provider reports that the quota or credit of your key is exhausted.'),
  provider_bad_request: entry(400, 'user', false, 'The provider rejected the request as invalid.'),
  provider_model_not_found: entry(404, 'user', false, 'The provider does not know this model, or your key cannot use it.'),

  // The provider failed.
  provider_rate_limited: entry(429, 'provider', true, 'The provider is rate limiting requests. Retry later.'),
  provider_error: entry(502, 'provider', true, 'The provider failed to answer.'),
  provider_overloaded: entry(503, 'provider', true, 'The provider is overloaded. Retry later.'),
  provider_timeout: entry(504, 'provider', true, 'The provider did not answer in time.'),
  provider_unavailable: entry(503, 'provider', true, 'Every provider for this model is failing; its circuit breaker is open. Retry later.'),
  provider_unreachable: entry(502, 'provider', true, 'The provider could not be reached.'),
  video_generation_failed: entry(502, 'provider', false, 'The provider could not generate the video.'),
  video_deadline_exceeded: entry(504, 'provider', false, 'The provider did not finish the video before the deadline.'),
  provider_stream_interrupted: entry(502, 'provider', true, 'The provider ended the stream before it was complete.'),

  // We failed.
  storage_unavailable: entry(503, 'platform', true, 'Storage is temporarily unavailable. Nothing was changed; retry later.'),
  local_unavailable: entry(503, 'platform', false, 'No local model is configured on this server.'),
  mail_unavailable: entry(503, 'platform', true, 'The mail server could not be reached. Nothing was changed; retry later.'),
  service_draining: entry(503, 'platform', true, 'The server is shutting down. Retry on another replica.'),
  internal_error: entry(500, 'platform', false, 'Internal error. Quote the request id when reporting it.'),
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof errorCatalog;

export interface AppErrorOptions {
  /** Client-facing text; defaults to the catalogue message. Never include secrets or prompts. */
  message?: string;
  /** Override the catalogue status (e.g. mirror a provider's 403 vs 401). */
  status?: number;
  /** Override the catalogue's retry advice. */
  retryable?: boolean;
  /** Seconds the client should wait; rendered as Retry-After. */
  retryAfterSeconds?: number;
  /** Name of the offending request parameter, rendered as `param`. */
  param?: string;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly source: ErrorSource;
  readonly status: number;
  readonly retryable: boolean;
  readonly publicMessage: string;
  readonly retryAfterSeconds: number | undefined;
  readonly param: string | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const spec = errorCatalog[code];
    const publicMessage = options.message ?? spec.message;
    super(publicMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.source = spec.source;
    this.status = options.status ?? spec.status;
    this.retryable = options.retryable ?? spec.retryable;
    this.publicMessage = publicMessage;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.param = options.param;
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;

/** OpenAI-style `type` for a status, so OpenAI SDKs classify our errors the way they classify OpenAI's. */
export function errorTypeForStatus(status: number): string {
  if (status === 400 || status === 404 || status === 409 || status === 413 || status === 415) {
    return status === 404 ? 'not_found_error' : 'invalid_request_error';
  }
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

export interface ErrorBody {
  error: { message: string; type: string; code: ErrorCode; source: ErrorSource; param: string | null };
}

/** The one renderer: every error response and mid-stream error event uses this body. */
export function toErrorBody(error: AppError): ErrorBody {
  return {
    error: {
      message: error.publicMessage,
      type: errorTypeForStatus(error.status),
      code: error.code,
      source: error.source,
      param: error.param ?? null,
    },
  };
}

/** Anything that is not an AppError is our bug: hide it behind `internal_error`. */
export function toAppError(error: unknown): AppError {
  return isAppError(error) ? error : new AppError('internal_error', { cause: error });
}

/**
 * Anthropic's error `type` for a status (its API reference, "Errors"), so @anthropic-ai/sdk raises
 * the class it raises for Anthropic's own errors.
 */
export function anthropicErrorTypeForStatus(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export interface AnthropicErrorBody {
  type: 'error';
  error: {
    type: string;
    message: string;
    /** Ours, beside Anthropic's members: the SDK reads `type`, `message` and `details` only. */
    code: ErrorCode;
    source: ErrorSource;
    param: string | null;
    /** The SDK exposes `details.error_code` as `APIError.errorCode`. */
    details: { error_code: ErrorCode };
  };
  request_id: string;
}

/** The same error in Anthropic's shape, for the Anthropic-compatible surface (`/v1/messages`). */
export function toAnthropicErrorBody(error: AppError, requestId: string): AnthropicErrorBody {
  return {
    type: 'error',
    error: {
      type: anthropicErrorTypeForStatus(error.status),
      message: error.publicMessage,
      code: error.code,
      source: error.source,
      param: error.param ?? null,
      details: { error_code: error.code },
    },
    request_id: requestId,
  };
}
