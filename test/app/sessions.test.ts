/**
 * Sessions as a user manages them (list, revoke one, revoke the others or all), the `session`
 * invalidation topic, and cookie mode for the web app: the refresh token in a `__Host-` HttpOnly
 * cookie, refresh and logout only with a double-submit CSRF proof and our own Origin.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PASSWORD = 'correct horse battery staple';
const PUBLIC_URL = 'https://switchboard.example';

let server: TestServer;
const published: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ PUBLIC_URL });
  server.running.services.bus.subscribe('session', (id) => published.push(id));
});

afterAll(async () => {
  await server?.close();
});

interface Session {
  id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  current: boolean;
}

const newEmail = () => `user-${randomBytes(4).toString('hex')}@example.com`;

async function createUser() {
  const email = newEmail();
  await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
  return email;
}

async function login(email: string, userAgent: string) {
  const response = await server.api('/api/auth/login', { body: { email, password: PASSWORD }, headers: { 'user-agent': userAgent } });
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token: string };
}

const refresh = (refreshToken: string) => server.api('/api/auth/refresh', { body: { refresh_token: refreshToken } });

async function sessionsOf(token: string): Promise<Session[]> {
  const response = await server.api('/api/me/sessions', { token });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: Session[]; next_cursor: string | null };
  expect(body.next_cursor).toBeNull();
  return body.data;
}

describe('session management', () => {
  it('lists each login with its ip, user agent and times, marking the current one', async () => {
    const email = await createUser();
    const laptop = await login(email, 'Laptop/1.0');
    const phone = await login(email, 'Phone/2.0');
    const list = await sessionsOf(phone.access_token);
    expect(list).toHaveLength(2);
    expect(list.map((s) => s.user_agent).sort()).toEqual(['Laptop/1.0', 'Phone/2.0']);
    for (const session of list) {
      expect(session.ip).toBe('127.0.0.1');
      expect(Date.parse(session.expires_at)).toBeGreaterThan(Date.parse(session.created_at));
      expect(Number.isNaN(Date.parse(session.last_used_at))).toBe(false);
    }
    expect(list.filter((s) => s.current).map((s) => s.user_agent)).toEqual(['Phone/2.0']);
    expect((await sessionsOf(laptop.access_token)).find((s) => s.current)?.user_agent).toBe('Laptop/1.0');
    expect(JSON.stringify(list)).not.toContain(laptop.refresh_token);

    const paged = await server.api('/api/me/sessions?limit=1', { token: phone.access_token });
    const page = (await paged.json()) as { data: Session[]; next_cursor: string | null };
    expect(page.data).toHaveLength(1);
    expect(page.next_cursor).not.toBeNull();
    const rest = (await (await server.api(`/api/me/sessions?limit=1&cursor=${page.next_cursor}`, { token: phone.access_token })).json()) as {
      data: Session[];
    };
    expect(rest.data.map((s) => s.id)).not.toContain(page.data[0]!.id);
    expect(rest.data).toHaveLength(1);
  });

  it('revoking one session makes its refresh token fail, announces it, and drops it from the list', async () => {
    const email = await createUser();
    const laptop = await login(email, 'Laptop/1.0');
    const phone = await login(email, 'Phone/2.0');
    const target = (await sessionsOf(phone.access_token)).find((s) => s.user_agent === 'Laptop/1.0')!;

    const revoked = await server.api(`/api/me/sessions/${target.id}`, { method: 'DELETE', token: phone.access_token });
    expect(revoked.status).toBe(204);
    expect(published).toContain(target.id);
    expect(await server.running.services.accounts.isSessionActive(target.id)).toBe(false);
    expect((await refresh(laptop.refresh_token)).status).toBe(401);
    expect((await sessionsOf(phone.access_token)).map((s) => s.id)).not.toContain(target.id);
    expect((await refresh(phone.refresh_token)).status).toBe(200);

    const again = await server.api(`/api/me/sessions/${target.id}`, { method: 'DELETE', token: phone.access_token });
    expect(again.status).toBe(404);
  });

  it("answers 404 for another user's session and leaves it alone", async () => {
    const mine = await login(await createUser(), 'Mine/1.0');
    const theirs = await login(await createUser(), 'Theirs/1.0');
    const theirSession = (await sessionsOf(theirs.access_token))[0]!;
    const response = await server.api(`/api/me/sessions/${theirSession.id}`, { method: 'DELETE', token: mine.access_token });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('not_found');
    expect(await server.running.services.accounts.isSessionActive(theirSession.id)).toBe(true);
    expect((await server.api('/api/me/sessions/01HZZZZZZZZZZZZZZZZZZZZZZZ', { method: 'DELETE', token: mine.access_token })).status).toBe(404);
  });

  it('revokes all other sessions, then all of them with include_current=true', async () => {
    const email = await createUser();
    const a = await login(email, 'A');
    const b = await login(email, 'B');
    const c = await login(email, 'C');
    const others = await server.api('/api/me/sessions', { method: 'DELETE', token: c.access_token });
    expect(others.status).toBe(200);
    expect(await others.json()).toEqual({ revoked: 2 });
    expect((await refresh(a.refresh_token)).status).toBe(401);
    expect((await refresh(b.refresh_token)).status).toBe(401);
    const list = await sessionsOf(c.access_token);
    expect(list.map((s) => s.user_agent)).toEqual(['C']);

    const all = await server.api('/api/me/sessions?include_current=true', { method: 'DELETE', token: c.access_token });
    expect(await all.json()).toEqual({ revoked: 1 });
    expect(published).toContain(list[0]!.id);
    expect((await refresh(c.refresh_token)).status).toBe(401);
  });

  it('logout ends the session and announces it', async () => {
    const email = await createUser();
    const tokens = await login(email, 'A');
    const [session] = await sessionsOf(tokens.access_token);
    expect((await server.api('/api/auth/logout', { body: { refresh_token: tokens.refresh_token } })).status).toBe(204);
    expect(published).toContain(session!.id);
    expect(await server.running.services.accounts.isSessionActive(session!.id)).toBe(false);
  });

  it('needs authentication', async () => {
    expect((await server.api('/api/me/sessions')).status).toBe(401);
    expect((await server.api('/api/me/sessions', { method: 'DELETE' })).status).toBe(401);
  });
});

/** name → {value, attributes} of every Set-Cookie header. */
function setCookies(response: Response): Map<string, { value: string; attributes: string[]; raw: string }> {
  const result = new Map<string, { value: string; attributes: string[]; raw: string }>();
  for (const raw of response.headers.getSetCookie()) {
    const [pair, ...attributes] = raw.split(';').map((part) => part.trim());
    const index = pair!.indexOf('=');
    result.set(pair!.slice(0, index), { value: pair!.slice(index + 1), attributes, raw });
  }
  return result;
}

describe('cookie mode (web app)', () => {
  const web = { 'x-switchboard-client': 'web' };

  async function webLogin() {
    const email = await createUser();
    const response = await server.api('/api/auth/login', { body: { email, password: PASSWORD }, headers: web });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    const cookies = setCookies(response);
    return { response, body, cookies, refresh: cookies.get('__Host-switchboard_refresh')!, csrf: cookies.get('__Host-switchboard_csrf')! };
  }

  const cookieHeader = (refreshValue: string, csrfValue: string) => `__Host-switchboard_refresh=${refreshValue}; __Host-switchboard_csrf=${csrfValue}`;

  it('sets the refresh token as a __Host- HttpOnly, Secure, SameSite=Strict cookie and leaves it out of the JSON', async () => {
    const { body, refresh, csrf } = await webLogin();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number) });
    expect(refresh.value).toMatch(/^sbr_/);
    const attributes = refresh.attributes.map((a) => a.toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'secure', 'samesite=strict', 'path=/']));
    expect(attributes.some((a) => a.startsWith('domain'))).toBe(false);
    expect(attributes.some((a) => a.startsWith('max-age='))).toBe(true);

    expect(csrf.value.length).toBeGreaterThanOrEqual(32);
    const csrfAttributes = csrf.attributes.map((a) => a.toLowerCase());
    expect(csrfAttributes).toEqual(expect.arrayContaining(['secure', 'samesite=strict', 'path=/']));
    expect(csrfAttributes).not.toContain('httponly');
    expect(csrfAttributes.some((a) => a.startsWith('domain'))).toBe(false);
  });

  it('refreshes from the cookie only with the CSRF header, rotating the cookie', async () => {
    const { refresh, csrf } = await webLogin();
    const cookie = cookieHeader(refresh.value, csrf.value);

    const noHeader = await server.api('/api/auth/refresh', { body: {}, headers: { cookie, ...web } });
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    const wrongHeader = await server.api('/api/auth/refresh', { body: {}, headers: { cookie, ...web, 'x-csrf-token': 'x'.repeat(csrf.value.length) } });
    expect(wrongHeader.status).toBe(403);
    const foreign = await server.api('/api/auth/refresh', {
      body: {},
      headers: { cookie, ...web, 'x-csrf-token': csrf.value, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);

    // The page opened at the server's own origin (127.0.0.1 while PUBLIC_URL says otherwise) is ours too.
    const sameOrigin = await server.api('/api/auth/refresh', { body: {}, headers: { cookie, ...web, 'x-csrf-token': csrf.value, origin: server.url } });
    expect(sameOrigin.status).toBe(200);
    const next = setCookies(sameOrigin).get('__Host-switchboard_refresh')!.value;

    const ok = await server.api('/api/auth/refresh', { body: {}, headers: { cookie: cookieHeader(next, csrf.value), ...web, 'x-csrf-token': csrf.value, origin: PUBLIC_URL } });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body.refresh_token).toBeUndefined();
    expect(typeof body.access_token).toBe('string');
    const rotated = setCookies(ok).get('__Host-switchboard_refresh')!;
    expect(rotated.value).toMatch(/^sbr_/);
    expect(rotated.value).not.toBe(next);
    expect(rotated.attributes.map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(['httponly', 'secure', 'samesite=strict', 'path=/']));

    // Logout via cookie: CSRF needed too; it clears both cookies and ends the session.
    const rotatedCookie = cookieHeader(rotated.value, csrf.value);
    expect((await server.api('/api/auth/logout', { body: {}, headers: { cookie: rotatedCookie } })).status).toBe(403);
    const out = await server.api('/api/auth/logout', { body: {}, headers: { cookie: rotatedCookie, 'x-csrf-token': csrf.value } });
    expect(out.status).toBe(204);
    const cleared = setCookies(out);
    expect(cleared.get('__Host-switchboard_refresh')?.value).toBe('');
    expect(cleared.get('__Host-switchboard_refresh')?.attributes).toContain('Max-Age=0');
    const after = await server.api('/api/auth/refresh', { body: {}, headers: { cookie: rotatedCookie, 'x-csrf-token': csrf.value } });
    expect(after.status).toBe(401);
  });

  it('without a body token or a cookie, refresh answers invalid_refresh_token', async () => {
    const response = await server.api('/api/auth/refresh', { body: {} });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_refresh_token');
  });

  it('API clients still get the refresh token in JSON and no cookie', async () => {
    const email = await createUser();
    const response = await server.api('/api/auth/login', { body: { email, password: PASSWORD } });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(((await response.json()) as { refresh_token: string }).refresh_token).toMatch(/^sbr_/);
  });

  it('never logs refresh tokens or CSRF values', async () => {
    const { refresh, csrf } = await webLogin();
    await server.api('/api/auth/refresh', { body: {}, headers: { cookie: cookieHeader(refresh.value, csrf.value), 'x-csrf-token': csrf.value } });
    const logs = server.logs.text();
    expect(logs).not.toContain(refresh.value);
    expect(logs).not.toContain(csrf.value);
    expect(logs).not.toContain(PASSWORD);
  });
});
