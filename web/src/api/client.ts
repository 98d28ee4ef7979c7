/**
 * The one fetch wrapper. The access token lives in this module's memory only (never in storage);
 * the refresh token is the HttpOnly `__Host-switchboard_refresh` cookie, spent through
 * POST /api/auth/refresh with the CSRF double-submit header. A 401 triggers ONE shared refresh
 * (concurrent callers wait on the same promise) and one retry; if the refresh fails the app goes to
 * /login?next=… (see setSessionExpiredHandler).
 */
import { ApiError } from './errors';
import type { Schemas } from './types';

const CSRF_COOKIE = '__Host-switchboard_csrf';
const WEB_CLIENT = { 'x-switchboard-client': 'web' };

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let onSessionExpired: () => void = () => {};

type TokenResponse = Schemas['TokenPair'];

export const setAccessToken = (token: string | null): void => {
  accessToken = token;
};
export const hasAccessToken = (): boolean => accessToken !== null;
export const setSessionExpiredHandler = (handler: () => void): void => {
  onSessionExpired = handler;
};
/** The session is over (revoked elsewhere, or the refresh failed): forget the token, go to login. */
export const expireSession = (): void => {
  accessToken = null;
  onSessionExpired();
};
/** The Authorization header for a raw fetch (the event stream); undefined when signed out. */
export const authorizationHeader = (): Record<string, string> => (accessToken ? { authorization: `Bearer ${accessToken}` } : {});

function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

async function doRefresh(): Promise<boolean> {
  const csrf = readCookie(CSRF_COOKIE);
  if (!csrf) {
    accessToken = null;
    return false;
  }
  try {
    const response = await fetch('/api/auth/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, ...WEB_CLIENT },
      body: '{}',
    });
    if (!response.ok) {
      accessToken = null;
      return false;
    }
    accessToken = ((await response.json()) as TokenResponse).access_token;
    return true;
  } catch {
    return false;
  }
}

/** Refresh the access token from the cookie; concurrent callers share one request. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= doRefresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** false for the auth endpoints themselves: a 401 there is an answer, not an expired session. */
  auth?: boolean;
  headers?: Record<string, string>;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.auth !== false && accessToken) headers.authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      credentials: 'same-origin',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw ApiError.network(error);
  }
}

/** Call the API; resolves with the parsed JSON (undefined for 204), rejects with ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options);
  if (response.status === 401 && options.auth !== false) {
    if (await refreshSession()) {
      response = await send(path, options);
    }
    if (response.status === 401) {
      accessToken = null;
      onSessionExpired();
    }
  }
  if (!response.ok) throw await ApiError.from(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Log in in cookie mode: the refresh token becomes the HttpOnly cookie, the access token stays here. */
export async function login(email: string, password: string): Promise<void> {
  const tokens = await api<TokenResponse>('/api/auth/login', { body: { email, password }, auth: false, headers: WEB_CLIENT });
  accessToken = tokens.access_token;
}

/** End the session (the server clears both cookies); the caller clears the query cache. */
export async function logout(): Promise<void> {
  const csrf = readCookie(CSRF_COOKIE);
  try {
    if (csrf) await api<void>('/api/auth/logout', { body: {}, auth: false, headers: { 'x-csrf-token': csrf, ...WEB_CLIENT } });
  } finally {
    accessToken = null;
  }
}
