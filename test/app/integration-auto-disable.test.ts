/**
 * Issue 7, server lifecycle policy (decision 0032), on two replicas sharing PostgreSQL and Redis,
 * each sweeping every 50 ms:
 * - a provider that keeps rejecting an integration's key (the fake OpenAI answers 401 to a key it
 *   does not know) disables it after 5 rejections counted across both replicas, as the system,
 *   with a reason and a retry time; the owner is told (event on the other replica, notice, mail);
 * - at the retry time exactly one replica re-checks the stored key: still rejected → the next
 *   check waits twice as long; accepted (the key was fixed at the provider) → re-enabled;
 * - a person's disable is never re-enabled by the policy;
 * - a key rolled with a grace gets `key.revoked` once when the grace ends, on both replicas'
 *   streams, and a stream opened with the old key stays open until then.
 * The process clock (Date) is moved instead of waiting minutes; timers stay real.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { openEvents, type SseEvent, type SseReader } from '../helpers/sse-reader.js';
import type { TestServer } from '../helpers/test-server.js';

const GOOD = 'sk-autodisable-good-000000000000000Good';
const FIXED_LATER = 'sk-autodisable-later-00000000000000Fix1';
const NEVER = 'sk-autodisable-never-00000000000000Nev1';
const SWEEP_MS = 50;
/** Long enough for several sweeps of both replicas: a second re-check would have happened by then. */
const SETTLE_MS = 400;

/** The keys the fake provider accepts; a key is "fixed at the provider" by adding it. */
const accepted: string[] = [GOOD];
let fake: FakeProvider;
let smtp: SmtpCapture;
let replicas: Replicas;
let a: TestServer;
let b: TestServer;
let sql: pg.Client;
const streams: SseReader[] = [];

interface View {
  id: string;
  status: string;
  health: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  disabled_by: 'user' | 'system' | null;
  retry_at: string | null;
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: accepted });
  smtp = await startSmtpCapture();
  replicas = await startReplicas({
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SMTP_URL: smtp.url,
    SWITCHBOARD_LIFECYCLE_SWEEP_MS: String(SWEEP_MS),
    // The production default (the test server turns the policy off for other tests).
    SWITCHBOARD_AUTO_DISABLE_ERRORS: '5',
    // The clock moves by hours here: access tokens must outlive that.
    SWITCHBOARD_ACCESS_TOKEN_TTL_SECONDS: String(7 * 24 * 3600),
  });
  ({ a, b } = replicas);
  sql = new pg.Client({ connectionString: replicas.database.url });
  await sql.connect();
});

afterEach(() => {
  vi.useRealTimers();
  for (const stream of streams.splice(0)) stream.close();
});

afterAll(async () => {
  await sql?.end();
  await replicas?.close();
  await smtp?.close();
  await fake?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await read();
    if (done(value) || performance.now() - started > ms) return value;
    await sleep(20);
  }
}

const view = async (server: TestServer, token: string, id: string) => (await (await server.api(`/api/integrations/${id}`, { token })).json()) as View;
const chat = (server: TestServer, token: string) => server.api('/v1/chat/completions', { token, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
const checksWith = (key: string) => fake.requests.filter((request) => request.path === '/v1/models' && request.credential === key).length;

async function saveIntegration(token: string, apiKey: string): Promise<View> {
  const response = await a.api('/api/integrations', { token, body: { service: 'openai', api_key: apiKey, name: 'Main OpenAI' } });
  expect(response.status).toBe(201);
  return (await response.json()) as View;
}

async function open(server: TestServer, token: string): Promise<SseReader> {
  const reader = await openEvents(server.url, token);
  streams.push(reader);
  await reader.waitForComment((comment) => comment === 'connected');
  return reader;
}

async function auditOf(id: string) {
  const { rows } = await sql.query<{ action: string; actor_user_id: string | null; metadata: Record<string, unknown> }>(
    'select action, actor_user_id, metadata from audit_events where target_id = $1 order by id',
    [id],
  );
  return rows;
}

/** The next mail to `to` that says `words` (the first rejection's own notice comes before). */
async function mailTo(to: string, words: string) {
  for (;;) {
    const mail = await smtp.nextTo(to);
    if (mail.text.includes(words)) return mail;
  }
}

/** Sets the process clock (both replicas run in this process); timers stay real. */
function setClock(at: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

describe('auto-disable after repeated key rejections, and recovery', () => {
  it('disables after 5 rejections across replicas, re-checks once per retry time with backoff, and re-enables when the provider accepts the key', async () => {
    const person = await a.signIn();
    const saved = await saveIntegration(person.token, FIXED_LATER);
    const watching = await open(b, person.token);

    // Five requests, spread over both replicas, each rejected by the provider (401, source user).
    for (let n = 0; n < 5; n++) {
      const response = await chat(n % 2 === 0 ? a : b, person.token);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string; source: string } }).error).toMatchObject({ code: 'provider_key_rejected', source: 'user' });
    }
    const disabled = await eventually(() => view(b, person.token, saved.id), (current) => current.disabled_by === 'system');
    const disabledAt = Date.parse(disabled.disabled_at!);
    expect(disabled).toMatchObject({ health: 'disabled', disabled_by: 'system', disabled_reason: 'Disabled after 5 provider errors in 2 min (the provider rejected the key).' });
    // The retry time is data (the web app shows it in the viewer's zone): 15 minutes after the disable.
    expect(Date.parse(disabled.retry_at!) - disabledAt).toBe(15 * 60_000);

    // The other replica's stream heard it; the owner got a notice and a mail, once.
    const event = await watching.waitFor((e) => e.event === 'integration.status' && (e.data as { disabled_by?: string }).disabled_by === 'system');
    expect(event.data).toMatchObject({ id: saved.id, status: 'disabled', disabled_by: 'system', retry_at: disabled.retry_at });
    const mail = await mailTo(person.email, 'Requests skip it.');
    expect(mail.subject.replace(/\?= =\?UTF-8\?Q\?/g, '').replace(/_/g, ' ')).toContain('was disabled after repeated rejections');
    expect(mail.text).toContain('Disabled after 5 provider errors in 2 min');
    expect(mail.text).toContain(`${disabled.retry_at!.slice(0, 16).replace('T', ' ')} UTC`);
    expect(mail.raw).not.toContain(FIXED_LATER);
    const notices = ((await (await b.api('/api/notifications', { token: person.token })).json()) as { data: Array<{ kind: string }> }).data;
    expect(notices.filter((notice) => notice.kind === 'integration.auto_disabled')).toHaveLength(1);
    expect((await auditOf(saved.id)).filter((row) => row.action === 'integration.disabled')).toEqual([
      expect.objectContaining({ actor_user_id: null, metadata: expect.objectContaining({ by: 'system', errors: 5, window_seconds: 120 }) }),
    ]);

    // Disabled means skipped: the next call says so and never reaches the provider.
    const calls = fake.requests.length;
    const refused = await chat(a, person.token);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('integration_disabled');
    expect(fake.requests.length).toBe(calls);

    // Nothing is re-checked before the retry time.
    await sleep(SETTLE_MS);
    expect(checksWith(FIXED_LATER)).toBe(0);

    // Retry time, key still rejected: exactly one replica checks it; the next wait doubles (30 min).
    const firstRetry = Date.parse(disabled.retry_at!) + 1_000;
    setClock(firstRetry);
    const rescheduled = await eventually(
      () => view(a, person.token, saved.id),
      // past the claim's 5-minute lease: the outcome is stored
      (current) => current.retry_at !== null && Date.parse(current.retry_at) > firstRetry + 10 * 60_000,
    );
    expect(rescheduled).toMatchObject({ disabled_by: 'system', status: 'invalid', health: 'disabled' });
    expect(Date.parse(rescheduled.retry_at!)).toBe(firstRetry + 30 * 60_000);
    await sleep(SETTLE_MS);
    expect(checksWith(FIXED_LATER)).toBe(1);

    // The key is fixed at the provider; at the next retry time one check passes and re-enables it.
    accepted.push(FIXED_LATER);
    setClock(Date.parse(rescheduled.retry_at!) + 1_000);
    const enabled = await eventually(() => view(b, person.token, saved.id), (current) => current.disabled_at === null);
    expect(enabled).toMatchObject({ disabled_at: null, disabled_by: null, disabled_reason: null, retry_at: null, status: 'active' });
    await sleep(SETTLE_MS);
    expect(checksWith(FIXED_LATER)).toBe(2);
    await watching.waitFor((e) => e.event === 'integration.status' && (e.data as { id: string; status: string }).id === saved.id && (e.data as { status: string }).status !== 'disabled');
    expect((await mailTo(person.email, 'accepted the stored key')).text).toContain('requests use it again');
    expect((await auditOf(saved.id)).filter((row) => row.action === 'integration.enabled')).toEqual([
      expect.objectContaining({ actor_user_id: null, metadata: expect.objectContaining({ by: 'system', failed_checks: 1 }) }),
    ]);

    // It serves again.
    expect((await chat(b, person.token)).status).toBe(200);
  });

  it('never re-enables what a person disabled, and a person disabling a policy-disabled integration makes it theirs', async () => {
    const person = await a.signIn();
    const manual = await saveIntegration(person.token, NEVER);
    const disabled = await a.api(`/api/integrations/${manual.id}/disable`, { token: person.token, body: { reason: 'Paused for the audit.' } });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ disabled_by: 'user', retry_at: null, disabled_reason: 'Paused for the audit.' });

    const other = await a.signIn();
    const auto = await saveIntegration(other.token, NEVER);
    for (let n = 0; n < 5; n++) expect((await chat(n % 2 === 0 ? b : a, other.token)).status).toBe(401);
    const autoDisabled = await eventually(() => view(a, other.token, auto.id), (current) => current.disabled_by === 'system');
    expect(autoDisabled.disabled_by).toBe('system');
    const takenOver = await a.api(`/api/integrations/${auto.id}/disable`, { token: other.token, body: { reason: 'I will look at it on Monday.' } });
    expect(await takenOver.json()).toMatchObject({ disabled_by: 'user', retry_at: null, disabled_reason: 'I will look at it on Monday.', disabled_at: autoDisabled.disabled_at });

    // Even with the key accepted and days passing, neither is checked nor re-enabled.
    accepted.push(NEVER);
    setClock(Date.now() + 3 * 24 * 3600_000);
    await sleep(SETTLE_MS);
    expect(checksWith(NEVER)).toBe(0);
    expect(await view(b, person.token, manual.id)).toMatchObject({ disabled_by: 'user', health: 'disabled' });
    expect(await view(b, other.token, auto.id)).toMatchObject({ disabled_by: 'user', health: 'disabled' });

    // The person re-enables theirs ("Re-enable"): back in service.
    expect(await (await b.api(`/api/integrations/${manual.id}/enable`, { token: person.token, method: 'POST' })).json()).toMatchObject({ disabled_at: null, disabled_by: null });
  });

  it('bad input to the policy-related endpoints stores nothing', async () => {
    const person = await a.signIn();
    const saved = await saveIntegration(person.token, GOOD);
    const response = await a.api(`/api/integrations/${saved.id}/disable`, { token: person.token, body: { reason: 42 } });
    expect(response.status).toBe(400);
    expect(await view(a, person.token, saved.id)).toMatchObject({ disabled_at: null, disabled_by: null, retry_at: null });
  });
});

describe('key.revoked when a roll grace ends', () => {
  it('is announced once, on both replicas, when the grace ends; a stream opened with the old key stays open until then', async () => {
    const person = await a.signIn();
    const created = (await (await a.api('/api/keys', { token: person.token, body: { name: 'ci' } })).json()) as { id: string; key: string };
    const bySessionA = await open(a, person.token);
    const bySessionB = await open(b, person.token);
    const byOldKey = await open(b, created.key);

    const rolled = await a.api(`/api/keys/${created.id}/roll`, { token: person.token, body: { revoke_old_in: 3600 } });
    expect(rolled.status).toBe(201);
    const revokesAt = Date.parse(((await rolled.json()) as { replaced: { revoked_at: string } }).replaced.revoked_at);
    // The grace runs: the old key works, its stream stays open, nobody is told it was revoked.
    await sleep(SETTLE_MS);
    expect((await b.api('/v1/models', { token: created.key })).status).toBe(200);
    const revokedEvents = (reader: SseReader) => reader.events.filter((e: SseEvent) => e.event === 'key.revoked' && (e.data as { id: string }).id === created.id);
    for (const reader of [bySessionA, bySessionB, byOldKey]) expect(revokedEvents(reader)).toEqual([]);
    expect(await Promise.race([byOldKey.ended.then(() => 'ended'), sleep(50).then(() => 'open')])).toBe('open');

    setClock(revokesAt + 1_000);
    for (const reader of [bySessionA, bySessionB, byOldKey]) expect((await reader.waitFor((e) => e.event === 'key.revoked')).data).toMatchObject({ id: created.id });
    await byOldKey.ended;
    await sleep(SETTLE_MS);
    // Both replicas swept; the claim let one announce it: one event per stream.
    expect(revokedEvents(bySessionA)).toHaveLength(1);
    expect(revokedEvents(bySessionB)).toHaveLength(1);
    const { rows } = await sql.query<{ revoked_announced_at: Date | null }>('select revoked_announced_at from platform_keys where id = $1', [created.id]);
    expect(rows[0]?.revoked_announced_at?.getTime()).toBeGreaterThanOrEqual(revokesAt);
    expect((await a.api('/v1/models', { token: created.key })).status).toBe(401);
  });

  it('a key revoked now is announced at once and never again by the sweep', async () => {
    const person = await a.signIn();
    const created = (await (await a.api('/api/keys', { token: person.token, body: { name: 'now' } })).json()) as { id: string };
    const watching = await open(b, person.token);
    expect((await a.api(`/api/keys/${created.id}`, { token: person.token, method: 'DELETE' })).status).toBe(204);
    await watching.waitFor((e) => e.event === 'key.revoked');
    setClock(Date.now() + 2 * 3600_000);
    await sleep(SETTLE_MS);
    expect(watching.events.filter((e) => e.event === 'key.revoked')).toHaveLength(1);
  });
});
