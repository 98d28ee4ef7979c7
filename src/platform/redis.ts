/**
 * Redis connections. One command connection per process (rate limits, counters) and, lazily, one
 * subscriber connection for pub/sub (a subscribed ioredis connection can run nothing else).
 *
 * Commands fail fast while Redis is down (no offline queue growing without bound): callers decide
 * whether to fail open or closed.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

export interface RedisConnections {
  /** For commands. */
  client: Redis;
  /** A separate connection for SUBSCRIBE, created on first use. */
  subscriber(): Redis;
  ping(timeoutMs: number): Promise<'ok' | 'unreachable'>;
  close(): Promise<void>;
}

export function connectRedis(url: string, logger: Logger, connectionName = 'switchboard'): RedisConnections {
  const options: RedisOptions = {
    connectionName,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    // Reconnect forever with a capped backoff: Redis coming back must heal every replica.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  };
  const log = logger.child({ component: 'redis' });
  const watch = (connection: Redis, role: string) => {
    let healthy = true;
    connection.on('error', (error: Error) => {
      // ioredis repeats the same error on every reconnect attempt: log the transition, not the storm.
      if (healthy) log.warn({ err: { message: error.message }, role }, 'redis connection error');
      healthy = false;
    });
    connection.on('ready', () => {
      if (!healthy) log.info({ role }, 'redis connection restored');
      healthy = true;
    });
    return connection;
  };
  const client = watch(new Redis(url, options), 'client');
  let sub: Redis | undefined;
  return {
    client,
    subscriber() {
      sub ??= watch(new Redis(url, { ...options, connectionName: `${connectionName}-sub`, maxRetriesPerRequest: null }), 'subscriber');
      return sub;
    },
    async ping(timeoutMs) {
      try {
        const answer = await Promise.race([
          client.ping(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
        ]);
        return answer === 'PONG' ? 'ok' : 'unreachable';
      } catch {
        return 'unreachable';
      }
    },
    async close() {
      await Promise.allSettled([client.quit(), sub?.quit()]);
      client.disconnect();
      sub?.disconnect();
    },
  };
}
