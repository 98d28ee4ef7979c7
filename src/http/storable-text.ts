/**
 * Text that PostgreSQL can store. A `text` value cannot hold NUL (U+0000), and a JSON document
 * cannot hold an unpaired UTF-16 surrogate half; both reach JavaScript strings through a client's
 * JSON escapes (`"\u0000"`, `"\ud800"`) or a URL's `%00`. Without this check such input fails deep
 * in a query as an internal error (500); with it, the client gets a 400 that names the field.
 *
 * Applied to the management API (`/api/*`, middleware) and to the AI endpoint that stores what the
 * client sent (`/v1/videos`, on its parsed JSON or form body). Not to chat, messages, embeddings or images: their bodies go to the provider
 * as sent and are not stored (the usage record's own text is made storable where it is written,
 * usage.store.ts).
 */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../platform/errors.js';
import type { AppEnv } from './context.js';
import { requestHeader } from './node-headers.js';

/** NUL, a high surrogate with no low one after it, or a low surrogate with no high one before it. */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * Where in a parsed JSON value the first unstorable string is (a key or a value), as a path such
 * as `name` or `models[2]` ('' for the value itself); undefined when every string is storable.
 */
export function unstorableTextAt(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = unstorableTextAt(value[index], `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const at = path === '' ? key : `${path}.${key}`;
      if (!isStorableText(key)) return at;
      const found = unstorableTextAt(item, at);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Throws 400 `invalid_request` naming the first unstorable string of a request body (see unstorableTextAt). */
export function assertStorableText(body: unknown): void {
  const at = unstorableTextAt(body);
  if (at === undefined) return;
  throw new AppError('invalid_request', {
    ...(at === '' ? {} : { param: at }),
    message: `${at === '' ? 'The body' : at} contains a NUL character or an unpaired surrogate (\\u0000, \\ud800…), which cannot be stored.`,
  });
}

/**
 * Refuses, with 400 `invalid_request`, a URL carrying `%00` and a JSON body with an unstorable
 * string anywhere. The body is parsed here through Hono's request cache, so the route's own
 * validator reuses the result; a body that is not JSON is left for that validator to refuse.
 * (Routes under /api read bodies only through their validators; a route that needed the raw bytes
 * would get the cached JSON re-encoded.)
 */
export function requireStorableText(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (/%00/i.test(c.req.url)) {
      throw new AppError('invalid_request', { message: 'The URL contains a NUL character (%00), which cannot be stored.' });
    }
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS' && JSON_TYPE.test(requestHeader(c, 'content-type') ?? '')) {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        // Not JSON, or not readable (a chunked body over the limit): the route's validator and the
        // body limit answer for it as before (test/app/auth.test.ts covers the chunked 413).
        return next();
      }
      assertStorableText(body);
    }
    await next();
  };
}
