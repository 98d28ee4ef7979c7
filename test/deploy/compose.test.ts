/**
 * deploy/docker-compose.yml without a container engine (OPS.md checks 1 and 2): both validators
 * accept it with .env.example's values (Debian's docker-compose 1.29 `config -q`, dclint -q), the
 * `:?` guards stop a deploy that lacks a secret, and a policy test over the parsed YAML (merge keys
 * resolved) finds healthchecks, non-root read-only app containers, pinned images, only nginx
 * publishing ports, the migrate gate, Redis AOF + noeviction + requirepass, no compose-v2-only keys,
 * the upstream include mounted as a directory, and nginx given exactly the renderer's variables.
 */
import { readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireTool, ROOT, runTool, worldReadableTempDir } from './tools.js';

const COMPOSE_FILE = path.join(ROOT, 'deploy/docker-compose.yml');
const ENV_EXAMPLE = path.join(ROOT, 'deploy/.env.example');

interface Service {
  image?: string;
  build?: unknown;
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  healthcheck?: Record<string, unknown>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  restart?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;
const services = compose.services;
const APP_ROLES = ['app-1', 'app-2', 'worker', 'migrate', 'backup'];

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('compose file: static validators', () => {
  it('docker-compose 1.29 config -q accepts it with the .env.example values', () => {
    const dockerCompose = requireTool('docker-compose');
    const result = runTool(dockerCompose, ['--env-file', ENV_EXAMPLE, '-f', COMPOSE_FILE, 'config', '-q'], { env: cleanEnv() });
    expect(result.status, result.output).toBe(0);
  });

  it('docker-compose refuses to render without a required secret, naming it', () => {
    const dockerCompose = requireTool('docker-compose');
    const dir = worldReadableTempDir('sb-compose-');
    temps.push(dir);
    const envFile = path.join(dir, '.env');
    writeFileSync(envFile, readFileSync(ENV_EXAMPLE, 'utf8').replace(/^POSTGRES_PASSWORD=.*$/m, ''));
    const result = runTool(dockerCompose, ['--env-file', envFile, '-f', COMPOSE_FILE, 'config', '-q'], { env: cleanEnv() });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('set POSTGRES_PASSWORD');
  });

  it('dclint -q finds no error', () => {
    const result = runTool(path.join(ROOT, 'node_modules/.bin/dclint'), ['-q', COMPOSE_FILE]);
    expect(result.status, result.output).toBe(0);
  });
});

describe('compose file: policy', () => {
  it('has every role of OPS.md 4.1', () => {
    expect(Object.keys(services).sort()).toEqual(['app-1', 'app-2', 'backup', 'migrate', 'nginx', 'postgres', 'redis', 'worker']);
  });

  it('gives every long-running service a healthcheck (migrate is a one-shot)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') {
        expect(service.restart).toBe('no');
        continue;
      }
      expect(service.healthcheck?.test, name).toBeDefined();
    }
  });

  it('runs app, worker, migrate, backup and nginx non-root, read-only, with every capability dropped', () => {
    for (const name of [...APP_ROLES, 'nginx']) {
      const service = services[name]!;
      if (name !== 'nginx') {
        expect(service.user, name).toBeDefined();
        expect(service.user!.split(':')[0], name).not.toMatch(/^(0|root)$/);
      }
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toContain('no-new-privileges:true');
    }
    expect(services.nginx!.image).toMatch(/^nginxinc\/nginx-unprivileged:/);
  });

  it('pins every image: nothing :latest or untagged, PostgreSQL 15, Redis 7', () => {
    for (const [name, service] of Object.entries(services)) {
      // Our own image's tag is SWITCHBOARD_VERSION (the rollback knob), with a default.
      const image = service.image?.replace(/\$\{[A-Z_]+:-([^}]+)\}/g, '$1');
      expect(image, name).toBeDefined();
      expect(image, name).toMatch(/^[^:]+:[^:]+$/);
      expect(image, name).not.toMatch(/:latest$/);
    }
    expect(services.postgres!.image).toMatch(/^postgres:15\.\d+(-[a-z0-9.]+)?$/);
    expect(services.redis!.image).toMatch(/^redis:7\.\d+\.\d+(-[a-z0-9.]+)?$/);
    expect(services.nginx!.image).toMatch(/:1\.\d+\.\d+(-[a-z0-9.]+)?$/);
  });

  it('publishes ports from nginx only, each with an interface', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'nginx') continue;
      expect(service.ports, name).toBeUndefined();
    }
    expect(services.nginx!.ports).toHaveLength(2);
    for (const port of services.nginx!.ports!) expect(port).toMatch(/^\d+\.\d+\.\d+\.\d+:/);
  });

  it('gates the apps on the migrate one-shot, and migrate on PostgreSQL only', () => {
    for (const name of ['app-1', 'app-2', 'worker', 'backup']) {
      expect(services[name]!.depends_on?.migrate, name).toEqual({ condition: 'service_completed_successfully' });
      expect(services[name]!.depends_on?.postgres, name).toEqual({ condition: 'service_healthy' });
    }
    expect(services.migrate!.command).toEqual(['migrate']);
    expect(Object.keys(services.migrate!.depends_on ?? {})).toEqual(['postgres']);
    expect(services.nginx!.depends_on).toEqual({ 'app-1': { condition: 'service_healthy' }, 'app-2': { condition: 'service_healthy' } });
  });

  it('runs Redis with a password, AOF and noeviction', () => {
    const command = services.redis!.command!.join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(command).toMatch(/--requirepass \$\{REDIS_PASSWORD/);
  });

  it('uses no compose-v2-only keys (Debian docker-compose 1.29 rejects them)', () => {
    for (const key of ['name', 'include']) expect(compose[key], key).toBeUndefined();
    for (const [name, service] of Object.entries(services)) {
      expect((service as Record<string, unknown>).develop, name).toBeUndefined();
      expect(service.healthcheck?.start_interval, name).toBeUndefined();
    }
  });

  it('mounts the upstream include as a directory holding upstream.conf, and the templates nginx renders', () => {
    const volumes = services.nginx!.volumes!;
    const dynamic = volumes.find((volume) => volume.split(':')[1] === '/etc/nginx/dynamic');
    expect(dynamic).toBeDefined();
    const source = path.resolve(ROOT, 'deploy', dynamic!.split(':')[0]!);
    expect(statSync(source).isDirectory()).toBe(true);
    expect(readFileSync(path.join(source, 'upstream.conf'), 'utf8')).toMatch(/^server app-1:8080 max_fails=0;$/m);
    expect(volumes.some((volume) => volume.split(':')[1] === '/etc/nginx/dynamic/upstream.conf')).toBe(false);
    expect(volumes).toContain('./nginx/templates:/etc/nginx/templates:ro');
    expect(services.nginx!.environment?.SWITCHBOARD_NGINX_DYNAMIC_DIR).toBe('/etc/nginx/dynamic');
  });

  it("gives nginx exactly the renderer's variables, and the body limit the apps get", () => {
    const listed = runTool(process.execPath, [path.join(ROOT, 'scripts/render-nginx.mjs'), '--print-variables']);
    const names = listed.stdout.trim().split('\n').map((line) => line.split('\t')[0]).sort();
    const environment = services.nginx!.environment!;
    expect(Object.keys(environment).filter((key) => key.startsWith('SWITCHBOARD_NGINX_')).sort()).toEqual(names);
    expect(environment.NGINX_ENVSUBST_FILTER).toBe('^SWITCHBOARD_NGINX_');
    expect(environment.SWITCHBOARD_NGINX_MAX_BODY_BYTES).toBe(services['app-1']!.environment!.SWITCHBOARD_MAX_BODY_BYTES);
  });

  it('lists every variable the compose file reads in .env.example, secrets marked CHANGEME', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    const example = readFileSync(ENV_EXAMPLE, 'utf8');
    const used = new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]!));
    const defined = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1]!));
    expect([...used].filter((name) => !defined.has(name))).toEqual([]);
    for (const secret of ['SWITCHBOARD_MASTER_KEY', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD']) {
      expect(example).toMatch(new RegExp(`# CHANGEME.*\\n${secret}=CHANGEME$`, 'm'));
    }
  });
});

/** The compose validators read the environment too: none of the developer's own values may leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(SWITCHBOARD_|POSTGRES_|REDIS_|DATABASE_URL|PUBLIC_URL|SMTP_URL|TLS_|ACME_|HTTP_PORT|HTTPS_PORT|LOG_LEVEL)/.test(key)),
  );
}
