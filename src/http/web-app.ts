/**
 * Serves the built web app (dist/web, see docs/web.md) from the same origin as the API:
 * - hashed files under /assets/ are immutable for a year; index.html is `no-store`, so a deploy
 *   takes effect on the next navigation;
 * - text assets go out compressed (a precompressed `.br`/`.gz` beside the file when the build left
 *   one, else compressed once on first request and kept in memory: the files never change while
 *   the process runs, since their names carry their hash);
 * - any other GET/HEAD that accepts HTML and names no file gets index.html (the SPA routes in the
 *   browser). /api, /v1, /healthz, /readyz and /metrics never fall back: they keep their JSON 404.
 * - the page's CSP allows scripts from our origin only (the build emits no inline script).
 * When the build is missing (development with tsx), `/` says to run `npm run build`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../platform/errors.js';
import type { AppEnv } from './context.js';
import { renderError } from './error-handler.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Scripts from our origin only; inline styles are allowed (Radix and uPlot position with them). */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NEVER_FALLBACK = [/^\/api(\/|$)/, /^\/v1(\/|$)/, /^\/healthz$/, /^\/readyz$/, /^\/metrics$/];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.webmanifest']);
const MIN_COMPRESS_BYTES = 512;

export const NOT_BUILT_TEXT =
  'Switchboard is running, but its web app is not built.\nRun `npm run build` (or `npm ci`, which builds), then reload this page.\nThe API is at /api and the AI endpoints at /v1.\n';

type Encoding = 'br' | 'gzip' | 'identity';

function pickEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = (acceptEncoding ?? '')
    .toLowerCase()
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, q]) => q === undefined || !/^q=0(\.0*)?$/.test(q.trim()))
    .map(([name]) => name);
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return 'identity';
}

export interface WebAppOptions {
  webDir: string;
}

export function webApp(options: WebAppOptions): MiddlewareHandler<AppEnv> {
  const root = path.resolve(options.webDir);
  const compressed = new Map<string, Promise<Buffer>>();

  /** The file a URL path names inside root, or undefined (also for `..` escapes and directories). */
  const resolveFile = (urlPath: string): string | undefined => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const file = path.resolve(root, `.${decoded}`);
    if (file !== root && !file.startsWith(root + path.sep)) return undefined;
    try {
      return statSync(file).isFile() ? file : undefined;
    } catch {
      return undefined;
    }
  };

  const encoded = (file: string, encoding: Exclude<Encoding, 'identity'>): Promise<Buffer> => {
    const key = `${encoding}:${file}`;
    let entry = compressed.get(key);
    if (!entry) {
      const ready = `${file}${encoding === 'br' ? '.br' : '.gz'}`;
      entry = existsSync(ready)
        ? Promise.resolve(readFileSync(ready))
        : encoding === 'br'
          ? brotli(readFileSync(file), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } })
          : gzipAsync(readFileSync(file), { level: 9 });
      entry.catch(() => compressed.delete(key));
      compressed.set(key, entry);
    }
    return entry;
  };

  const send = async (c: Context<AppEnv>, file: string, cacheControl: string, extraHeaders: Record<string, string> = {}) => {
    const ext = path.extname(file).toLowerCase();
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'cache-control': cacheControl,
      ...extraHeaders,
    };
    let body: Buffer = readFileSync(file);
    if (COMPRESSIBLE.has(ext)) {
      headers.vary = 'Accept-Encoding';
      const encoding = pickEncoding(c.req.header('accept-encoding'));
      if (encoding !== 'identity' && body.length >= MIN_COMPRESS_BYTES) {
        body = await encoded(file, encoding);
        headers['content-encoding'] = encoding;
      }
    }
    headers['content-length'] = String(body.length);
    // Hono answers HEAD from this GET handler without the body.
    return c.body(new Uint8Array(body), 200, headers);
  };

  const notFound = (c: Context<AppEnv>) => renderError(c, new AppError('route_not_found', { message: `No endpoint ${c.req.method} ${c.req.path}.` }));

  return async (c) => {
    const urlPath = c.req.path;
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || NEVER_FALLBACK.some((pattern) => pattern.test(urlPath))) return notFound(c);

    const index = path.join(root, 'index.html');
    const built = existsSync(index);
    if (built && urlPath !== '/' && urlPath !== '/index.html') {
      const file = resolveFile(urlPath);
      if (file) {
        const immutable = urlPath.startsWith('/assets/');
        return send(c, file, immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
      }
      // A missing hashed asset is a stale tab after a deploy: HTML in its place would only confuse.
      if (urlPath.startsWith('/assets/')) return notFound(c);
    }

    const acceptsHtml = /text\/html|\*\/\*/.test(c.req.header('accept') ?? '');
    if (!acceptsHtml) return notFound(c);
    if (!built) {
      return c.body(NOT_BUILT_TEXT, (urlPath === '/' ? 200 : 404) as 200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
      });
    }
    return send(c, index, 'no-store', { 'content-security-policy': WEB_CSP });
  };
}
