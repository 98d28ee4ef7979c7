/**
 * The nginx template (OPS.md 4.2, check 4): rendered by scripts/render-nginx.mjs, it passes
 * `nginx -t` run as a non-root user with a temp prefix, both without TLS and with a self-signed
 * certificate made here; the rendered directives carry the policy (rates from env with defaults 30
 * and 5, no per-IP zone on /v1, body limit equal to the app's, upstream max_fails=0 + keepalive,
 * JSON 429/413 and nginx's own 502/504, HSTS only on HTTPS, /metrics denied); the renderer refuses values that could break
 * out of a directive and names it cannot substitute.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { asNonRoot, openUpForNobody, renderNginx, requireTool, ROOT, runTool, worldReadableTempDir } from './tools.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function rendered(args: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const out = worldReadableTempDir('sb-nginx-');
  dirs.push(out);
  const result = renderNginx(out, ['--upstream', '127.0.0.1:18091,127.0.0.1:18092', ...args], env);
  expect(result.status, result.output).toBe(0);
  return out;
}

function nginxTest(out: string): ReturnType<typeof runTool> {
  const nginx = requireTool('nginx');
  openUpForNobody(out);
  const [command, args] = asNonRoot(nginx, ['-t', '-q', '-p', out, '-c', path.join(out, 'nginx.conf'), '-e', path.join(out, 'logs', 'error.log')]);
  return runTool(command, args);
}

/** A rendered file's directives: full-line comments removed. */
const read = (out: string, file: string) =>
  readFileSync(path.join(out, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');

describe('nginx template', () => {
  it('passes nginx -t without TLS, as a non-root user', () => {
    const out = rendered();
    const result = nginxTest(out);
    expect(result.status, result.output).toBe(0);
    const main = read(out, 'nginx.conf');
    // TLS off: the include points at a directory that holds nothing.
    expect(main).toContain(`include ${path.join(out, 'tls-off')}/*.conf;`);
  });

  it('passes nginx -t with TLS on and a self-signed certificate', () => {
    const openssl = requireTool('openssl');
    const out = rendered(['--tls']);
    const certs = path.join(out, 'certs');
    mkdirSync(certs, { recursive: true });
    const made = runTool(openssl, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', path.join(certs, 'privkey.pem'), '-out', path.join(certs, 'fullchain.pem'),
    ]);
    expect(made.status, made.output).toBe(0);
    const result = nginxTest(out);
    expect(result.status, result.output).toBe(0);
    const main = read(out, 'nginx.conf');
    expect(main).toContain(`include ${path.join(out, 'tls')}/*.conf;`);
    const tls = read(out, 'tls/tls.conf');
    expect(tls).toMatch(/listen 8443 ssl http2;/);
    expect(tls).toMatch(/ssl_protocols TLSv1\.2 TLSv1\.3;/);
    const redirect = read(out, 'tls/redirect.inc');
    expect(redirect).toContain('return 301 https://$host$request_uri;');
    expect(redirect).toContain('\\.well-known/acme-challenge/');
  });

  it('fails nginx -t when TLS is on and the certificate is missing (the check is real)', () => {
    const out = rendered(['--tls']);
    const result = nginxTest(out);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/fullchain\.pem/);
  });

  it('renders the edge policy: rates, body limit, upstream, logs, headers, ops endpoints', () => {
    const out = rendered();
    const main = read(out, 'nginx.conf');
    const locations = read(out, 'switchboard-locations.conf');
    // Rate limits default to PRODUCT's 30 and 5 per IP and second.
    expect(main).toContain('limit_req_zone $binary_remote_addr zone=api:10m rate=30r/s;');
    expect(main).toContain('limit_req_zone $binary_remote_addr zone=auth:10m rate=5r/s;');
    // No per-IP limit on /v1: the /v1/ location has none.
    const v1 = /location \^~ \/v1\/ \{([^}]*)\}/.exec(locations)?.[1] ?? '';
    expect(v1).toContain('proxy_buffering off;');
    expect(v1).toContain('proxy_request_buffering off;');
    expect(v1).toContain('proxy_read_timeout 600s;');
    expect(v1).not.toContain('limit_req');
    expect(/location \^~ \/api\/auth\/ \{[^}]*limit_req zone=auth burst=10 nodelay;/.test(locations)).toBe(true);
    expect(/location \^~ \/api\/ \{[^}]*limit_req zone=api burst=60 nodelay;/.test(locations)).toBe(true);
    // The body limit equals the app's default.
    expect(main).toContain(`client_max_body_size ${loadConfig({}).maxBodyBytes};`);
    // Upstream: the include, keepalive; the rendered entries with max_fails=0.
    expect(main).toMatch(new RegExp(`upstream switchboard_app \\{[^}]*include ${path.join(out, 'dynamic')}/upstream\\.conf;[^}]*keepalive 32;`));
    expect(read(out, 'dynamic/upstream.conf')).toBe('server 127.0.0.1:18091 max_fails=0;\nserver 127.0.0.1:18092 max_fails=0;\n');
    expect(main).not.toMatch(/non_idempotent/);
    // JSON access log with the fields the stack tests count.
    expect(main).toMatch(/log_format switchboard_json escape=json/);
    for (const field of ['$switchboard_request_id', '$status', '$upstream_addr', '$upstream_status', '$request_time', '$upstream_response_time']) {
      expect(main).toContain(field);
    }
    // JSON 429 and 413 in the API's error shape.
    const body429 = /return 429 '([^']*)\\n';/.exec(locations)?.[1];
    expect(JSON.parse(body429!)).toEqual({ error: { message: expect.any(String), type: 'rate_limit_error', code: 'rate_limited', source: 'user', param: null } });
    const body413 = /return 413 '([^']*)\\n';/.exec(locations)?.[1];
    expect(JSON.parse(body413!).error).toMatchObject({ code: 'payload_too_large', source: 'user', type: 'invalid_request_error' });
    expect(locations).toContain('add_header Retry-After 1 always;');
    // nginx's own 502 and 504 (no replica reachable / none answered in time) in the same shape.
    expect(locations).toMatch(/error_page 502 = @switchboard_upstream_unavailable;/);
    expect(locations).toMatch(/error_page 504 = @switchboard_upstream_timeout;/);
    const body502 = /return 502 '([^']*)\\n';/.exec(locations)?.[1];
    expect(JSON.parse(body502!)).toEqual({ error: { message: expect.any(String), type: 'api_error', code: 'upstream_unavailable', source: 'platform', param: null } });
    const body504 = /return 504 '([^']*)\\n';/.exec(locations)?.[1];
    expect(JSON.parse(body504!)).toEqual({ error: { message: expect.any(String), type: 'api_error', code: 'upstream_timeout', source: 'platform', param: null } });
    // A replica's own 502/504 (a provider failure, already JSON) passes through untouched.
    expect(`${main}${locations}`).not.toMatch(/proxy_intercept_errors on/);
    // HSTS is nginx's alone, and only on HTTPS; server tokens off.
    expect(main).toContain('proxy_hide_header Strict-Transport-Security;');
    expect(main).toMatch(/map \$scheme \$switchboard_hsts \{\s*default "";\s*https "max-age=31536000; includeSubDomains";/);
    expect(main).toContain('server_tokens off;');
    // /metrics never leaves through the edge; /nginx-health answers without the app.
    expect(locations).toMatch(/location \^~ \/metrics \{\s*deny all;\s*\}/);
    expect(locations).toMatch(/location = \/nginx-health \{[^}]*return 200/);
    // Everything substituted.
    expect(`${main}${locations}`).not.toContain('${');
  });

  it('takes the rates and the body limit from the environment', () => {
    const out = rendered([], { SWITCHBOARD_NGINX_API_RATE: '50', SWITCHBOARD_NGINX_AUTH_RATE: '7', SWITCHBOARD_NGINX_MAX_BODY_BYTES: '20971520' });
    const main = read(out, 'nginx.conf');
    expect(main).toContain('zone=api:10m rate=50r/s;');
    expect(main).toContain('zone=auth:10m rate=7r/s;');
    expect(main).toContain('client_max_body_size 20971520;');
    expect(nginxTest(out).status).toBe(0);
  });

  it('refuses values that could break out of a directive, and stray variables', () => {
    const out = worldReadableTempDir('sb-nginx-bad-');
    dirs.push(out);
    const injected = renderNginx(out, ['--upstream', '127.0.0.1:1'], { SWITCHBOARD_NGINX_API_RATE: '30r/s; include /etc/passwd' });
    expect(injected.status).toBe(2);
    expect(injected.stderr).toMatch(/SWITCHBOARD_NGINX_API_RATE/);
    const badUpstream = renderNginx(out, ['--upstream', '127.0.0.1:1; down']);
    expect(badUpstream.status).toBe(2);
    const noUpstream = renderNginx(worldReadableTempDir('sb-nginx-none-'), []);
    expect(noUpstream.status).toBe(2);
    expect(noUpstream.stderr).toMatch(/--upstream/);
    // Every ${...} the templates use is one the renderer knows (a template with another fails).
    const known = runTool(process.execPath, [path.join(ROOT, 'scripts/render-nginx.mjs'), '--print-variables']).stdout;
    const names = new Set(known.trim().split('\n').map((line) => line.split('\t')[0]));
    const templates = ['nginx.conf.template', 'switchboard-locations.conf.template', 'tls/tls.conf.template', 'tls/redirect.inc.template'];
    for (const file of templates) {
      const text = readFileSync(path.join(ROOT, 'deploy/nginx/templates', file), 'utf8');
      for (const [, name] of text.matchAll(/\$\{([A-Z_]+)\}/g)) expect(names.has(name!), `${file}: ${name}`).toBe(true);
      // nginx's own variables are never written with braces (the image's envsubst would see them).
      expect(text).not.toMatch(/\$\{(?!SWITCHBOARD_NGINX_)/);
    }
  });
});
