/**
 * The one place errors become responses. AppErrors render with their code and source; storage
 * outages become a clear 503; anything else is our bug: logged with its stack, answered as a
 * generic `internal_error` that leaks nothing but the request id.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, isAppError, toAnthropicErrorBody, toErrorBody } from '../platform/errors.js';
import type { AppEnv } from './context.js';

/** Connection-level failures of PostgreSQL: the database is down or unreachable, not our logic. */
function isStorageOutage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === '57P01' || // admin_shutdown
    code === '57P03' || // cannot_connect_now
    code === '53300' || // too_many_connections
    code.startsWith('08') // connection_exception class
  );
}

/** node-postgres reports a lost or refused connection with these messages and no code. */
const CONNECTION_LOST = /Connection terminated|timeout exceeded when trying to connect|is not queryable/i;

/** Drizzle wraps driver errors (DrizzleQueryError, `cause` = the pg error), so look down the chain. */
function someCause(error: unknown, test: (error: unknown) => boolean): boolean {
  let current = error;
  for (let depth = 0; depth < 4 && current !== null && current !== undefined; depth += 1) {
    if (test(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const isStorageFailure = (error: unknown) => someCause(error, (e) => isStorageOutage(e) || CONNECTION_LOST.test(String((e as Error).message)));

/**
 * PostgreSQL refused a NUL in text (22021, character_not_in_repertoire): client input that no
 * check caught before the query (storable-text.ts refuses it up front where requests store text).
 */
const isNulInText = (error: unknown) => someCause(error, (e) => (e as { code?: unknown }).code === '22021');

export function classifyError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new AppError('payload_too_large');
    if (error.status === 415) return new AppError('unsupported_media_type');
    if (/Malformed JSON/i.test(error.message)) return new AppError('invalid_json');
    return new AppError(error.status >= 500 ? 'internal_error' : 'invalid_request', { status: error.status, cause: error });
  }
  if (isStorageFailure(error)) return new AppError('storage_unavailable', { cause: error });
  if (isNulInText(error)) return new AppError('invalid_request', { message: 'The request contains a NUL character (\\u0000), which cannot be stored.', cause: error });
  return new AppError('internal_error', { cause: error });
}

/** The Anthropic-compatible endpoints answer errors in Anthropic's shape, auth failures included. */
export function isAnthropicSurface(path: string): boolean {
  return path === '/v1/messages' || path.startsWith('/v1/messages/');
}

export function renderError(c: Context<AppEnv>, error: AppError): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  if (error.status === 401 && error.source === 'user' && !error.code.startsWith('provider_')) {
    headers['www-authenticate'] = 'Bearer';
  }
  if (isAnthropicSurface(c.req.path)) {
    // Anthropic's SDKs read `request-id` and honour `x-should-retry` over their own status rules.
    const requestId = c.get('requestId') ?? '';
    headers['request-id'] = requestId;
    headers['x-should-retry'] = String(error.retryable);
    return c.body(JSON.stringify(toAnthropicErrorBody(error, requestId)), error.status as 400, headers);
  }
  return c.body(JSON.stringify(toErrorBody(error)), error.status as 400, headers);
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const appError = classifyError(error);
  const logger = c.get('logger');
  if (appError.source === 'platform') {
    logger?.error({ err: error, code: appError.code }, 'request failed');
  } else {
    logger?.debug({ code: appError.code, source: appError.source }, 'request rejected');
  }
  return renderError(c, appError);
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  renderError(c, new AppError('route_not_found', { message: `No endpoint ${c.req.method} ${c.req.path}.` }));
