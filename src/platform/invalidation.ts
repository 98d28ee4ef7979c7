/**
 * Cache invalidation that reaches every process at once. A change (key revoked, integration
 * replaced, membership removed) is published on a topic; every process drops what it cached.
 *
 * Without Redis there is one process, and the bus is a local dispatch. With Redis each message
 * goes through one pub/sub channel; the publishing process also applies it locally right away,
 * so its own next request never sees the stale entry, and ignores its own echo.
 *
 * Pub/sub is fire-and-forget: a replica disconnected from Redis misses messages. The caches it
 * guards therefore also carry a TTL, and a replica that reconnects drops everything it cached
 * (`onResync`), since it cannot know what it missed.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from './logger.js';
import type { RedisConnections } from './redis.js';

/**
 * Topics and their keys: `platform_key` key id; `integration` `<user|team>:<ownerId>:<id>`;
 * `membership` `<teamId>:<userId>`; `user` user id; `team` team id; `session` session id;
 * `price` the price override id (every replica reloads the overrides); `route` `<user|team>:<ownerId>`;
 * `budget` the budget id; `keyring` `rotated` (data keys were rewrapped: readiness and the
 * wrapped-key counts are recounted at once).
 */
export type InvalidationTopic = 'platform_key' | 'integration' | 'membership' | 'user' | 'team' | 'session' | 'price' | 'route' | 'budget' | 'keyring';

export interface InvalidationBus {
  /** Tell every process that `key` under `topic` changed. Applied locally before it returns. */
  publish(topic: InvalidationTopic, key: string): void;
  /** Register a handler; `key` is whatever the publisher sent. */
  subscribe(topic: InvalidationTopic, handler: (key: string) => void): void;
  /** Called when this process may have missed messages: drop every cached entry. */
  onResync(handler: () => void): void;
  close(): Promise<void>;
}

export const INVALIDATION_CHANNEL = 'switchboard:invalidate';

function createDispatcher(logger: Logger) {
  const handlers = new Map<InvalidationTopic, Array<(key: string) => void>>();
  const resyncHandlers: Array<() => void> = [];
  return {
    handlers,
    resyncHandlers,
    dispatch(topic: InvalidationTopic, key: string) {
      for (const handler of handlers.get(topic) ?? []) {
        try {
          handler(key);
        } catch (error) {
          logger.error({ err: error, topic }, 'invalidation handler failed');
        }
      }
    },
    subscribe(topic: InvalidationTopic, handler: (key: string) => void) {
      handlers.set(topic, [...(handlers.get(topic) ?? []), handler]);
    },
    resync() {
      for (const handler of resyncHandlers) handler();
    },
  };
}

export function createLocalInvalidationBus(logger: Logger): InvalidationBus {
  const dispatcher = createDispatcher(logger);
  return {
    publish: (topic, key) => dispatcher.dispatch(topic, key),
    subscribe: (topic, handler) => dispatcher.subscribe(topic, handler),
    onResync: (handler) => dispatcher.resyncHandlers.push(handler),
    async close() {},
  };
}

interface WireMessage {
  o: string;
  t: InvalidationTopic;
  k: string;
}

/** Publish one change from a process that keeps no caches itself (a CLI command); resolves once Redis has it. */
export async function publishInvalidation(redis: RedisConnections, topic: InvalidationTopic, key: string): Promise<void> {
  const message: WireMessage = { o: randomBytes(8).toString('hex'), t: topic, k: key };
  await redis.client.publish(INVALIDATION_CHANNEL, JSON.stringify(message));
}

export async function createRedisInvalidationBus(redis: RedisConnections, logger: Logger): Promise<InvalidationBus> {
  const log = logger.child({ component: 'invalidation' });
  const dispatcher = createDispatcher(log);
  const origin = randomBytes(8).toString('hex');
  const subscriber = redis.subscriber();
  let everReady = false;
  subscriber.on('ready', () => {
    // ioredis resubscribes on reconnect; whatever was published meanwhile is lost to us.
    if (everReady) dispatcher.resync();
    everReady = true;
  });
  subscriber.on('message', (channel: string, raw: string) => {
    if (channel !== INVALIDATION_CHANNEL) return;
    let message: WireMessage;
    try {
      message = JSON.parse(raw) as WireMessage;
    } catch {
      log.warn('ignoring a malformed invalidation message');
      return;
    }
    if (message.o === origin) return;
    dispatcher.dispatch(message.t, message.k);
  });
  await subscriber.subscribe(INVALIDATION_CHANNEL);
  everReady = true;
  return {
    publish(topic, key) {
      dispatcher.dispatch(topic, key);
      const message: WireMessage = { o: origin, t: topic, k: key };
      redis.client.publish(INVALIDATION_CHANNEL, JSON.stringify(message)).catch((error: unknown) => {
        // Other replicas fall back to their cache TTL for this change; say so loudly.
        log.error({ err: error, topic }, 'could not publish an invalidation; other replicas keep their cache until its TTL');
      });
    },
    subscribe: (topic, handler) => dispatcher.subscribe(topic, handler),
    onResync: (handler) => dispatcher.resyncHandlers.push(handler),
    async close() {
      await subscriber.unsubscribe(INVALIDATION_CHANNEL).catch(() => undefined);
    },
  };
}
