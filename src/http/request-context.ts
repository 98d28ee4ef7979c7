/**
 * First middleware of every request: request id (the client's `x-request-id` when it is sane,
 * else a new one), client IP, a child logger carrying the id, security headers, and one access
 * log line with the path's secret-bearing query values redacted (for a response the handler writes
 * itself, when it ends: see direct-response.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import { redactUrlPath } from '../platform/redact.js';
import { createAccessLog } from './access-log.js';
import type { AppEnv } from './context.js';
import { startDirectResponse } from './direct-response.js';
import type { RequestTelemetry } from './request-telemetry.js';
import { requestHeader } from './node-headers.js';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const HSTS = 'max-age=31536000; includeSubDomains';
const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['x-frame-options', 'DENY'],
];

export interface RequestContextOptions {
  logger: Logger;
  resolveClientIp: (peer: string | undefined, forwardedFor: string | undefined) => string | null;
  /** Set Connection: close on every response (the server is draining). */
  isDraining: () => boolean;
  /** Metrics and the SERVER span of each request (request-telemetry.ts). */
  telemetry?: (c: Context<AppEnv>) => RequestTelemetry;
}

/**
 * The request's logger, made on first use: most requests never log anything but the access line,
 * and a pino child runs the redaction over its bindings when it is made (measured: ~4% of all
 * bytes a proxied request allocates).
 */
export function lazyChild(logger: Logger, requestId: string): Logger {
  let child: Logger | undefined;
  return new Proxy({} as Logger, {
    get(_, property) {
      child ??= logger.child({ request_id: requestId });
      const value = Reflect.get(child, property, child) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(child) : value;
    },
  });
}

export function requestContext(options: RequestContextOptions): MiddlewareHandler<AppEnv> {
  const { logger, resolveClientIp, isDraining } = options;
  // The access line has a fixed shape with no secret in it (the path's key-bearing query values are
  // redacted below): access-log.ts writes it without pino's generic path.
  // Everything else still goes through the redacting request logger.
  const accessLine = createAccessLog(logger);
  return async (c, next) => {
    const started = performance.now();
    const incomingId = requestHeader(c, 'x-request-id');
    const requestId = incomingId && SAFE_REQUEST_ID.test(incomingId) ? incomingId : `req_${newId()}`;
    const clientIp = resolveClientIp(c.env?.incoming?.socket?.remoteAddress, requestHeader(c, 'x-forwarded-for'));
    const requestLogger = lazyChild(logger, requestId);
    c.set('requestId', requestId);
    c.set('clientIp', clientIp);
    c.set('logger', requestLogger);
    const telemetry = options.telemetry?.(c);
    const https = requestHeader(c, 'x-forwarded-proto') === 'https' || c.req.url.startsWith('https:');
    // Under Node the security headers go on the ServerResponse before the handler runs: the head
    // @hono/node-server writes is merged over them (a handler's own CSP wins), and the response's
    // plain header record is never turned into a Headers object and back (building, setting and
    // converting them was ~2% of a proxied request's CPU profile). Under `app.request()` there is
    // no Node response; see below.
    const outgoing = c.env?.outgoing;
    if (outgoing) {
      outgoing.setHeader('x-request-id', requestId);
      for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
      outgoing.setHeader('content-security-policy', API_CSP);
      if (https) outgoing.setHeader('strict-transport-security', HSTS);
    }

    await (telemetry ? telemetry.run(next) : next());

    if (outgoing) {
      if (isDraining() && !outgoing.headersSent) outgoing.setHeader('connection', 'close');
    } else {
      const headers = c.res.headers;
      headers.set('x-request-id', requestId);
      for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
      if (!headers.has('content-security-policy')) headers.set('content-security-policy', API_CSP);
      if (https) headers.set('strict-transport-security', HSTS);
      if (isDraining()) headers.set('connection', 'close');
    }

    const writeLine = (status: number) => {
      accessLine({
        requestId,
        method: c.req.method,
        path: redactUrlPath(c.req.path + (c.req.url.includes('?') ? c.req.url.slice(c.req.url.indexOf('?')) : '')),
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ip: clientIp,
        userId: c.get('principal')?.userId,
      });
      telemetry?.end(status);
    };

    // A response the handler writes itself (the SSE relay) starts now, with every middleware's
    // headers; its line is written when it ends, with the status it ended with (e.g. 499).
    const direct = startDirectResponse(c);
    if (direct) {
      void direct.then(writeLine, () => writeLine(500));
      return;
    }
    writeLine(c.res.status);
  };
}
