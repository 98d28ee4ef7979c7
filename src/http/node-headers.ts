/**
 * Request and response headers through the Node objects when there are any.
 *
 * `requestHeader`: a request header as a string, read from the Node request when there is one.
 *
 * `c.req.header()` goes through @hono/node-server's web `Headers`, which it builds from the raw
 * headers on first use (every name and value validated, a WebIDL object per request); Node's own
 * `incoming.headers` is a plain object it parses anyway. The hot path reads only a handful of
 * headers, so it reads them here and the `Headers` object is never made (issue 3: ~1.5 % of a
 * proxied request's CPU). Under `app.request()` there is no Node request: Hono's accessor answers.
 *
 * Node's rules for repeated headers apply: most are joined with ", ", and a repeated
 * `authorization`, `content-type` or `content-length` keeps its first value (a web `Headers` would
 * join those too).
 */
import type { Context } from 'hono';
import type { AppEnv } from './context.js';

/** `name` in lower case, as Node keys `incoming.headers`. */
export function requestHeader(c: Context<AppEnv>, name: string): string | undefined {
  const incoming = c.env?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Set (or, with undefined, remove) a response header. With a Node response whose head is not out
 * yet it goes straight onto it, as request-context.ts does with the security headers: whatever
 * response the handler returns is written with it (its own headers win), and no web `Headers` is
 * made for it. Under `app.request()`, Hono's `c.header`.
 */
export function setResponseHeader(c: Context<AppEnv>, name: string, value: string | undefined): void {
  const outgoing = c.env?.outgoing;
  if (!outgoing || outgoing.headersSent) {
    c.header(name, value);
    return;
  }
  if (value === undefined) outgoing.removeHeader(name);
  else outgoing.setHeader(name, value);
}
