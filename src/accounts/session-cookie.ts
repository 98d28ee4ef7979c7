/**
 * Cookie mode for the web app. A client asks for it with `x-switchboard-client: web` on login;
 * the refresh token then lives in a `__Host-` cookie (HttpOnly, Secure, SameSite=Strict, Path=/,
 * no Domain) and is left out of the JSON. Next to it a readable CSRF cookie holds a random value
 * the app echoes in `x-csrf-token` (double submit): a cross-site page can make the browser send
 * the cookies but cannot read the value. When the request carries an Origin it must be ours
 * (PUBLIC_URL's, or the request's own).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../http/context.js';
import { AppError } from '../platform/errors.js';

export const REFRESH_COOKIE = '__Host-switchboard_refresh';
export const CSRF_COOKIE = '__Host-switchboard_csrf';
export const CLIENT_HEADER = 'x-switchboard-client';
export const CSRF_HEADER = 'x-csrf-token';

export const wantsCookieMode = (c: Context<AppEnv>): boolean => c.req.header(CLIENT_HEADER)?.trim().toLowerCase() === 'web';

const hostOnly = { path: '/', secure: true, sameSite: 'Strict' as const, prefix: 'host' as const };

/** Set the refresh cookie and (re)set the CSRF cookie, keeping its value when there is one. */
export function setSessionCookies(c: Context<AppEnv>, refreshToken: string, maxAgeSeconds: number): void {
  const csrf = readCookie(c, CSRF_COOKIE) ?? randomBytes(32).toString('base64url');
  setCookie(c, 'switchboard_refresh', refreshToken, { ...hostOnly, httpOnly: true, maxAge: maxAgeSeconds });
  setCookie(c, 'switchboard_csrf', csrf, { ...hostOnly, httpOnly: false, maxAge: maxAgeSeconds });
}

export function clearSessionCookies(c: Context<AppEnv>): void {
  deleteCookie(c, 'switchboard_refresh', { ...hostOnly, httpOnly: true });
  deleteCookie(c, 'switchboard_csrf', { ...hostOnly });
}

function readCookie(c: Context<AppEnv>, name: string): string | undefined {
  const value = getCookie(c, name);
  return value && value.length <= 512 ? value : undefined;
}

export const readRefreshCookie = (c: Context<AppEnv>): string | undefined => readCookie(c, REFRESH_COOKIE);

/** Throws `csrf_failed` unless the request proves it comes from our own page. */
export function checkCsrf(c: Context<AppEnv>, publicUrl: string): void {
  // Our page is served from PUBLIC_URL, or from whatever origin it was opened at (127.0.0.1 vs
  // localhost): a same-origin request is ours too. The double-submit token below is the real check.
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== new URL(publicUrl).origin && origin !== new URL(c.req.url).origin) {
    throw new AppError('csrf_failed', { message: 'The request came from a foreign origin.' });
  }
  const cookie = readCookie(c, CSRF_COOKIE);
  const header = c.req.header(CSRF_HEADER);
  if (!cookie || !header) throw new AppError('csrf_failed');
  const a = Buffer.from(cookie, 'utf8');
  const b = Buffer.from(header, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError('csrf_failed');
}
