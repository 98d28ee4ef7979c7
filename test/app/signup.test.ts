/**
 * Sign-up and recovery as a user goes through them: the mail arrives at a real SMTP server on
 * loopback, the link in it verifies the address or resets the password; answers never reveal
 * whether an email has an account; tokens are single use and expire; nothing secret is logged.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PASSWORD = 'correct horse battery staple';
const PUBLIC_URL = 'https://switchboard.example';

let smtp: SmtpCapture;
let server: TestServer;
let sql: pg.Pool;
/** Every token and password these tests handle: none may appear in the server's logs. */
const secrets: string[] = [PASSWORD];

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ SMTP_URL: smtp.url, PUBLIC_URL });
  sql = new pg.Pool({ connectionString: server.database.url, max: 2 });
});

afterAll(async () => {
  await sql?.end();
  await server?.close();
  await smtp?.close();
});

const newEmail = () => `user-${randomBytes(4).toString('hex')}@example.com`;
const post = (path: string, body: unknown) => server.api(path, { body });

async function linkToken(email: string, path: '/verify-email' | '/reset-password'): Promise<string> {
  const mail = await smtp.nextTo(email);
  const escaped = `${PUBLIC_URL}${path}`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`${escaped}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  expect(match, `mail to ${email} holds a ${path} link:\n${mail.text}`).not.toBeNull();
  secrets.push(match![1]!);
  return match![1]!;
}

async function signUpAndVerify(email = newEmail(), password = PASSWORD) {
  expect((await post('/api/auth/signup', { email, password })).status).toBe(201);
  const token = await linkToken(email, '/verify-email');
  expect((await post('/api/auth/verify-email', { token })).status).toBe(200);
  return email;
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('sign-up and verification', () => {
  it('mails a verification link whose token verifies the address, and then login works', async () => {
    const email = newEmail();
    const signup = await post('/api/auth/signup', { email, password: PASSWORD });
    expect(signup.status).toBe(201);
    expect(await signup.json()).toEqual({ status: 'verification_sent' });

    const before = await post('/api/auth/login', { email, password: PASSWORD });
    expect(before.status).toBe(403);
    expect(await errorCode(before)).toBe('email_not_verified');
    // Without the right password nothing about verification is said.
    const wrong = await post('/api/auth/login', { email, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(await errorCode(wrong)).toBe('invalid_credentials');

    const token = await linkToken(email, '/verify-email');
    const verified = await post('/api/auth/verify-email', { token });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toEqual({ status: 'verified' });

    const login = await post('/api/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };
    const me = await server.api('/api/me', { token: access_token });
    expect(await me.json()).toMatchObject({ email, email_verified: true });
  });

  it('uses a token once only', async () => {
    const email = newEmail();
    await post('/api/auth/signup', { email, password: PASSWORD });
    const token = await linkToken(email, '/verify-email');
    expect((await post('/api/auth/verify-email', { token })).status).toBe(200);
    const again = await post('/api/auth/verify-email', { token });
    expect(again.status).toBe(400);
    expect(await errorCode(again)).toBe('invalid_email_token');
    const bogus = await post('/api/auth/verify-email', { token: 'sbe_not-a-token' });
    expect(await errorCode(bogus)).toBe('invalid_email_token');
  });

  it('refuses an expired token, and a resent link replaces the old one', async () => {
    const email = newEmail();
    await post('/api/auth/signup', { email, password: PASSWORD });
    const first = await linkToken(email, '/verify-email');
    await sql.query(
      `update email_tokens set expires_at = now() - interval '1 second' where user_id = (select id from users where email = $1)`,
      [email],
    );
    const expired = await post('/api/auth/verify-email', { token: first });
    expect(expired.status).toBe(400);
    expect(await errorCode(expired)).toBe('invalid_email_token');

    expect((await post('/api/auth/resend-verification', { email })).status).toBe(202);
    const second = await linkToken(email, '/verify-email');
    expect((await post('/api/auth/resend-verification', { email })).status).toBe(202);
    const third = await linkToken(email, '/verify-email');
    // The newest link supersedes the one before it.
    expect(await errorCode(await post('/api/auth/verify-email', { token: second }))).toBe('invalid_email_token');
    expect((await post('/api/auth/verify-email', { token: third })).status).toBe(200);
    expect((await post('/api/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('refuses short passwords and bad emails with a 400 and stores nothing; accepts long passphrases untruncated', async () => {
    const email = newEmail();
    const short = await post('/api/auth/signup', { email, password: 'short' });
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ error: { code: 'invalid_request', param: 'password' } });
    expect((await sql.query('select 1 from users where email = $1', [email])).rowCount).toBe(0);
    expect((await post('/api/auth/signup', { email: 'not-an-email', password: PASSWORD })).status).toBe(400);

    const passphrase = `${'a long passphrase '.repeat(20)}end`;
    secrets.push(passphrase);
    const longEmail = await signUpAndVerify(newEmail(), passphrase);
    expect((await post('/api/auth/login', { email: longEmail, password: passphrase })).status).toBe(200);
    // Differs only after character 300: no truncation.
    const altered = `${'a long passphrase '.repeat(20)}END`;
    expect((await post('/api/auth/login', { email: longEmail, password: altered })).status).toBe(401);
  });

  it('records sign-up and verification in the audit log, with nothing secret in it', async () => {
    const email = await signUpAndVerify();
    const { rows } = await sql.query(
      `select action, metadata::text as metadata from audit_events where actor_user_id = (select id from users where email = $1) order by created_at`,
      [email],
    );
    expect(rows.map((row: { action: string }) => row.action)).toEqual(expect.arrayContaining(['user.signed_up', 'user.email_verified']));
    for (const secret of secrets) expect(JSON.stringify(rows)).not.toContain(secret);
  });
});

describe('no user enumeration', () => {
  it('answers sign-up for an existing email exactly like a new one, and mails the owner a note instead', async () => {
    const existing = await signUpAndVerify();
    const fresh = newEmail();
    const a = await post('/api/auth/signup', { email: existing, password: 'another password 123' });
    const b = await post('/api/auth/signup', { email: fresh, password: 'another password 123' });
    expect(a.status).toBe(b.status);
    expect(await a.text()).toBe(await b.text());
    const note = await smtp.nextTo(existing);
    expect(note.subject).toMatch(/already have/i);
    expect(note.text).not.toMatch(/token=/);
    await linkToken(fresh, '/verify-email');
    // The existing account's password did not change.
    expect((await post('/api/auth/login', { email: existing, password: PASSWORD })).status).toBe(200);
  });

  it('answers forgot-password, resend-verification and login the same for unknown emails', async () => {
    const existing = await signUpAndVerify();
    const unknown = newEmail();
    for (const path of ['/api/auth/forgot-password', '/api/auth/resend-verification']) {
      const a = await post(path, { email: existing });
      const b = await post(path, { email: unknown });
      expect(a.status, path).toBe(202);
      expect(b.status, path).toBe(202);
      expect(await a.text()).toBe(await b.text());
    }
    await linkToken(existing, '/reset-password');
    const a = await post('/api/auth/login', { email: existing, password: 'wrong password!' });
    const b = await post('/api/auth/login', { email: unknown, password: 'wrong password!' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(await a.text()).toBe(await b.text());
    // Nothing was mailed to the unknown address.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages.some((mail) => mail.to.includes(unknown))).toBe(false);
  });
});

describe('password reset', () => {
  it('sets a new password through the mailed link and ends every session', async () => {
    const email = await signUpAndVerify();
    const login = await post('/api/auth/login', { email, password: PASSWORD });
    const { refresh_token: oldRefresh } = (await login.json()) as { refresh_token: string };
    secrets.push(oldRefresh);

    expect((await post('/api/auth/forgot-password', { email })).status).toBe(202);
    const token = await linkToken(email, '/reset-password');
    const newPassword = 'a brand new passphrase';
    secrets.push(newPassword);
    const tooShort = await post('/api/auth/reset-password', { token, password: 'short' });
    expect(tooShort.status).toBe(400);
    const reset = await post('/api/auth/reset-password', { token, password: newPassword });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ status: 'password_reset' });

    const refresh = await post('/api/auth/refresh', { refresh_token: oldRefresh });
    expect(refresh.status).toBe(401);
    expect(await errorCode(refresh)).toBe('invalid_refresh_token');
    expect((await post('/api/auth/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await post('/api/auth/login', { email, password: newPassword })).status).toBe(200);
    // Single use.
    const again = await post('/api/auth/reset-password', { token, password: 'yet another passphrase' });
    expect(await errorCode(again)).toBe('invalid_email_token');

    const { rows } = await sql.query(`select action from audit_events where actor_user_id = (select id from users where email = $1)`, [email]);
    expect(rows.map((row: { action: string }) => row.action)).toContain('auth.password_reset');
  });

  it('refuses an expired reset link', async () => {
    const email = await signUpAndVerify();
    await post('/api/auth/forgot-password', { email });
    const token = await linkToken(email, '/reset-password');
    await sql.query(`update email_tokens set expires_at = now() - interval '1 second' where purpose = 'reset_password' and used_at is null`);
    const reset = await post('/api/auth/reset-password', { token, password: 'a brand new passphrase' });
    expect(reset.status).toBe(400);
    expect(await errorCode(reset)).toBe('invalid_email_token');
    expect((await post('/api/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('a verification token cannot reset a password', async () => {
    const email = newEmail();
    await post('/api/auth/signup', { email, password: PASSWORD });
    const token = await linkToken(email, '/verify-email');
    expect(await errorCode(await post('/api/auth/reset-password', { token, password: 'a brand new passphrase' }))).toBe('invalid_email_token');
  });
});

describe('logs', () => {
  // Runs last (tests in a file run in order): every password and mailed token used above.
  it('never contain a password or a mailed token', () => {
    const logs = server.logs.text();
    expect(logs).toContain('mail sent');
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(logs.includes(secret), 'a secret reached the logs').toBe(false);
  });
});
