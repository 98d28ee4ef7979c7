/**
 * OPS.md checks 5 and 20 on the loopback stack, plus nginx's own JSON 502:
 * - the stack is ready through nginx in ≤ 30 s;
 * - `/readyz` (through nginx and on each replica) turns 503 within 2 s of PostgreSQL going away and
 *   200 within 5 s of its return, while `/healthz` stays 200 throughout. The outage is played by
 *   the TCP proxy every process reaches PostgreSQL through (the CI PostgreSQL is shared with other
 *   test files, so it is not stopped);
 * - `serve` and `worker` run as nobody, and nobody cannot write the repository;
 * - with no replica in the upstream, nginx answers its own 502 in the API's JSON error shape.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../deploy/tools.js';
import { canWrite, NOBODY_UID, REPLICAS, request, waitFor, type StackContext } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const statusOf = async (url: string): Promise<number> => (await request(url, { timeoutMs: 5_000 }).catch(() => ({ status: 0 }))).status;

/** Until every target (nginx twice: its two replicas answer in turn) answers /readyz with `status`. */
const readinessEverywhere = (targets: string[], status: number, ms: number) =>
  waitFor(`/readyz ${status} everywhere`, async () => {
    const statuses = await Promise.all([...targets, targets[0]!].map((base) => statusOf(`${base}/readyz`)));
    return statuses.every((answer) => answer === status) ? true : undefined;
  }, ms, 50);

function reloadNginx(nginxDir: string): void {
  process.kill(Number(readFileSync(path.join(nginxDir, 'run', 'nginx.pid'), 'utf8').trim()), 'SIGHUP');
}

function writeUpstream(nginxDir: string, text: string): void {
  const file = path.join(nginxDir, 'dynamic', 'upstream.conf');
  writeFileSync(`${file}.tmp`, text, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

export function readinessChecks(ctx: () => StackContext): void {
  describe('stack up (check 5) and non-root (check 20)', () => {
    it('becomes ready through nginx within 30 s of the first process starting', () => {
      expect(ctx().stack.readyAfterMs).toBeLessThanOrEqual(30_000);
    });

    it('runs serve and worker as nobody, with the repository read-only to them', () => {
      const { stack } = ctx();
      for (const name of [...REPLICAS, 'worker'] as const) {
        const status = readFileSync(`/proc/${stack.pidOf(name)}/status`, 'utf8');
        const ids = (field: string) => new RegExp(`^${field}:\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)`, 'm').exec(status)!.slice(1).map(Number);
        expect(ids('Uid'), name).toEqual([NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID]);
        expect(ids('Gid'), name).toEqual([NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID]);
        expect(readFileSync(`/proc/${stack.pidOf(name)}/cmdline`, 'utf8').split('\0')).toContain(name === 'worker' ? 'worker' : 'serve');
      }
      for (const dir of [ROOT, path.join(ROOT, 'dist'), path.join(ROOT, 'node_modules'), path.join(ROOT, 'deploy')]) expect(canWrite(NOBODY_UID, dir), dir).toBe(false);
      // The probe can say yes: the data directory is theirs, and root may write the repository.
      expect(canWrite(NOBODY_UID, path.join(stack.dir, 'data', 'a'))).toBe(true);
      expect(canWrite(0, ROOT)).toBe(true);
    });

    it('/readyz turns 503 within 2 s of losing PostgreSQL and 200 within 5 s of its return; /healthz stays 200', async () => {
      const { stack } = ctx();
      const targets = [stack.edge, stack.replica.a, stack.replica.b];
      for (const base of targets) expect(await statusOf(`${base}/readyz`)).toBe(200);
      const liveness: number[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          liveness.push(await statusOf(`${stack.edge}/healthz`));
          await sleep(100);
        }
      })();
      try {
        stack.databaseProxy.down();
        const downAt = performance.now();
        await readinessEverywhere(targets, 503, 5_000);
        expect(performance.now() - downAt).toBeLessThan(2_000);
        const failing = await request(`${stack.replica.b}/readyz`);
        expect(JSON.parse(failing.body)).toMatchObject({ checks: { db: expect.not.stringMatching(/^ok$/), redis: 'ok', draining: 'ok' } });
        // Stay down a while: liveness must not follow the database.
        const samples = liveness.length;
        await waitFor('liveness samples during the outage', () => (liveness.length >= samples + 5 ? true : undefined), 5_000, 50);
        expect(await statusOf(`${stack.edge}/readyz`)).toBe(503);

        stack.databaseProxy.up();
        const upAt = performance.now();
        await readinessEverywhere(targets, 200, 10_000);
        expect(performance.now() - upAt).toBeLessThan(5_000);
      } finally {
        stack.databaseProxy.up();
        polling = false;
        await poller;
      }
      expect(liveness.filter((status) => status !== 200)).toEqual([]);
    });

    it('answers its own 502 as JSON when no replica is in the upstream', async () => {
      const { stack } = ctx();
      const upstream = readFileSync(path.join(stack.nginxDir, 'dynamic', 'upstream.conf'), 'utf8');
      const addresses = [...upstream.matchAll(/server (\S+)/g)].map((match) => match[1]);
      expect(addresses).toHaveLength(2);
      try {
        writeUpstream(stack.nginxDir, addresses.map((address) => `server ${address} down;\n`).join(''));
        reloadNginx(stack.nginxDir);
        const answer = await waitFor('nginx 502', async () => {
          const response = await request(`${stack.edge}/v1/models`);
          return response.status === 502 ? response : undefined;
        }, 10_000, 100);
        expect(answer.headers['content-type']).toBe('application/json');
        expect(answer.headers['retry-after']).toBe('1');
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
        expect(JSON.parse(answer.body)).toEqual({
          error: { message: expect.any(String), type: 'api_error', code: 'upstream_unavailable', source: 'platform', param: null },
        });
      } finally {
        writeUpstream(stack.nginxDir, upstream);
        reloadNginx(stack.nginxDir);
      }
      await waitFor('/readyz 200 through nginx again', async () => ((await statusOf(`${stack.edge}/readyz`)) === 200 ? true : undefined), 10_000, 100);
    });
  });
}
