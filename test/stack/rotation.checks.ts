/**
 * OPS.md check 16 on the loopback stack: master-key rotation under load, 0 failed requests. 20
 * tenants (teams) each store a provider key, wrapped under the stack's master key K1; the official
 * `openai` SDK keeps 8 requests in flight through nginx (half streaming, default retries), going
 * round the tenants' keys, while the runbook of docs/ops.md runs:
 *   1. rolling restart with SWITCHBOARD_MASTER_KEY=K2 and SWITCHBOARD_MASTER_KEYS_PREVIOUS=K1;
 *   2. `switchboard keys rotate-master --batch 5`;
 *   3. `--verify` → 0 rows under K1;
 *   4. rolling restart with K2 only.
 * Required: 0 SDK errors, 0 × 5xx in nginx's access log, switchboard_secret_decrypt_failures_total
 * 0 on both replicas (read before each of their restarts and at the end),
 * switchboard_wrapped_keys{kek_id=K1} down to 0, and no canary (K1, K2, the 20 provider keys) in
 * the processes' logs, nginx's logs, /metrics, the CLI's output or an API response.
 * This check changes the stack's master key: it runs last.
 * test/app/key-rotation.test.ts covers the rest of check 16 in process (kill -9 mid-rewrap and a
 * re-run; a replica with K2 only before the rewrap stays not-ready).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { parseMasterKey } from '../../src/vault/keyring.js';
import { runCli } from '../helpers/cli.js';
import { queryRows } from '../helpers/test-database.js';
import { api, CANARY_OPENAI_KEYS, metricSum, REPLICAS, request, waitFor, type StackContext } from './harness.js';
import { expectNoServerErrors, rollingRestart, startLoad } from './rolling-restart.checks.js';

const BATCH = 5;

async function countsByKek(ctx: StackContext): Promise<Record<string, number>> {
  const rows = await queryRows<{ kek_id: string; n: number }>(ctx.stack.database.url, 'select kek_id, count(*)::int as n from data_keys group by kek_id');
  return Object.fromEntries(rows.map((row) => [row.kek_id, row.n]));
}

/** Each replica's /metrics, after a /readyz (which refreshes the wrapped-keys gauge). */
async function replicaMetrics(ctx: StackContext): Promise<string[]> {
  return Promise.all(
    REPLICAS.map(async (name) => {
      await request(`${ctx.stack.replica[name]}/readyz`);
      return (await request(`${ctx.stack.replica[name]}/metrics`)).body;
    }),
  );
}

const decryptFailures = (metrics: string) => metricSum(metrics, /^switchboard_secret_decrypt_failures_total\b/);
const wrappedUnder = (metrics: string, kekId: string) => metricSum(metrics, new RegExp(`^switchboard_wrapped_keys\\{[^}]*kek_id="${kekId}"`));

export function rotationChecks(ctx: () => StackContext): void {
  describe('master-key rotation under load (check 16)', () => {
    it('rewraps every data key from K1 to K2 through two rolling restarts: 0 SDK errors, 0 5xx, 0 decrypt failures, no canary anywhere', async () => {
      const { stack, member } = ctx();
      const K1 = stack.masterKey;
      const K2 = randomBytes(32).toString('base64');
      const [K1_ID, K2_ID] = [parseMasterKey(K1, 'K1').id, parseMasterKey(K2, 'K2').id];
      const responses: string[] = [];
      const outputs: string[] = [];

      // 20 tenants (teams), each with its provider key (wrapped under its team's data key, under K1)
      // and a platform key. They belong to the member, who has no provider key of their own: a
      // caller's own integration would serve before the team's. Each tenant's calls come from an
      // address of its own: 60 quick calls from one address would meet its /api budget.
      const clients: OpenAI[] = [];
      for (const [index, providerKey] of CANARY_OPENAI_KEYS.entries()) {
        const localAddress = `127.0.1.${index + 1}`;
        const team = await api(stack.edge, '/api/teams', { token: member.token, body: { name: `Rotation tenant ${index}` }, localAddress });
        expect(team.status, team.body).toBe(201);
        const teamId = team.json<{ id: string }>().id;
        const stored = await api(stack.edge, `/api/teams/${teamId}/integrations`, { token: member.token, body: { service: 'openai', api_key: providerKey }, localAddress });
        expect(stored.status, stored.body).toBe(201);
        const key = await api(stack.edge, '/api/keys', { token: member.token, body: { name: `rotation ${index}`, team_id: teamId }, localAddress });
        expect(key.status, key.body).toBe(201);
        responses.push(team.body, stored.body, key.body);
        clients.push(new OpenAI({ apiKey: key.json<{ key: string }>().key, baseURL: `${stack.edge}/v1` }));
      }
      const before = await countsByKek(ctx());
      expect(Object.keys(before)).toEqual([K1_ID]);
      expect(before[K1_ID]).toBeGreaterThanOrEqual(CANARY_OPENAI_KEYS.length + 2);
      const metricsBefore = await replicaMetrics(ctx());
      // (The gauge is a count cached for up to 10 s: the newest tenants may not be in it yet.)
      for (const metrics of metricsBefore) expect(wrappedUnder(metrics, K1_ID)).toBeGreaterThan(0);

      const logFrom = stack.accessLog().length;
      const providerCallsFrom = stack.openai.requests.length;
      const load = startLoad(clients);
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      // 1. Every replica (and the worker) reads both keys; new data keys are wrapped under K2.
      Object.assign(stack.env, { SWITCHBOARD_MASTER_KEY: K2, SWITCHBOARD_MASTER_KEYS_PREVIOUS: K1 });
      const firstRestart = await rollingRestart(ctx());
      outputs.push(firstRestart.stdout, firstRestart.stderr);
      expect(firstRestart.stderr).not.toMatch(/SIGKILL|aborting/);

      // 2. The rewrap, in batches of 5, while the load goes on.
      const cliEnv = {
        DATABASE_URL: stack.database.url,
        DATA_DIR: path.join(stack.dir, 'data', 'cli'),
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        SWITCHBOARD_MASTER_KEY: K2,
        SWITCHBOARD_MASTER_KEYS_PREVIOUS: K1,
      };
      const rotate = await runCli(['keys', 'rotate-master', '--batch', String(BATCH)], cliEnv);
      outputs.push(rotate.stdout, rotate.stderr);
      expect(rotate.code, rotate.stderr).toBe(0);
      const report = JSON.parse(rotate.stdout) as { rewrapped: number; batches: number; remaining: number; primary: string };
      expect(report).toMatchObject({ primary: K2_ID, rewrapped: before[K1_ID], remaining: 0 });
      expect(report.batches).toBeGreaterThanOrEqual(Math.ceil(before[K1_ID]! / BATCH));

      // 3. Nothing left under K1, and every data key unwraps under K2.
      const verify = await runCli(['keys', 'rotate-master', '--verify'], cliEnv);
      outputs.push(verify.stdout, verify.stderr);
      expect(verify.code, verify.stderr).toBe(0);
      const verified = JSON.parse(verify.stdout) as { counts: Record<string, number>; outside_primary: number; unreadable: string[] };
      expect(verified).toMatchObject({ primary: K2_ID, outside_primary: 0, missing: {}, unreadable: [] });
      expect(verified.counts[K1_ID] ?? 0).toBe(0);
      // The replicas see it too (the rotation refreshes their count over the invalidation bus).
      await waitFor('switchboard_wrapped_keys{kek_id=K1} to reach 0 on both replicas', async () => {
        const all = await replicaMetrics(ctx());
        return all.every((metrics) => wrappedUnder(metrics, K1_ID) === 0 && wrappedUnder(metrics, K2_ID) > 0) ? all : undefined;
      }, 15_000, 250);
      // These replicas served through the rewrap with both keys: not one failed decrypt.
      const metricsBeforeRetire = await replicaMetrics(ctx());
      for (const metrics of metricsBeforeRetire) expect(decryptFailures(metrics)).toBe(0);

      // What the API shows of the tenants' keys (while the member's K1-signed session still verifies).
      for (const name of REPLICAS) {
        const teams = await api(stack.replica[name], '/api/teams', { token: member.token });
        expect(teams.status, teams.body).toBe(200);
        responses.push(teams.body, (await api(stack.replica[name], '/api/integrations', { token: member.token })).body);
      }

      // 4. K1 retired.
      delete stack.env.SWITCHBOARD_MASTER_KEYS_PREVIOUS;
      const secondRestart = await rollingRestart(ctx());
      outputs.push(secondRestart.stdout, secondRestart.stderr);
      expect(secondRestart.stderr).not.toMatch(/SIGKILL|aborting/);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const result = await load.stop();

      expect(result.errors).toEqual([]);
      expect(result.truncated).toBe(0);
      expect(result.completed).toBeGreaterThan(40);
      await expectNoServerErrors(ctx(), logFrom, result.completed);
      // Every tenant's own provider key served calls during the rotation.
      const credentials = new Set(stack.openai.requests.slice(providerCallsFrom).map((call) => call.credential));
      for (const providerKey of CANARY_OPENAI_KEYS) expect(credentials.has(providerKey)).toBe(true);
      const metricsAfter = await replicaMetrics(ctx());
      for (const metrics of metricsAfter) {
        expect(metrics).toContain('# TYPE switchboard_secret_decrypt_failures_total counter');
        expect(decryptFailures(metrics)).toBe(0);
        expect(wrappedUnder(metrics, K1_ID)).toBe(0);
      }
      console.info(`[stack] rotation: ${report.rewrapped} data keys in ${report.batches} batches under load; ${result.completed} requests (${result.streams} streams), 0 errors`);

      const nginxLogs = ['access.log', 'error.log'].map((file) => readFileSync(path.join(stack.nginxDir, 'logs', file), 'utf8'));
      const processLogs = (['a', 'b', 'worker'] as const).map((name) => stack.log(name));
      const everything = [...processLogs, ...nginxLogs, ...metricsBefore, ...metricsBeforeRetire, ...metricsAfter, ...outputs, ...responses];
      for (const canary of [K1, K2, ...CANARY_OPENAI_KEYS]) {
        for (const text of everything) expect(text.includes(canary), 'a canary leaked').toBe(false);
      }
    }, 180_000);
  });
}
