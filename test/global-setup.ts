/**
 * Once per test run: start one embedded PostgreSQL (the product's default store) and, when
 * SWITCHBOARD_TEST_DATABASE_URL is set, use that external PostgreSQL too. In each, build a migrated
 * template database; every test file then clones its own database from it (CREATE DATABASE …
 * TEMPLATE is fast), so files run in parallel without sharing state and without an initdb each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../src/platform/logger.js';
import { openEmbeddedDatabase } from '../src/store/embedded-postgres.js';
import { runMigrations } from '../src/store/migrate.js';

export const TEMPLATE_DATABASE = 'switchboard_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URLs (any database) of the servers under test, by target name. */
    testDatabaseAdminUrls: Record<string, string>;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function buildTemplate(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
    await client.query(`create database ${TEMPLATE_DATABASE}`);
  } finally {
    await client.end();
  }
  await runMigrations(withDatabase(adminUrl, TEMPLATE_DATABASE));
}

/** Runs once per project that lists it; each project prepares only the server it targets. */
export default async function setup(project: TestProject) {
  const target = project.config.env?.SWITCHBOARD_TEST_DB_TARGET ?? 'embedded';
  if (target === 'external') {
    const external = process.env.SWITCHBOARD_TEST_DATABASE_URL;
    if (!external) throw new Error('SWITCHBOARD_TEST_DATABASE_URL is required for the external PostgreSQL project');
    await buildTemplate(external);
    project.provide('testDatabaseAdminUrls', { external });
    return undefined;
  }
  const logger = createLogger({ level: 'warn' });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-pg-'));
  const embedded = await openEmbeddedDatabase({ dataDir, role: 'server', logger });
  await buildTemplate(embedded.url);
  project.provide('testDatabaseAdminUrls', { embedded: embedded.url });
  return async () => {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
