/**
 * Issue 7 (web-shell): `serve` serves the built web app from dist/web (npm test builds it first).
 * Hashed assets are immutable and compressed, index.html is no-store with a CSP that allows only
 * our own scripts (and the build has no inline script), unknown non-API pages fall back to
 * index.html, and /api, /v1, /healthz, /readyz, /metrics keep their own answers. Without a build,
 * `/` says to run `npm run build`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const WEB_DIR = path.resolve(import.meta.dirname, '../../dist/web');
const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let server: TestServer;
let unbuilt: TestServer;
let emptyDir: string;
let indexHtml: string;
let entryScript: string;

beforeAll(async () => {
  if (!existsSync(path.join(WEB_DIR, 'index.html'))) throw new Error('dist/web is missing: run `npm run build` (npm test does) before this test.');
  indexHtml = readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  entryScript = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/.exec(indexHtml)?.[1] ?? '';
  server = await startTestServer();
  emptyDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-no-web-'));
  unbuilt = await startTestServer({ SWITCHBOARD_WEB_DIR: emptyDir }, { database: server.database });
});

afterAll(async () => {
  await unbuilt?.close();
  await server?.close();
  if (emptyDir) rmSync(emptyDir, { recursive: true, force: true });
});

describe('the built app', () => {
  it('has no inline script: every script is a file from our origin', () => {
    expect(entryScript).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    const scripts = [...indexHtml.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/assets\//);
      expect(body!.trim()).toBe('');
    }
    expect(indexHtml).toMatch(/<html lang="en">/);
    expect(indexHtml).toContain('name="viewport"');
    expect(indexHtml).toMatch(/<link rel="stylesheet" crossorigin href="\/assets\/[\w-]+\.css">/);
  });

  it('serves index.html at / with no-store and a CSP that allows only our own scripts', async () => {
    const response = await server.api('/', { headers: html });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split(';').map((part) => part.trim()).find((part) => part.startsWith('script-src'));
    expect(scriptSrc).toBe("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await response.text()).toBe(indexHtml);
  });

  it('serves hashed assets immutable, brotli or gzip compressed, identical to the file', async () => {
    const original = readFileSync(path.join(WEB_DIR, entryScript));
    const br = await fetch(`${server.url}${entryScript}`, { headers: { 'accept-encoding': 'br' } });
    expect(br.status).toBe(200);
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    // fetch() decodes transparently; ask node for the raw bytes through the header and length.
    expect(br.headers.get('content-encoding')).toBe('br');
    const brLength = Number(br.headers.get('content-length'));
    expect(brLength).toBeLessThan(original.length / 2);
    expect(Buffer.from(await br.arrayBuffer()).equals(original)).toBe(true);

    const gz = await fetch(`${server.url}${entryScript}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await gz.arrayBuffer()).equals(original)).toBe(true);

    const plain = await fetch(`${server.url}${entryScript}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Number(plain.headers.get('content-length'))).toBe(original.length);
    expect(Buffer.from(await plain.arrayBuffer()).equals(original)).toBe(true);

    const css = /href="(\/assets\/[\w-]+\.css)"/.exec(indexHtml)![1]!;
    const style = await fetch(`${server.url}${css}`);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(style.headers.get('cache-control')).toContain('immutable');
  });

  it('the compressed bytes decode to the file (checked below fetch’s own decoding)', async () => {
    const original = readFileSync(path.join(WEB_DIR, entryScript));
    const { request } = await import('node:http');
    const raw = (encoding: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const req = request(`${server.url}${entryScript}`, { headers: { 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    const br = await raw('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
    // The build leaves precompressed files (vite.config.ts): those exact bytes are sent.
    expect(br.body.equals(readFileSync(path.join(WEB_DIR, `${entryScript}.br`)))).toBe(true);
    const gz = await raw('gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(original)).toBe(true);
  });

  it('falls back to index.html for app pages that accept HTML, at any depth, with the query kept client-side', async () => {
    for (const page of ['/keys', '/login?next=%2Fkeys', '/teams/01HZZZZZZZZZZZZZZZZZZZZZZZ/integrations', '/no/such/page', '/v10/page']) {
      const response = await server.api(page, { headers: html });
      expect(response.status, page).toBe(200);
      expect(response.headers.get('cache-control'), page).toBe('no-store');
      expect(response.headers.get('content-security-policy'), page).toContain("script-src 'self'");
      expect(await response.text(), page).toBe(indexHtml);
    }
  });

  it('never falls back for the API, the AI API, probes and metrics: they keep their own answers', async () => {
    const { token } = await server.signIn();
    // /v1 is served by its own app (decision 0041): decided on the path Hono routes on, decoded as it decodes it.
    for (const route of ['/api/unknown', '/api', '/api/teams/x/unknown', '/v1/unknown', '/v1', '/v1?x=1', '/%761/unknown']) {
      const response = await server.api(route, { headers: html, token });
      expect(response.status, route).toBe(404);
      expect(response.headers.get('content-type'), route).toContain('application/json');
      const body = (await response.json()) as { error: { code: string; source: string } };
      expect(body.error.code, route).toBe('route_not_found');
      expect(body.error.source, route).toBe('user');
    }
    // Without credentials /v1 answers its JSON 401 first, still never the page.
    const anonymous = await server.api('/v1/unknown', { headers: html });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/json');
    const health = await server.api('/healthz', { headers: html });
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toContain('application/json');
    const ready = await server.api('/readyz', { headers: html });
    expect(ready.headers.get('content-type')).toContain('application/json');
    const metrics = await server.api('/metrics', { headers: html });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# HELP');
    const openapi = await server.api('/api/openapi.json', { headers: html });
    expect(openapi.status).toBe(200);
    expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.1.0');
    // The API keeps its strict CSP, not the page's.
    expect(openapi.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('answers JSON 404 (not the page) for other methods, non-HTML clients, missing assets and path escapes', async () => {
    const post = await server.api('/keys', { method: 'POST', body: {} });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toContain('application/json');
    const json = await server.api('/keys', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    const missing = await server.api('/assets/index-doesnotexist.js', { headers: html });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');
    for (const escape of ['/..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2f..%2fpackage.json']) {
      const response = await server.api(escape, { headers: html });
      const text = await response.text();
      expect(text, escape).not.toContain('"name": "switchboard"');
    }
  });

  it('logs no secrets while serving pages', async () => {
    const login = await server.signIn();
    await server.api('/settings', { headers: { ...html, authorization: `Bearer ${login.token}` } });
    expect(server.logs.text()).not.toContain(login.token);
    expect(server.logs.text()).not.toContain(login.refreshToken);
  });
});

describe('without a build', () => {
  it('answers / with a short text saying to run npm run build; the API is unaffected', async () => {
    const response = await unbuilt.api('/', { headers: html });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toContain('npm run build');
    const other = await unbuilt.api('/keys', { headers: html });
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('npm run build');
    const api = await unbuilt.api('/api/unknown', { headers: html });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });

});
