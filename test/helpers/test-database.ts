import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

const TEMPLATE_DATABASE = 'switchboard_test_template';

/** Which PostgreSQL this vitest project runs against: the embedded default or an external server. */
export const databaseTarget = (): string => process.env.SWITCHBOARD_TEST_DB_TARGET ?? 'embedded';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const target = databaseTarget();
  const adminUrl = inject('testDatabaseAdminUrls')[target];
  if (!adminUrl) throw new Error(`no test database server for target "${target}"`);
  const name = `switchboard_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A new, empty database on the server under test (no template: nothing in it), e.g. a restore target. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const target = databaseTarget();
  const adminUrl = inject('testDatabaseAdminUrls')[target];
  if (!adminUrl) throw new Error(`no test database server for target "${target}"`);
  const name = `switchboard_restore_${randomBytes(6).toString('hex')}`;
  await queryRows(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => queryRows(adminUrl, `drop database if exists ${name} with (force)`).then(() => undefined) };
}

/** One query on its own connection (tests reading or planting rows behind the API). */
export async function queryRows<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
