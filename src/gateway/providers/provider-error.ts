/**
 * What the provider error mappers (map-<x>-error.ts) share once each has read its provider's error
 * body: the HTTP status → error code fallback, the public message and the logged cause.
 *
 * Provider text reaches the public message only scrubbed of the caller's key and key-shaped
 * strings and truncated; a body that was not the provider's JSON (proxies answer with HTML) never
 * reaches it, and is kept in the cause (scrubbed, truncated) for the operator.
 */
import { AppError, errorCatalog, type ErrorCode } from '../../platform/errors.js';
import { scrubSecrets } from '../../platform/redact.js';
import type { CallContext, UpstreamErrorResponse } from './provider.js';
import { parseRetryAfter } from './retry-after.js';

export const MAX_MESSAGE_CHARS = 500;

/** Statuses every provider means the same by. */
const CODE_BY_HTTP_STATUS: Readonly<Record<number, ErrorCode>> = {
  401: 'provider_key_rejected',
  403: 'provider_permission_denied',
  // The adapters' paths are fixed, so a 404 is about the model.
  404: 'provider_model_not_found',
  408: 'provider_timeout',
  413: 'payload_too_large',
  429: 'provider_rate_limited',
  503: 'provider_overloaded',
  504: 'provider_timeout',
};

/**
 * The code an HTTP status alone implies. `overrides` holds a provider's own statuses (Cohere's 498
 * invalid token, Anthropic's 529 overloaded). Any other 5xx is `provider_error`; any other 4xx
 * means the provider judged the request invalid.
 */
export function codeForHttpStatus(status: number, overrides: Readonly<Record<number, ErrorCode>> = {}): ErrorCode {
  const code = overrides[status] ?? CODE_BY_HTTP_STATUS[status];
  if (code !== undefined) return code;
  if (status >= 500) return 'provider_error';
  return status >= 400 ? 'provider_bad_request' : 'provider_error';
}

export function headerValue(headers: UpstreamErrorResponse['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export function truncate(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}…`;
}

/** Provider text fit for a client or a log: the caller's key scrubbed, truncated. */
export function scrubbedText(text: string, apiKey: string): string {
  return truncate(scrubSecrets(text, [apiKey]));
}

/** The provider's own message when it gave one, else the catalogue's (with the HTTP status, when there is one). */
export function publicMessage(
  provider: string,
  code: ErrorCode,
  providerMessage: string | undefined,
  apiKey: string,
  status: number | undefined,
): string {
  const text = providerMessage?.trim();
  if (text !== undefined && text !== '') return `${provider}: ${scrubbedText(text, apiKey)}`;
  const suffix = status === undefined ? '' : ` (${provider} answered HTTP ${status})`;
  return `${errorCatalog[code].message}${suffix}`;
}

export interface ProviderErrorParts {
  provider: string;
  code: ErrorCode;
  /** The provider's message, unscrubbed: it is scrubbed here. */
  providerMessage: string | undefined;
  apiKey: string;
  /** The HTTP status; undefined for an error event inside a stream (the cause then says `midStream`). */
  status: number | undefined;
  retryAfterSeconds?: number | undefined;
  /** What the mapper read from the body, already scrubbed, for the cause. */
  details?: object | undefined;
  /** The body, when it was not the provider's JSON. */
  unparsedBody?: string | undefined;
}

export function providerError(parts: ProviderErrorParts): AppError {
  const { provider, code, apiKey, status, retryAfterSeconds, unparsedBody } = parts;
  return new AppError(code, {
    message: publicMessage(provider, code, parts.providerMessage, apiKey, status),
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    cause: {
      provider,
      ...(status === undefined ? { midStream: true } : { status }),
      ...parts.details,
      ...(unparsedBody !== undefined && { body: scrubSecrets(unparsedBody.slice(0, MAX_MESSAGE_CHARS), [apiKey]) }),
    },
  });
}

/** What a mapper made of an error body: the code, the provider's message and the (scrubbed) fields for the cause. */
export interface ReadProviderError {
  code: ErrorCode;
  providerMessage: string | undefined;
  details: object | undefined;
}

/**
 * An error HTTP response as an AppError. `isParsed` says the body was the provider's JSON; a
 * retry delay from the body, when the provider gives one there, wins over `Retry-After`.
 */
export function responseError(
  provider: string,
  response: UpstreamErrorResponse,
  ctx: Pick<CallContext, 'apiKey' | 'createdAt'>,
  read: ReadProviderError & { isParsed: boolean; retryAfterSeconds?: number | undefined },
): AppError {
  return providerError({
    provider,
    code: read.code,
    providerMessage: read.providerMessage,
    apiKey: ctx.apiKey,
    status: response.status,
    retryAfterSeconds: read.retryAfterSeconds ?? parseRetryAfter(headerValue(response.headers, 'retry-after'), ctx.createdAt),
    details: read.details,
    unparsedBody: read.isParsed ? undefined : response.body,
  });
}

/** An error event inside a stream, which has no HTTP status of its own. */
export function streamEventError(provider: string, ctx: Pick<CallContext, 'apiKey'>, read: ReadProviderError): AppError {
  return providerError({ provider, code: read.code, providerMessage: read.providerMessage, apiKey: ctx.apiKey, status: undefined, details: read.details });
}
