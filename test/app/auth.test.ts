/**
 * Authentication as a client uses it (login, /api/me, refresh rotation with reuse detection,
 * logout), the OpenAPI document, and the web hygiene every response carries: security headers,
 * request ids, the body cap and CORS.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsService, REFRESH_REUSE_GRACE_MS, type TokenPair } from '../../src/accounts/accounts.service.js';
import { createAccountsStore } from '../../src/accounts/accounts.store.js';
import { createAccessTokens } from '../../src/accounts/tokens.js';
import { buildOpenApiDocument } from '../../src/http/openapi-document.js';
import { createAuditLog } from '../../src/platform/audit.js';
import { AppError } from '../../src/platform/errors.js';
import { connectDatabase, type DatabaseHandle } from '../../src/store/db.js';
import { createKeyring, parseMasterKey } from '../../src/vault/keyring.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// Per-IP limits are not what these tests are about; keep them from throttling a fast suite.
const NO_IP_LIMITS = { SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0', SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0' };
const PASSWORD = 'correct horse battery staple';

let server: TestServer;
/** Small body cap and one allowed CORS origin. */
let strict: TestServer;

beforeAll(async () => {
  [server, strict] = await Promise.all([
    startTestServer(NO_IP_LIMITS),
    startTestServer({ ...NO_IP_LIMITS, SWITCHBOARD_MAX_BODY_BYTES: '2048', SWITCHBOARD_CORS_ORIGINS: 'https://app.example' }),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.close(), strict?.close()]);
});

interface ErrorBody {
  error: { message: string; type: string; code: string; source: string; param: string | null };
}

const newEmail = () => `user-${randomBytes(4).toString('hex')}@example.com`;

async function createUser(email = newEmail(), password = PASSWORD) {
  const user = await server.running.services.accounts.createUser({ email, password, verified: true });
  return { ...user, password };
}

const login = (email: string, password: string, target = server) => target.api('/api/auth/login', { body: { email, password } });
const refresh = (refreshToken: string) => server.api('/api/auth/refresh', { body: { refresh_token: refreshToken } });
const me = (token: string | undefined) => server.api('/api/me', token === undefined ? {} : { token });

async function expectUnauthenticated(response: Response, code = 'unauthenticated') {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  expect(((await response.json()) as ErrorBody).error).toMatchObject({ code, source: 'user', type: 'authentication_error' });
}

describe('login and /api/me', () => {
  it('answers 200 with the token pair, not cached', async () => {
    const user = await createUser();
    const response = await login(user.email, PASSWORD);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as TokenPair;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(body.access_token.split('.')).toHaveLength(3);
    expect(body.refresh_token.length).toBeGreaterThanOrEqual(32);

    const profile = await me(body.access_token);
    expect(profile.status).toBe(200);
    expect(await profile.json()).toEqual({ id: user.id, email: user.email, is_admin: false, email_verified: true, created_at: user.created_at });
  });

  it('gives a wrong password and an unknown email the same status and body (no account enumeration)', async () => {
    const user = await createUser();
    const wrongPassword = await login(user.email, 'not the right password');
    const unknownEmail = await login(newEmail(), 'not the right password');
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const [a, b] = [await wrongPassword.text(), await unknownEmail.text()];
    expect(a).toBe(b);
    expect((JSON.parse(a) as ErrorBody).error).toMatchObject({ code: 'invalid_credentials', source: 'user' });
    expect(wrongPassword.headers.get('www-authenticate')).toBe(unknownEmail.headers.get('www-authenticate'));
  });

  it('treats email addresses case-insensitively, ignoring surrounding spaces', async () => {
    const user = await createUser(`Mixed.Case-${randomBytes(3).toString('hex')}@Example.COM`);
    expect(user.email).toBe(user.email.toLowerCase());
    for (const variant of [user.email.toUpperCase(), `  ${user.email}  `, user.email.replace('mixed', 'MIXED')]) {
      expect((await login(variant, PASSWORD)).status, variant).toBe(200);
    }
    await expect(server.running.services.accounts.createUser({ email: user.email.toUpperCase(), password: PASSWORD })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('enforces the password policy: 7 characters are refused with a 400, a 200-character passphrase works', async () => {
    const error = await server.running.services.accounts.createUser({ email: newEmail(), password: 'seven77' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, source: 'user', param: 'password' });
    expect((error as AppError).publicMessage).toMatch(/at least 8 characters/);
    expect((error as AppError).publicMessage).not.toContain('seven77');

    const passphrase = Array.from({ length: 41 }, (_, i) => `w${String(i).padStart(3, '0')}`).join(' ').slice(0, 200);
    expect(passphrase).toHaveLength(200);
    const user = await createUser(newEmail(), passphrase);
    expect((await login(user.email, passphrase)).status).toBe(200);
    expect((await login(user.email, passphrase.slice(0, 199))).status).toBe(401);
  });

  it.each([
    ['no credentials', undefined],
    ['a malformed token', 'not-a-jwt'],
    ['a platform-key-shaped token that does not exist', 'sk-sb-0000000000000000000000000000'],
  ])('refuses %s with 401 and www-authenticate', async (_name, token) => {
    await expectUnauthenticated(await me(token));
  });

  it('takes the first of two Authorization headers, as Node parses them (decision 0038)', async () => {
    const user = await createUser();
    const token = ((await (await login(user.email, PASSWORD)).json()) as TokenPair).access_token;
    // fetch would join them into one: the request is written by hand, the header twice.
    const { hostname, port } = new URL(server.url);
    const twice = (first: string, second: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = net.connect(Number(port), hostname, () =>
          socket.write(`GET /api/me HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${first}\r\nAuthorization: ${second}\r\nConnection: close\r\n\r\n`),
        );
        let head = '';
        socket.on('data', (chunk: Buffer) => (head += chunk.toString('latin1')));
        socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
        socket.on('error', reject);
      });
    expect(await twice(`Bearer ${token}`, 'Bearer not-a-token')).toBe(200);
    expect(await twice('Bearer not-a-token', `Bearer ${token}`)).toBe(401);
  });

  it('refuses a tampered token: a changed payload or signature', async () => {
    const victim = await createUser();
    const attacker = await createUser();
    const token = ((await (await login(attacker.email, PASSWORD)).json()) as TokenPair).access_token;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: victim.id, adm: true })).toString('base64url');
    await expectUnauthenticated(await me(`${header}.${forged}.${signature}`));
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    await expectUnauthenticated(await me(`${header}.${payload}.${flipped}`));
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expectUnauthenticated(await me(`${none}.${forged}.`));
    expect((await me(token)).status).toBe(200);
  });

  it('refuses an expired token signed with the server’s own key', async () => {
    const user = await createUser();
    const loggedIn = (await (await login(user.email, PASSWORD)).json()) as TokenPair;
    const sessionId = (JSON.parse(Buffer.from(loggedIn.access_token.split('.')[1]!, 'base64url').toString('utf8')) as { sid: string }).sid;
    const keyring = createKeyring(parseMasterKey(server.masterKey, 'test master key'));
    const claims = { userId: user.id, sessionId, isAdmin: false };
    // Control: the same construction with a future expiry is accepted, so only expiry differs.
    expect((await me(await createAccessTokens(keyring, 60).issue(claims))).status).toBe(200);
    await expectUnauthenticated(await me(await createAccessTokens(keyring, -60).issue(claims)));
  });
});

describe('refresh and logout', () => {
  async function session() {
    const user = await createUser();
    const response = await login(user.email, PASSWORD);
    return { user, tokens: (await response.json()) as TokenPair };
  }

  it('rotates: a new token pair and a new refresh token, which works in turn', async () => {
    const { user, tokens } = await session();
    const response = await refresh(tokens.refresh_token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const next = (await response.json()) as TokenPair;
    expect(next).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(((await (await me(next.access_token)).json()) as { id: string }).id).toBe(user.id);
    expect((await refresh(next.refresh_token)).status).toBe(200);
  });

  it('lets a just-spent refresh token be used again within the grace window (concurrent tabs)', async () => {
    const { tokens } = await session();
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    const again = await refresh(tokens.refresh_token);
    expect(again.status).toBe(200);
    expect(((await again.json()) as TokenPair).refresh_token).not.toBe(tokens.refresh_token);
  });

  it.each([['an unknown token', 'sbr_unknown-token-0000000000000000000000000000'], ['an empty token', '']])(
    'refuses %s',
    async (_name, token) => {
      const response = await refresh(token);
      expect(response.status).toBe(token === '' ? 400 : 401);
    },
  );

  it('logout revokes the session: its refresh tokens stop working', async () => {
    const { tokens } = await session();
    const rotated = (await (await refresh(tokens.refresh_token)).json()) as TokenPair;
    const response = await server.api('/api/auth/logout', { body: { refresh_token: rotated.refresh_token } });
    expect(response.status).toBe(204);
    await expectUnauthenticated(await refresh(rotated.refresh_token), 'invalid_refresh_token');
    await expectUnauthenticated(await refresh(tokens.refresh_token), 'invalid_refresh_token');
    // Logging out with a token that means nothing reveals nothing either.
    expect((await server.api('/api/auth/logout', { body: { refresh_token: 'sbr_nothing' } })).status).toBe(204);
  });

  describe('reuse after the grace window (accounts service on the same database, with a clock we move)', () => {
    let handle: DatabaseHandle;
    let nowMs = Date.now();
    const clock = { now: () => new Date(nowMs) };
    let accounts: ReturnType<typeof createAccountsService>;
    const client = { ip: '203.0.113.9', userAgent: 'auth.test' };

    beforeAll(() => {
      handle = connectDatabase(server.database.url, { maxConnections: 2 });
      const keyring = createKeyring(parseMasterKey(server.masterKey, 'test master key'));
      accounts = createAccountsService({
        db: handle.db,
        store: createAccountsStore(handle.db),
        tokens: createAccessTokens(keyring, 900),
        audit: createAuditLog(handle.db),
        clock,
        refreshTokenTtlSeconds: 3600,
      });
    });
    afterAll(async () => {
      await handle?.close();
    });

    it('works once more inside the grace, then revokes the whole family when reused after it', async () => {
      const user = await createUser();
      nowMs = Date.now();
      const first = await accounts.login(user.email, PASSWORD, client);
      const second = await accounts.refresh(first.refresh_token, client);

      nowMs += REFRESH_REUSE_GRACE_MS / 2;
      const withinGrace = await accounts.refresh(first.refresh_token, client);
      expect(withinGrace.refresh_token).not.toBe(second.refresh_token);

      nowMs += REFRESH_REUSE_GRACE_MS;
      await expect(accounts.refresh(first.refresh_token, client)).rejects.toMatchObject({ code: 'invalid_refresh_token', status: 401 });
      // Every token of the family is dead, as the real server sees it too.
      for (const token of [second.refresh_token, withinGrace.refresh_token]) {
        await expect(accounts.refresh(token, client)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
        await expectUnauthenticated(await refresh(token), 'invalid_refresh_token');
      }
      const audit = await handle.pool.query<{ action: string }>(
        "select action from audit_events where actor_user_id = $1 and action = 'auth.refresh_reuse_detected'",
        [user.id],
      );
      expect(audit.rows).toHaveLength(1);
    });

    it('leaves other sessions of the same user alone', async () => {
      const user = await createUser();
      nowMs = Date.now();
      const stolen = await accounts.login(user.email, PASSWORD, client);
      const other = await accounts.login(user.email, PASSWORD, client);
      await accounts.refresh(stolen.refresh_token, client);
      nowMs += REFRESH_REUSE_GRACE_MS + 1_000;
      await expect(accounts.refresh(stolen.refresh_token, client)).rejects.toBeInstanceOf(AppError);
      expect((await refresh(other.refresh_token)).status).toBe(200);
    });
  });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 JSON listing the management endpoints with their methods', async () => {
    const response = await server.api('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = JSON.parse(await response.text()) as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    const expected: Record<string, string[]> = {
      '/api/auth/login': ['post'],
      '/api/auth/refresh': ['post'],
      '/api/auth/logout': ['post'],
      '/api/me': ['get'],
      '/api/integrations': ['get', 'post'],
      '/api/integrations/{id}': ['delete', 'get', 'patch'],
      '/api/usage': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(Object.keys(doc.paths[path] ?? {}).sort(), path).toEqual(methods);
      for (const method of methods) expect(Object.keys(doc.paths[path]![method]!.responses).length, `${method} ${path}`).toBeGreaterThan(1);
    }
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
  });

  it('is the document the web app types are generated from (issue 7: built in process, no server)', async () => {
    const served = await (await server.api('/api/openapi.json')).json();
    expect(served).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });
});

describe('web hygiene', () => {
  const responses = (): Array<[string, () => Promise<Response>]> => [
    ['GET /healthz', () => server.api('/healthz')],
    ['POST /api/auth/login (401)', () => login('nobody@example.com', 'whatever-password')],
    ['GET /api/me (401)', () => me(undefined)],
    ['GET /nope (404)', () => server.api('/nope')],
    ['GET /api/openapi.json', () => server.api('/api/openapi.json')],
    ['POST /v1/chat/completions (401)', () => server.api('/v1/chat/completions', { body: { model: 'x', messages: [] } })],
    ['POST /api/auth/login (413)', () => login('a@example.com', 'p'.repeat(4096), strict)],
  ];

  it('sets the security headers on every response and never x-powered-by', async () => {
    for (const [name, send] of responses()) {
      const response = await send();
      await response.arrayBuffer();
      expect(response.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(response.headers.get('content-security-policy'), name).toContain("frame-ancestors 'none'");
      expect(response.headers.get('referrer-policy'), name).toBeTruthy();
      expect(response.headers.get('x-powered-by'), name).toBeNull();
      expect(response.headers.get('x-request-id'), name).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
      // Plain HTTP: no HSTS (it is only meaningful, and only sent, over HTTPS).
      expect(response.headers.get('strict-transport-security'), name).toBeNull();
    }
  });

  it('sends HSTS when the request arrived over HTTPS at a trusted proxy', async () => {
    const response = await server.api('/healthz', { headers: { 'x-forwarded-proto': 'https' } });
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('echoes a sane client x-request-id and replaces an unsafe one', async () => {
    const sane = 'client-req_2026.01:abc-123';
    expect((await server.api('/healthz', { headers: { 'x-request-id': sane } })).headers.get('x-request-id')).toBe(sane);
    for (const unsafe of ['<script>alert(1)</script>', 'short', 'x'.repeat(129), 'has spaces in it', 'inject\\nheader']) {
      const id = (await server.api('/healthz', { headers: { 'x-request-id': unsafe } })).headers.get('x-request-id');
      expect(id, unsafe).not.toBe(unsafe);
      expect(id, unsafe).toMatch(/^req_[0-9A-Z]{26}$/);
    }
    const a = (await server.api('/healthz')).headers.get('x-request-id');
    const b = (await server.api('/healthz')).headers.get('x-request-id');
    expect(a).not.toBe(b);
  });

  it('caps request bodies at SWITCHBOARD_MAX_BODY_BYTES with a 413 JSON error, declared or chunked', async () => {
    const big = JSON.stringify({ email: 'a@example.com', password: 'p'.repeat(3000) });
    const declared = await strict.api('/api/auth/login', { body: big });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await declared.json()) as ErrorBody).error).toMatchObject({ code: 'payload_too_large', source: 'user' });

    const bytes = new TextEncoder().encode(big);
    const sendChunked = (path: string) =>
      fetch(`${strict.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new ReadableStream({
          start(controller) {
            for (let offset = 0; offset < bytes.length; offset += 512) controller.enqueue(bytes.subarray(offset, offset + 512));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
    for (const path of ['/v1/chat/completions', '/api/auth/login']) {
      const chunked = await sendChunked(path);
      expect(chunked.status, path).toBe(413);
      expect(((await chunked.json()) as ErrorBody).error.code, path).toBe('payload_too_large');
    }

    // Just under the cap is processed normally.
    const small = await strict.api('/api/auth/login', { body: { email: 'a@example.com', password: 'p'.repeat(1000) } });
    expect(small.status).toBe(401);
  });

  it('sends no CORS headers by default, whatever the origin', async () => {
    const simple = await server.api('/api/me', { headers: { origin: 'https://app.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/api/integrations`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('allows exactly the origins in SWITCHBOARD_CORS_ORIGINS', async () => {
    const allowed = await strict.api('/api/me', { headers: { origin: 'https://app.example' } });
    expect(allowed.status).toBe(401);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('vary')).toMatch(/origin/i);

    const preflight = await fetch(`${strict.url}/api/integrations`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    for (const origin of ['https://evil.example', 'https://app.example.evil.com', 'http://app.example', 'null']) {
      const other = await strict.api('/api/me', { headers: { origin } });
      expect(other.headers.get('access-control-allow-origin'), origin).toBeNull();
      const otherPreflight = await fetch(`${strict.url}/api/integrations`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(otherPreflight.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });
});
