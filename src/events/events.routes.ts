/**
 * GET /api/events: a Server-Sent Events stream of what the caller may see (their own events and
 * their teams'). Authenticated like every management call, with `Authorization: Bearer` (the
 * web app reads it with fetch; tokens never go in the query string). A platform key may open it
 * too; a team-scoped key sees that team's events and its owner's.
 *
 * Each event has an `id:`; reconnecting with `Last-Event-ID` replays what was missed from this
 * process's ring, or sends one `resync` event (see event-hub.ts). A `: heartbeat` comment goes
 * out every SWITCHBOARD_EVENTS_HEARTBEAT_MS. The stream ends when the session or key that opened
 * it is revoked (after a `session.revoked` / `key.revoked` event), when its access token expires
 * (the client reconnects with a fresh one), when the user is disabled, when
 * the client falls more than MAX_QUEUED events behind (it resumes with Last-Event-ID), and at shutdown.
 */
import { z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter } from '../http/openapi.js';
import type { LiveEvent } from './event-hub.js';
import { IntegrationStatusEventSchema } from './integration-status.js';
import type { LiveStreams } from './live-streams.js';

/** Events waiting for a slow client before its stream is ended. */
const MAX_QUEUED = 1_000;

/**
 * When the access token that opened the stream expires (its `exp`, already verified by
 * authentication): the stream ends then, and the client reconnects with a fresh token. Platform
 * keys (not JWTs) answer undefined.
 */
export function accessTokenExpiry(authorization: string | undefined): number | undefined {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function eventsRoutes(streams: LiveStreams, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  // Event data shapes the document names (usage.created is a UsageRecord) so clients can type them.
  router.openAPIRegistry.register('IntegrationStatusEvent', IntegrationStatusEventSchema);
  router.openAPIRegistry.registerPath({
    method: 'get',
    path: '/events',
    tags: ['events'],
    security: bearerSecurity,
    summary: 'Live events (SSE): integration.status, usage.created, budget.alert, key.revoked, session.revoked, resync',
    request: { headers: z.object({ 'last-event-id': z.string().max(64).optional() }) },
    responses: {
      200: { description: 'An event stream (text/event-stream); see docs/api.md for each event', content: { 'text/event-stream': { schema: z.string() } } },
      401: commonErrors[401],
    },
  });
  router.get('/events', requireAuth, (c) => {
    const principal = c.get('principal');
    const lastEventId = c.req.header('last-event-id')?.slice(0, 64);
    const expiresAt = principal.sessionId ? accessTokenExpiry(c.req.header('authorization')) : undefined;
    return streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let ended = false;
      let wake: (() => void) | undefined;
      const poke = () => {
        wake?.();
        wake = undefined;
      };
      const finish = () => {
        ended = true;
        poke();
      };
      stream.onAbort(finish);
      const handle = await streams.open(
        principal,
        (event) => {
          if (queue.length >= MAX_QUEUED) return finish();
          queue.push(event);
          poke();
        },
        finish,
      );
      const heartbeat = setInterval(() => {
        stream.write(': heartbeat\n\n').catch(finish);
      }, streams.heartbeatMs);
      heartbeat.unref();
      const expiry = expiresAt === undefined ? undefined : setTimeout(finish, Math.max(0, expiresAt - Date.now()));
      expiry?.unref();
      try {
        await stream.write(': connected\n\n');
        const replayed = handle.subscription.replay(lastEventId);
        const seen = new Set(replayed.map((event) => event.id));
        for (const event of replayed) await stream.writeSSE({ event: event.type, id: event.id, data: JSON.stringify(event.data) });
        while (!stream.aborted && (!ended || queue.length > 0)) {
          const event = queue.shift();
          if (!event) {
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          if (event.id !== '' && seen.has(event.id)) continue;
          await stream.writeSSE({ event: event.type, ...(event.id ? { id: event.id } : {}), data: JSON.stringify(event.data) });
        }
      } finally {
        clearInterval(heartbeat);
        if (expiry) clearTimeout(expiry);
        handle.close();
      }
    });
  });
  return router;
}
