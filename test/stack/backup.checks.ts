/**
 * OPS.md check 14 on the loopback stack, the part under load: `switchboard backup` runs while the
 * `openai` SDK load goes through nginx (usage rows being written all along); the backup restores
 * into a new empty database with each table's row count between its count just before and just
 * after the dump, and every foreign key holding; a fresh replica on the restored database (its own
 * Redis, started by the stack's start-process) is ready and serves a chat with a restored platform
 * key through the restored provider key. test/app/backup-restore.test.ts covers the rest of check
 * 14 (equal checksums at rest, the dump holds no canary, each refusal, the embedded default).
 */
import path from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { runTool } from '../deploy/tools.js';
import { runCli } from '../helpers/cli.js';
import { freePort, startOwnRedis } from '../helpers/own-redis.js';
import { createEmptyDatabase, queryRows } from '../helpers/test-database.js';
import { api, chat, isAlive, OPENAI_KEYS, request, waitFor, type StackContext } from './harness.js';
import { expectNoServerErrors, startLoad } from './rolling-restart.checks.js';

/** Every public table's row count. */
async function tableCounts(url: string): Promise<Record<string, number>> {
  const tables = await queryRows<{ name: string }>(url, "select tablename as name from pg_tables where schemaname = 'public' order by 1");
  const counts: Record<string, number> = {};
  for (const { name } of tables) counts[name] = (await queryRows<{ n: number }>(url, `select count(*)::int as n from "${name}"`))[0]!.n;
  return counts;
}

/** Each foreign key of the public schema, with the rows that break it (0 when it holds). */
async function foreignKeyViolations(url: string): Promise<Record<string, number>> {
  const keys = await queryRows<{ name: string; child: string; parent: string; child_columns: string[]; parent_columns: string[] }>(
    url,
    `select c.conname as name, c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent,
       array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.i) as child_columns,
       array(select a.attname::text from unnest(c.confkey) with ordinality k(attnum, i) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.i) as parent_columns
     from pg_constraint c where c.contype = 'f' and c.connamespace = 'public'::regnamespace`,
  );
  const violations: Record<string, number> = {};
  for (const key of keys) {
    const present = key.child_columns.map((column) => `x."${column}" is not null`).join(' and ');
    const matches = key.child_columns.map((column, i) => `p."${key.parent_columns[i]}" = x."${column}"`).join(' and ');
    const rows = await queryRows<{ n: number }>(url, `select count(*)::int as n from ${key.child} x where ${present} and not exists (select 1 from ${key.parent} p where ${matches})`);
    violations[key.name] = rows[0]!.n;
  }
  return violations;
}

export function backupChecks(ctx: () => StackContext): void {
  describe('backup round trip under load (check 14)', () => {
    it('backs up under SDK load and restores counts between before and after, every FK holding; a fresh replica on the restore serves a restored key', async () => {
      const { stack, owner } = ctx();
      const created = await api(stack.edge, '/api/keys', { token: owner.token, body: { name: 'backup-load' } });
      expect(created.status, created.body).toBe(201);
      const key = created.json<{ key: string }>().key;
      const cliEnv = { DATABASE_URL: stack.database.url, DATA_DIR: path.join(stack.dir, 'data', 'cli'), NODE_ENV: 'production', SWITCHBOARD_MASTER_KEY: stack.masterKey };
      const logFrom = stack.accessLog().length;

      const load = startLoad(new OpenAI({ apiKey: key, baseURL: `${stack.edge}/v1` }));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const before = await tableCounts(stack.database.url);
      const backup = await runCli(['backup', '--out', path.join(stack.dir, 'backups')], cliEnv);
      const after = await tableCounts(stack.database.url);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const result = await load.stop();
      expect(backup.code, backup.stderr).toBe(0);
      expect(result.errors).toEqual([]);
      expect(result.completed).toBeGreaterThan(0);
      await expectNoServerErrors(ctx(), logFrom, result.completed);
      // The load wrote while the dump ran: the test would prove nothing if nothing moved.
      expect(after.usage_records).toBeGreaterThan(before.usage_records!);

      const target = await createEmptyDatabase();
      const redis = await startOwnRedis();
      let pid: number | undefined;
      try {
        const restore = await runCli(['restore', JSON.parse(backup.stdout).dir as string], { ...cliEnv, DATABASE_URL: target.url });
        expect(restore.code, restore.stderr).toBe(0);
        const restored = await tableCounts(target.url);
        expect(Object.keys(restored).sort()).toEqual(Object.keys(before).sort());
        for (const [table, count] of Object.entries(restored)) {
          const [low, high] = [Math.min(before[table]!, after[table]!), Math.max(before[table]!, after[table]!)];
          expect(count, table).toBeGreaterThanOrEqual(low);
          expect(count, table).toBeLessThanOrEqual(high);
        }
        const violations = await foreignKeyViolations(target.url);
        expect(Object.keys(violations).length).toBeGreaterThan(5);
        expect(Object.entries(violations).filter(([, n]) => n > 0)).toEqual([]);

        // The live stack's call with this key, for the provider key it is expected to use.
        expect((await chat(stack.edge, key)).status).toBe(200);
        const liveCredential = stack.openai.requests.at(-1)?.credential;
        expect(OPENAI_KEYS).toContain(liveCredential);

        // A fresh replica on the restored database, started the way the stack starts its replicas.
        const port = await freePort();
        const env = { ...stack.env, DATABASE_URL: target.url, REDIS_URL: redis.url };
        const started = runTool(path.join(stack.dir, 'start-process'), ['restored', '127.0.0.1', String(port)], { env });
        expect(started.status, started.output).toBe(0);
        pid = stack.pidOf('restored');
        const base = `http://127.0.0.1:${port}`;
        await waitFor('the restored replica /readyz', async () => ((await request(`${base}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 60_000, 100);
        const answer = await chat(base, key);
        expect(answer.status, answer.body).toBe(200);
        expect(stack.openai.requests.at(-1)?.credential).toBe(liveCredential);
      } finally {
        if (pid !== undefined && isAlive(pid)) {
          process.kill(pid, 'SIGTERM');
          await waitFor('the restored replica to exit', () => (isAlive(pid!) ? undefined : true), 30_000, 100).catch(() => process.kill(pid!, 'SIGKILL'));
        }
        await redis.kill();
        await target.drop();
      }
    }, 120_000);
  });
}
