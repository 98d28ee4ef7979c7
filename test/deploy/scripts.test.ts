/**
 * scripts/deploy.sh and scripts/rolling-restart without a container engine (OPS.md check 3):
 * shellcheck is clean on both; `deploy.sh --init` writes an env file with mode 0600 and generated,
 * valid secrets (kept on a second run, never printed); `--dry-run` prints the steps of OPS.md 4.10
 * in order, with the rolling restart's drain protocol (4.3) for each replica in order; a missing
 * or CHANGEME secret stops the deploy with a clear message.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool, ROOT, runTool, worldReadableTempDir } from './tools.js';

const DEPLOY = path.join(ROOT, 'scripts/deploy.sh');
const ROLLING = path.join(ROOT, 'scripts/rolling-restart');
const SECRETS = ['SWITCHBOARD_MASTER_KEY', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'] as const;

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = worldReadableTempDir('sb-deploy-');
  temps.push(dir);
  return dir;
}

/** The environment without the developer's own deploy settings. */
const env = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SWITCHBOARD_')));

function envValues(file: string): Record<string, string> {
  return Object.fromEntries(
    [...readFileSync(file, 'utf8').matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((match) => [match[1]!, match[2]!.replace(/^"|"$/g, '')]),
  );
}

/** Asserts that each pattern occurs in `output`, each after the previous one. */
function expectInOrder(output: string, patterns: RegExp[]): void {
  let from = 0;
  for (const pattern of patterns) {
    const rest = output.slice(from);
    const match = pattern.exec(rest);
    expect(match, `${pattern} after offset ${from} in:\n${output}`).not.toBeNull();
    from += match!.index + match![0].length;
  }
}

describe('shell scripts', () => {
  it('are clean under shellcheck', () => {
    const shellcheck = requireTool('shellcheck');
    const scripts = [...readdirSync(path.join(ROOT, 'scripts')).filter((name) => name.endsWith('.sh')).map((name) => path.join(ROOT, 'scripts', name)), ROLLING];
    expect(scripts).toContain(DEPLOY);
    const result = runTool(shellcheck, ['--severity=style', ...scripts]);
    expect(result.status, result.output).toBe(0);
  });

  it('are executable', () => {
    for (const script of [DEPLOY, ROLLING]) expect(statSync(script).mode & 0o111, script).not.toBe(0);
  });
});

describe('deploy.sh', () => {
  it('--init writes the env file 0600 with generated secrets, keeps them on a rerun, and never prints them', () => {
    requireTool('openssl');
    const envFile = path.join(tempDir(), '.env');
    const first = runTool(DEPLOY, ['--init', '--dry-run', '--env-file', envFile], { env: env() });
    expect(first.status, first.output).toBe(0);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const values = envValues(envFile);
    expect(Buffer.from(values.SWITCHBOARD_MASTER_KEY!, 'base64')).toHaveLength(32);
    expect(values.POSTGRES_PASSWORD).toMatch(/^[0-9a-f]{48}$/);
    expect(values.REDIS_PASSWORD).toMatch(/^[0-9a-f]{48}$/);
    expect(values.POSTGRES_PASSWORD).not.toBe(values.REDIS_PASSWORD);
    for (const secret of SECRETS) expect(first.output).not.toContain(values[secret]);
    // Everything else comes from .env.example.
    expect(values.SWITCHBOARD_WORKERS).toBe('2');

    const second = runTool(DEPLOY, ['--init', '--dry-run', '--env-file', envFile], { env: env() });
    expect(second.status, second.output).toBe(0);
    const again = envValues(envFile);
    for (const secret of SECRETS) expect(again[secret]).toBe(values[secret]);
  });

  it('--dry-run prints the steps of OPS.md 4.10 in order', () => {
    const envFile = path.join(tempDir(), '.env');
    expect(runTool(DEPLOY, ['--init', '--dry-run', '--env-file', envFile], { env: env() }).status).toBe(0);
    const result = runTool(DEPLOY, ['--dry-run', '--env-file', envFile], { env: env() });
    expect(result.status, result.output).toBe(0);
    const compose = 'docker compose -f \\S+/deploy/docker-compose\\.yml --env-file \\S+';
    expectInOrder(result.stdout, [
      /== 1\. preflight/,
      /\+ set SWITCHBOARD_NGINX_TLS_DIR=\/etc\/nginx\/tls-off .*TLS off/,
      new RegExp(`\\+ ${compose} version`),
      new RegExp(`\\+ ${compose} config -q`),
      /== 2\. build/,
      new RegExp(`\\+ ${compose} build`),
      /== 3\./,
      new RegExp(`\\+ ${compose} up -d --wait postgres redis`),
      /== 4\./,
      new RegExp(`\\+ ${compose} run --rm --no-deps backup backup --dir /backups`),
      /== 5\. migrate/,
      new RegExp(`\\+ ${compose} run --rm migrate`),
      /== 6\./,
      /# first deploy/,
      new RegExp(`\\+ ${compose} up -d\\n`),
      /# update/,
      /\+ scripts\/rolling-restart compose/,
      /app-1 down/,
      /app-2 down/,
      /stop -t 60 worker/,
      new RegExp(`\\+ ${compose} up -d --no-recreate`),
      new RegExp(`\\+ ${compose} exec -T nginx nginx -c /tmp/nginx\\.conf -s reload`),
      /== 7\. smoke/,
      /\+ curl -fsSk http:\/\/127\.0\.0\.1:80\/readyz/,
    ]);
    // A dry run changes nothing: the env file is as --init left it.
    expect(envValues(envFile).SWITCHBOARD_NGINX_TLS_DIR).toBe('/etc/nginx/tls-off');
  });

  it('turns TLS on when the certificate directory holds both files', () => {
    const dir = tempDir();
    const envFile = path.join(dir, '.env');
    expect(runTool(DEPLOY, ['--init', '--dry-run', '--env-file', envFile], { env: env() }).status).toBe(0);
    writeFileSync(path.join(dir, 'fullchain.pem'), 'x');
    writeFileSync(path.join(dir, 'privkey.pem'), 'x');
    writeFileSync(envFile, `${readFileSync(envFile, 'utf8')}TLS_CERT_DIR=${dir}\nHTTPS_PORT=8443\n`);
    const result = runTool(DEPLOY, ['--dry-run', '--env-file', envFile], { env: env() });
    expect(result.status, result.output).toBe(0);
    expect(result.stdout).toMatch(/SWITCHBOARD_NGINX_TLS_DIR=\/tmp\/tls .*TLS on/);
    expect(result.stdout).toContain('+ curl -fsSk https://127.0.0.1:8443/readyz');
  });

  it('stops before any step when a secret is missing or still CHANGEME', () => {
    const dir = tempDir();
    const missing = runTool(DEPLOY, ['--dry-run', '--env-file', path.join(dir, 'none.env')], { env: env() });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/none\.env is missing: run scripts\/deploy\.sh --init/);
    expect(missing.stdout).not.toContain('docker compose');

    const example = path.join(dir, 'example.env');
    writeFileSync(example, readFileSync(path.join(ROOT, 'deploy/.env.example'), 'utf8'), { mode: 0o600 });
    const changeme = runTool(DEPLOY, ['--dry-run', '--env-file', example], { env: env() });
    expect(changeme.status).not.toBe(0);
    expect(changeme.stderr).toMatch(/SWITCHBOARD_MASTER_KEY is not set/);
    expect(changeme.stdout).not.toContain('docker compose');
  });

  it('refuses unknown arguments', () => {
    const result = runTool(DEPLOY, ['--yes'], { env: env() });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/unknown argument: --yes/);
  });
});

describe('rolling-restart', () => {
  it('compose --dry-run: for each replica, down, reload, stop, start, ready, up, reload; then the worker', () => {
    const result = runTool(ROLLING, ['--dry-run', 'compose'], { env: env() });
    expect(result.status, result.output).toBe(0);
    const steps = (name: string) => [
      new RegExp(`write \\S+/deploy/nginx/dynamic/upstream\\.conf \\(${name} down\\)`),
      /exec -T nginx nginx -c \/tmp\/nginx\.conf -s reload/,
      new RegExp(`stop -t 60 ${name}\\n`),
      new RegExp(`up -d --no-deps --force-recreate ${name}\\n`),
      new RegExp(`wait for ${name} /readyz`),
      /upstream\.conf \(all up\)/,
      /exec -T nginx nginx -c \/tmp\/nginx\.conf -s reload/,
    ];
    expectInOrder(result.stdout, [...steps('app-1'), ...steps('app-2'), /stop -t 60 worker/, /up -d --no-deps --force-recreate worker/]);
    // A dry run leaves the committed upstream file as it is.
    expect(readFileSync(path.join(ROOT, 'deploy/nginx/dynamic/upstream.conf'), 'utf8')).toMatch(/server app-1:8080 max_fails=0;\nserver app-2:8080 max_fails=0;/);
  });

  it('local: needs the replicas, the upstream file, the nginx pid file and a pid directory', () => {
    const missing = runTool(ROLLING, ['local'], { env: env() });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/SWITCHBOARD_RR_REPLICAS/);
    const dir = tempDir();
    const bad = runTool(ROLLING, ['--dry-run', 'local'], {
      env: { ...env(), SWITCHBOARD_RR_REPLICAS: 'a=127.0.0.1:1;rm', SWITCHBOARD_RR_UPSTREAM_FILE: path.join(dir, 'u.conf'), SWITCHBOARD_RR_NGINX_PID_FILE: path.join(dir, 'nginx.pid'), SWITCHBOARD_RR_PID_DIR: dir },
    });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/bad replica/);
    const usage = runTool(ROLLING, [], { env: env() });
    expect(usage.status).not.toBe(0);
    expect(usage.stderr).toMatch(/usage: rolling-restart/);
  });
});
