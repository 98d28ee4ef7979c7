/**
 * Switchboard as a newcomer runs it: the built binary (`node bin/switchboard.js serve`) on a fresh
 * DATA_DIR with the embedded PostgreSQL, logging at the default level to a file, a user created
 * with the CLI, a login over HTTP and an encrypted OpenAI key stored through the API. The bench
 * then calls the AI endpoint with the access token: auth, key decryption (cached), routing,
 * metering and the access log all run on every request.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { onCleanup } from './cleanup.js';
import { rootDir } from './paths.js';
import { freePort, startProcess, waitForHttp } from './processes.js';
import { BENCH_PROVIDER_KEY, type Target } from './targets.js';

const run = promisify(execFile);
const EMAIL = 'bench@example.com';

/**
 * BENCH_TWIN_ROOT=/path/to/other/checkout (built): the `switchboard-nometrics` target runs that
 * checkout's build with metrics on instead, so a change is measured against its base in the same
 * interleaved rounds (an A/B within one run; between runs this VM drifts by ±15 %).
 */
export const twinRoot = (): string | undefined => (process.env.BENCH_TWIN_ROOT ? path.resolve(process.env.BENCH_TWIN_ROOT) : undefined);

export interface SwitchboardTarget extends Target {
  origin: string;
  logFile: string;
}

export interface SwitchboardOptions {
  mockUrl: string;
  core: number | undefined;
  /** Where the data directory and the log file go (removed on stop unless keepFiles). */
  workDir?: string;
  keepFiles?: boolean;
  /** Write a V8 CPU profile of the server into this directory when it stops. */
  cpuProfileDir?: string | undefined;
  /** False: SWITCHBOARD_METRICS=false (the metrics-off baseline). */
  metrics?: boolean;
  /** Run the build of another checkout (its `bin/switchboard.js` and `dist/`): the A of an A/B (BENCH_TWIN_ROOT). */
  root?: string;
  /** Name and label in the results (default `switchboard`, "Switchboard"). */
  name?: 'switchboard' | 'switchboard-nometrics';
  label?: string;
}

export async function startSwitchboard(options: SwitchboardOptions): Promise<SwitchboardTarget> {
  const root = options.root ?? rootDir;
  const BIN = path.join(root, 'bin/switchboard.js');
  if (!existsSync(path.join(root, 'dist/main.js'))) throw new Error(`${root}/dist/ is missing: run \`npm run build\` there first (npm run bench does it here)`);
  const workDir = options.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
  mkdirSync(workDir, { recursive: true });
  // Run as root, the embedded PostgreSQL runs as the `postgres` user, who must traverse to DATA_DIR.
  chmodSync(workDir, 0o711);
  const dataDir = path.join(workDir, 'data');
  const logFile = path.join(workDir, 'switchboard.log');
  const removeFiles = () => {
    if (!options.keepFiles) rmSync(workDir, { recursive: true, force: true });
  };
  const unregisterFiles = onCleanup('switchboard files', removeFiles);

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    NODE_ENV: 'production',
    SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    SWITCHBOARD_OPENAI_BASE_URL: `${options.mockUrl}/v1`,
    SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
    // The default 15 minutes is shorter than a full bench run.
    SWITCHBOARD_ACCESS_TOKEN_TTL_SECONDS: '7200',
    SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: '5000',
    SWITCHBOARD_METRICS: options.metrics === false ? 'false' : 'true',
  };
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  // Experiments with V8/Node flags (e.g. heap sizing): BENCH_SWITCHBOARD_NODE_ARGS="--flag …"; the
  // twin of an A/B run takes BENCH_TWIN_NODE_ARGS instead (BENCH_TWIN_ROOT=. compares flags on one build).
  const extraArgs = options.root ? process.env.BENCH_TWIN_NODE_ARGS : process.env.BENCH_SWITCHBOARD_NODE_ARGS;
  nodeArgs.push(...(extraArgs ?? '').split(' ').filter((arg) => arg !== ''));
  const managed = startProcess({
    label: 'switchboard',
    command: process.execPath,
    args: [...nodeArgs, BIN, 'serve'],
    env,
    cwd: rootDir,
    core: options.core,
    logFile,
    graceMs: 30_000,
  });
  const stop = async () => {
    await managed.stop();
    unregisterFiles();
    removeFiles();
  };

  try {
    await waitForHttp(`${origin}/healthz`, managed, 90_000);
    const password = randomBytes(18).toString('base64url');
    await run(process.execPath, [BIN, 'users', 'create', '--email', EMAIL, '--password', password], {
      env: { ...env, LOG_LEVEL: 'warn' },
      cwd: rootDir,
      timeout: 60_000,
    });
    const token = await login(origin, password);
    const stored = await fetch(`${origin}/api/integrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ service: 'openai', api_key: BENCH_PROVIDER_KEY }),
    });
    if (stored.status !== 201) throw new Error(`storing the OpenAI integration failed: HTTP ${stored.status} ${await stored.text()}`);
    // Programs call with platform keys: the bench authenticates the way they do.
    const created = await fetch(`${origin}/api/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'bench' }),
    });
    if (created.status !== 201) throw new Error(`creating a platform key failed: HTTP ${created.status} ${await created.text()}`);
    const platformKey = ((await created.json()) as { key: string }).key;
    return {
      name: options.name ?? 'switchboard',
      label: options.label ?? 'Switchboard',
      url: `${origin}/v1/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platformKey}` },
      model: 'openai/gpt-4o-mini',
      pid: managed.pid,
      origin,
      logFile,
      stop,
    };
  } catch (error) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '(no log)';
    await stop();
    throw new Error(`Switchboard did not start: ${error instanceof Error ? error.message : String(error)}\n--- last log lines ---\n${tail}`);
  }
}

async function login(origin: string, password: string): Promise<string> {
  const response = await fetch(`${origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password }),
  });
  if (response.status !== 200) throw new Error(`login failed: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
