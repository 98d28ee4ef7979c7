/**
 * The system tools the deploy checks run (OPS.md "Done when" 1–4). .ci/run installs them from
 * Debian (nginx, docker-compose, shellcheck; openssl is in the base image); when one is missing the
 * tests fail with the install line rather than skip.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

const TOOLS: Record<string, string> = {
  nginx: 'apt-get install -y --no-install-recommends nginx',
  'docker-compose': 'apt-get install -y --no-install-recommends docker-compose',
  shellcheck: 'apt-get install -y --no-install-recommends shellcheck',
  openssl: 'apt-get install -y --no-install-recommends openssl',
};

/** The absolute path of a required tool; throws (failing the test) when it is not installed. */
export function requireTool(name: keyof typeof TOOLS & string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const location = found.stdout.trim();
  if (found.status !== 0 || !location) {
    throw new Error(`${name} is not installed, so this deploy check cannot run. Install it: ${TOOLS[name]} (.ci/run does).`);
  }
  return location;
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

export function runTool(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Ran {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}\n${result.stderr}` };
}

/** A temp directory that the unprivileged user nginx runs as can enter. */
export function worldReadableTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** Make a rendered nginx tree readable (and its run/ and logs/ writable) by any user. */
export function openUpForNobody(dir: string): void {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      chmodSync(full, name === 'run' || name === 'logs' ? 0o777 : 0o755);
      openUpForNobody(full);
    } else {
      chmodSync(full, 0o644);
    }
  }
}

/** nginx run as a non-root user: `nobody` through runuser when the tests run as root (CI), else as is. */
export function asNonRoot(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ['runuser', ['-u', 'nobody', '--', command, ...args]];
  return [command, args];
}

export function renderNginx(out: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Ran {
  return runTool(process.execPath, [path.join(ROOT, 'scripts/render-nginx.mjs'), '--out', out, ...args], { env: { ...process.env, ...env } });
}
