/**
 * Live events for GET /api/events: every process publishes what happened (a usage row accepted,
 * an integration's status changed, a budget threshold crossed, a key or session revoked) with
 * its audience (a user, a team, or both), and every process delivers it to the streams it holds
 * whose caller may see it: the user themself, or a member of the team.
 *
 * Across replicas events travel on their own Redis pub/sub channel (`switchboard:events`, not the
 * invalidation channel), in small batches: `publish()` only pushes to an array, and one message
 * per event-loop turn carries everything published meanwhile (at most MAX_BATCH events). An event
 * whose JSON exceeds MAX_EVENT_BYTES is dropped with a warning, so a message stays bounded. The
 * publishing process delivers its own events at once and ignores their echo. Without Redis the
 * hub is local. Pub/sub is fire-and-forget: a replica cut off from Redis misses events, and its
 * clients resync (below) when they reconnect.
 *
 * Ids: each process numbers the events it delivers (`<boot>.<seq>`) and keeps the last
 * `ringSize` in memory. A client that reconnects with `Last-Event-ID` gets what it missed from
 * that ring when the id is from this process and still in the ring; otherwise (another replica,
 * a restart, or too far behind) it gets one `resync` event and must refetch what it shows.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../platform/logger.js';
import type { RedisConnections } from '../platform/redis.js';

export type LiveEventType = 'integration.status' | 'usage.created' | 'budget.alert' | 'key.revoked' | 'session.revoked';

/** Who may see an event: the user, and every member of the team. */
export interface Audience {
  userId?: string | null | undefined;
  teamId?: string | null | undefined;
}

export interface LiveEvent {
  id: string;
  type: LiveEventType | 'resync';
  data: unknown;
}

interface Envelope {
  type: LiveEventType;
  u: string | null;
  t: string | null;
  data: unknown;
}

interface Delivered extends Envelope {
  seq: number;
}

/** What a stream's caller may see. `teams` is replaced when their memberships change. */
export interface Viewer {
  userId: string;
  teams: ReadonlySet<string>;
}

export interface Subscription {
  /** Events after `lastEventId` still in the ring, or a single `resync` event when they are not. */
  replay(lastEventId: string | undefined): LiveEvent[];
  close(): void;
}

export const EVENTS_CHANNEL = 'switchboard:events';
export const MAX_EVENT_BYTES = 16_384;
export const MAX_BATCH = 200;

export interface EventHubOptions {
  redis: RedisConnections | undefined;
  logger: Logger;
  ringSize: number;
}

export function createEventHub(options: EventHubOptions) {
  const log = options.logger.child({ component: 'events' });
  const origin = randomBytes(6).toString('hex');
  const boot = randomBytes(4).toString('hex');
  // The ring is `ring[head…]`: entries before `head` left it, and are cut off in one splice once
  // there are ringSize of them (a splice per event moved the whole ring on every request).
  const ring: Delivered[] = [];
  let head = 0;
  let seq = 0;
  const listeners = new Set<{ viewer: () => Viewer; send: (event: LiveEvent) => void }>();
  let outbox: Envelope[] = [];
  let publishFailing = false;
  let scheduled = false;

  const visible = (viewer: Viewer, event: Envelope) => (event.u !== null && event.u === viewer.userId) || (event.t !== null && viewer.teams.has(event.t));
  const toLive = (event: Delivered): LiveEvent => ({ id: `${boot}.${event.seq}`, type: event.type, data: event.data });

  function deliver(event: Envelope): void {
    seq += 1;
    const delivered: Delivered = { ...event, seq };
    ring.push(delivered);
    if (ring.length - head > options.ringSize) head = ring.length - options.ringSize;
    if (head >= options.ringSize || head === ring.length) {
      ring.splice(0, head);
      head = 0;
    }
    for (const listener of listeners) {
      if (!visible(listener.viewer(), event)) continue;
      try {
        listener.send(toLive(delivered));
      } catch (error) {
        log.warn({ err: error }, 'an event listener failed');
      }
    }
  }

  function flush(): void {
    scheduled = false;
    const batch = outbox;
    outbox = [];
    for (const event of batch) deliver(event);
    if (!options.redis) return;
    for (let start = 0; start < batch.length; start += MAX_BATCH) {
      const message = JSON.stringify({ o: origin, e: batch.slice(start, start + MAX_BATCH) });
      options.redis.client.publish(EVENTS_CHANNEL, message).then(
        () => {
          if (publishFailing) log.info('live events reach other replicas again');
          publishFailing = false;
        },
        (error: unknown) => {
          // Once per outage, not once per batch: every request publishes.
          if (!publishFailing) log.warn({ err: error }, 'could not publish live events; streams on other replicas miss them until Redis is back');
          publishFailing = true;
        },
      );
    }
  }

  // Subscribed when the first stream opens: a process that never serves one (the worker, the CLI)
  // does not parse every replica's events.
  let subscribed: Promise<void> | undefined;
  let listening = false;
  function ensureSubscribed(): Promise<void> {
    if (!options.redis) return Promise.resolve();
    if (subscribed) return subscribed;
    const subscriber = options.redis.subscriber();
    if (!listening) listen(subscriber);
    subscribed = subscriber.subscribe(EVENTS_CHANNEL).then(
      () => undefined,
      (error: unknown) => {
        log.error({ err: error }, 'could not subscribe to live events');
        subscribed = undefined;
      },
    );
    return subscribed;
  }

  function listen(subscriber: ReturnType<RedisConnections['subscriber']>): void {
    listening = true;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== EVENTS_CHANNEL) return;
      let message: { o?: unknown; e?: unknown };
      try {
        message = JSON.parse(raw) as { o?: unknown; e?: unknown };
      } catch {
        log.warn('ignoring a malformed live-event message');
        return;
      }
      if (message.o === origin || !Array.isArray(message.e)) return;
      for (const event of message.e.slice(0, MAX_BATCH) as Envelope[]) {
        if (event && typeof event.type === 'string') deliver({ type: event.type, u: event.u ?? null, t: event.t ?? null, data: event.data });
      }
    });
  }

  return {
    /** Queue an event for its audience; cheap (no I/O before the end of this event-loop turn). */
    publish(type: LiveEventType, audience: Audience, data: unknown): void {
      const envelope: Envelope = { type, u: audience.userId ?? null, t: audience.teamId ?? null, data };
      if (envelope.u === null && envelope.t === null) return;
      if (JSON.stringify(data).length > MAX_EVENT_BYTES) {
        log.warn({ type }, 'live event too large; dropped');
        return;
      }
      outbox.push(envelope);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },

    /** Start delivering to `send`; `viewer()` is read per event, so membership changes apply at once. */
    /** Resolves once this process receives other replicas' events (subscribes on first use). */
    ready: ensureSubscribed,

    subscribe(viewer: () => Viewer, send: (event: LiveEvent) => void): Subscription {
      void ensureSubscribed();
      const listener = { viewer, send };
      listeners.add(listener);
      return {
        replay(lastEventId) {
          if (lastEventId === undefined || lastEventId === '') return [];
          const [idBoot, idSeq] = lastEventId.split('.');
          const after = Number(idSeq);
          const oldest = ring[head]?.seq ?? seq + 1;
          // Resumable: our id, not from the future, and nothing after it has left the ring.
          if (idBoot !== boot || !Number.isInteger(after) || after > seq || after < oldest - 1) {
            return [{ id: `${boot}.${seq}`, type: 'resync', data: { reason: 'The events since Last-Event-ID are not available here; refetch what you show.' } }];
          }
          const kept = ring.slice(head);
          return kept.filter((event) => event.seq > after && visible(viewer(), event)).map(toLive);
        },
        close() {
          listeners.delete(listener);
        },
      };
    },

    /** Open streams in this process. */
    streams(): number {
      return listeners.size;
    },

    /** Deliver what is queued now (shutdown). */
    flush,
  };
}

export type EventHub = ReturnType<typeof createEventHub>;
