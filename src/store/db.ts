import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.js';

export type Database = NodePgDatabase<typeof schema>;
/** A Drizzle handle or an open transaction: stores accept either. */
export type DbExecutor = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseHandle {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

// bigint columns are read as numbers in the schema (mode: 'number'); make raw queries agree.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface ConnectOptions {
  maxConnections?: number;
  applicationName?: string;
  /** Called once per query sent on any of the pool's connections (for the query counter). */
  onQuery?: () => void;
  /**
   * Client-side deadline per query. A connection that silently stops answering (a network
   * partition, a half-open proxy) otherwise leaves the query, and anything waiting on it such as
   * the shutdown flush, pending forever.
   */
  queryTimeoutMs?: number;
}

export function connectDatabase(url: string, options: ConnectOptions = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'switchboard',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: options.queryTimeoutMs ?? 30_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor may a checked-out one (a transaction in flight): pg-pool listens only to idle clients, and
  // an unhandled 'error' event is an uncaught exception. The pending query rejects with the error
  // anyway, and pg-pool discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const { onQuery } = options;
  if (onQuery) {
    // pg has no per-query hook; Pool.query and transactions both end in Client#query, so wrapping
    // it on each new connection counts every query exactly once.
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        onQuery();
        return query(...args);
      };
    });
  }
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
