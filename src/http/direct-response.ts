/**
 * Responses a handler writes to the Node `ServerResponse` itself (the SSE relay), bypassing the
 * web ReadableStream that @hono/node-server would otherwise pump chunk by chunk (decision 0008).
 *
 * The handler returns `respondDirectly(...)`: a body-less Response carrying its status and
 * headers plus @hono/node-server's "already sent" marker. Every middleware then adds its headers
 * to it as usual; `requestContext`, the outermost middleware, calls `startDirectResponse` last,
 * which hands the final status and headers to the handler's writer and makes @hono/node-server
 * leave the response alone. Under `app.request()` there is no Node response: handlers check
 * `c.env?.outgoing` and use a web stream instead.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { AppEnv } from './context.js';

/** @hono/node-server's X_ALREADY_SENT (src/utils/response/constants.ts): it writes nothing for such a response. */
const ALREADY_SENT_HEADER = 'x-hono-already-sent';

export interface DirectWriter {
  /** Write the response (headers included); resolves with the status the request ended with, for the access log. */
  start(outgoing: ServerResponse, status: number, headers: OutgoingHttpHeaders): Promise<number>;
  /** The response will not be started after all (a middleware replaced it): release what the writer holds. */
  cancel(): void;
}

export function respondDirectly(c: Context<AppEnv>, status: number, headers: Record<string, string>, writer: DirectWriter): Response {
  c.set('directWriter', writer);
  return new Response(null, { status, headers: { ...headers, [ALREADY_SENT_HEADER]: 'true' } });
}

/**
 * Start the handler's writer, if it returned `respondDirectly(...)` and that response survived the
 * middleware chain. Returns undefined for every other response.
 */
export function startDirectResponse(c: Context<AppEnv>): Promise<number> | undefined {
  const writer = c.get('directWriter');
  if (!writer) return undefined;
  const res = c.res;
  const outgoing = c.env?.outgoing;
  if (!outgoing || !res.headers.has(ALREADY_SENT_HEADER)) {
    writer.cancel();
    return undefined;
  }
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of res.headers) {
    if (name === ALREADY_SENT_HEADER) continue;
    if (name === 'set-cookie') headers[name] = res.headers.getSetCookie();
    else headers[name] = value;
  }
  // Hono re-creates the returned Response whenever a middleware touched `c.res` first, and a
  // body-less Response made under @hono/node-server is its lightweight "cached" kind, whose
  // fast path writes the head and ends the response without looking at the marker. Reading
  // `body` turns it into a regular Response, which takes the path that honours the marker.
  void res.body;
  return writer.start(outgoing, res.status, headers);
}
