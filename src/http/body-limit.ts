/**
 * Request body cap (SWITCHBOARD_MAX_BODY_BYTES) answered with a JSON 413. Requests that declare a
 * Content-Length are judged from the header alone: Hono's bodyLimit reads `c.req.raw.body`, which
 * makes @hono/node-server build a full web Request (with an AbortSignal) for every request, measured
 * at ~10% of a proxied call's CPU. Chunked bodies, which declare no length, go through Hono's
 * counting reader.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../platform/errors.js';
import type { AppEnv } from './context.js';
import { requestHeader } from './node-headers.js';

export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => new AppError('payload_too_large', { message: `The request body exceeds ${maxBytes} bytes.` });
  const counting = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const declared = requestHeader(c, 'content-length');
    if (declared !== undefined && requestHeader(c, 'transfer-encoding') === undefined) {
      if (Number(declared) > maxBytes) throw tooLarge();
      return next();
    }
    return counting(c, next);
  };
}
