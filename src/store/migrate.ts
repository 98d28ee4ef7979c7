import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/** Both src/store (tsx) and dist/store (built) sit two levels below the package root. */
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
export const migrationsFolder = path.join(packageRoot, 'src', 'store', 'migrations');

/** Constant key for pg_advisory_lock: "switchboard migrate" hashed once, fixed forever. */
const MIGRATION_LOCK_KEY = 7_420_133_421_911_731n;

export interface MigrationResult {
  applied: number;
  total: number;
}

/** Number of migrations the code expects, for readiness checks. */
export function expectedMigrationCount(): number {
  return readdirSync(migrationsFolder).filter((name) => name.endsWith('.sql')).length;
}

/**
 * Apply pending migrations. Drizzle's migrator takes no lock, so concurrent replicas would race
 * (drizzle-orm#874): we hold a session advisory lock on one dedicated connection for the whole
 * run. A second runner waits, then finds nothing to do. `folder` is for `restore`, which first
 * rebuilds a backup's older schema from the first N migrations.
 */
export async function runMigrations(url: string, folder: string = migrationsFolder): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url, application_name: 'switchboard-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      const before = await countApplied(client);
      await migrate(drizzle(client), { migrationsFolder: folder, migrationsSchema: 'drizzle' });
      const after = await countApplied(client);
      return { applied: after - before, total: after };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await client.end();
  }
}

/** Applied migrations count, or 0 before the first run created the bookkeeping table. */
export async function countApplied(client: Pick<pg.ClientBase, 'query'>): Promise<number> {
  const exists = await client.query<{ present: boolean }>(
    "select to_regclass('drizzle.__drizzle_migrations') is not null as present",
  );
  if (!exists.rows[0]?.present) return 0;
  const result = await client.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
  return result.rows[0]?.n ?? 0;
}
