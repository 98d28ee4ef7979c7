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
 * An event's data may be given as a function, made when something needs it: a stream that may see
 * it, a replay from the ring, or the message to other replicas. Every AI request publishes a
 * `usage.created`, and most are seen by nobody (no dashboard open, no Redis): building and
 * measuring each one was ~1.5 % of a proxied request's CPU (decision 0039).
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

/** An event as it travels between replicas. */
interface Envelope {
  type: LiveEventType;
  u: string | null;
  t: string | null;
  data: unknown;
}

/** An event in this process: its data and that data's JSON are made once, on first need. */
class HubEvent {
  /** Its number in this process, once delivered. */
  seq = 0;
  #make: (() => unknown) | undefined;
  #data: unknown;
  #json: string | undefined;

  constructor(
    readonly type: LiveEventType,
    readonly u: string | null,
    readonly t: string | null,
    data: unknown,
  ) {
    if (typeof data === 'function') this.#make = data as () => unknown;
    else this.#data = data;
  }

  get data(): unknown {
    if (this.#make) {
      this.#data = this.#make();
      this.#make = undefined;
    }
    return this.#data;
  }

  /** The data's JSON; undefined when it is over MAX_EVENT_BYTES (the event is then seen by nobody). */
  json(log: Logger): string | undefined {
    if (this.#json === undefined) {
      this.#json = JSON.stringify(this.data);
      if (this.#json.length > MAX_EVENT_BYTES) log.warn({ type: this.type }, 'live event too large; dropped');
    }
    return this.#json.length > MAX_EVENT_BYTES ? undefined : this.#json;
  }
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
  const ring: HubEvent[] = [];
  let head = 0;
  let seq = 0;
  const listeners = new Set<{ viewer: () => Viewer; send: (event: LiveEvent) => void }>();
  let outbox: HubEvent[] = [];
  let publishFailing = false;
  let scheduled = false;

  const visible = (viewer: Viewer, event: HubEvent) => (event.u !== null && event.u === viewer.userId) || (event.t !== null && viewer.teams.has(event.t));
  /** What a stream is sent; undefined for an event too large to send. */
  const toLive = (event: HubEvent): LiveEvent | undefined =>
    event.json(log) === undefined ? undefined : { id: `${boot}.${event.seq}`, type: event.type, data: event.data };

  function deliver(event: HubEvent): void {
    seq += 1;
    event.seq = seq;
    ring.push(event);
    if (ring.length - head > options.ringSize) head = ring.length - options.ringSize;
    if (head >= options.ringSize || head === ring.length) {
      ring.splice(0, head);
      head = 0;
    }
    for (const listener of listeners) {
      if (!visible(listener.viewer(), event)) continue;
      const live = toLive(event);
      if (!live) return;
      try {
        listener.send(live);
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
    // The message is `{"o": origin, "e": [Envelope, …]}`, put together from each event's JSON (made once).
    const envelopes: string[] = [];
    for (const event of batch) {
      const data = event.json(log);
      if (data !== undefined) envelopes.push(`{"type":${JSON.stringify(event.type)},"u":${JSON.stringify(event.u)},"t":${JSON.stringify(event.t)},"data":${data}}`);
    }
    for (let start = 0; start < envelopes.length; start += MAX_BATCH) {
      const message = `{"o":${JSON.stringify(origin)},"e":[${envelopes.slice(start, start + MAX_BATCH).join(',')}]}`;
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
        if (event && typeof event.type === 'string') deliver(new HubEvent(event.type, event.u ?? null, event.t ?? null, event.data));
      }
    });
  }

  return {
    /**
     * Queue an event for its audience; cheap (no I/O before the end of this event-loop turn).
     * `data` is the event's JSON-able data, or a function that makes it when it is needed (once).
     */
    publish(type: LiveEventType, audience: Audience, data: unknown): void {
      const u = audience.userId ?? null;
      const t = audience.teamId ?? null;
      if (u === null && t === null) return;
      outbox.push(new HubEvent(type, u, t, data));
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
          const missed: LiveEvent[] = [];
          for (let index = head; index < ring.length; index += 1) {
            const event = ring[index]!;
            const live = event.seq > after && visible(viewer(), event) ? toLive(event) : undefined;
            if (live) missed.push(live);
          }
          return missed;
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
