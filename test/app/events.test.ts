/**
 * Issue 7, §6.3 item 3: GET /api/events. Two replicas share PostgreSQL and Redis; streams are read
 * with fetch (Bearer header, Last-Event-ID), as the web app reads them. A request served by replica
 * A shows as `usage.created` on a stream opened on replica B; a key check flips
 * `integration.status`; another user sees none of it; heartbeats arrive; Last-Event-ID resumes;
 * revoking the key or session that opened a stream ends it; no secret appears in any event or log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { openEvents, type SseReader } from '../helpers/sse-reader.js';
import type { TestServer } from '../helpers/test-server.js';

const GOOD_KEY = 'sk-events-good-key-0000000000000000Good';
const BAD_KEY = 'sk-events-bad-key-00000000000000000Bad0';
const HEARTBEAT_MS = 200;

let fake: FakeProvider;
let flaky: FakeProvider;
let smtp: SmtpCapture;
let replicas: Replicas;
let a: TestServer;
let b: TestServer;
const readers: SseReader[] = [];
const platformKeys: string[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [GOOD_KEY] });
  flaky = await startFakeOpenAI({ keys: [GOOD_KEY] });
  smtp = await startSmtpCapture();
  replicas = await startReplicas({
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_EVENTS_HEARTBEAT_MS: String(HEARTBEAT_MS),
    // Breakers open after two failures (only the flaky endpoint ever fails here).
    SWITCHBOARD_BREAKER_FAILURES: '2',
    SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
    SMTP_URL: smtp.url,
  });
  ({ a, b } = replicas);
});

afterAll(async () => {
  for (const reader of readers) reader.close();
  await replicas?.close();
  await flaky?.close();
  await smtp?.close();
  await fake?.close();
});

async function open(server: TestServer, token: string, lastEventId?: string): Promise<SseReader> {
  const reader = await openEvents(server.url, token, lastEventId);
  readers.push(reader);
  expect(reader.status).toBe(200);
  expect(reader.contentType).toMatch(/^text\/event-stream/);
  // The stream is registered once its first comment is out.
  await reader.waitForComment((comment) => comment === 'connected');
  return reader;
}

async function userWithKey(server: TestServer) {
  const user = await server.signIn();
  expect((await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: GOOD_KEY } })).status).toBe(201);
  const key = (await (await server.api('/api/keys', { token: user.token, body: { name: 'events' } })).json()) as { id: string; key: string };
  platformKeys.push(key.key);
  return { ...user, keyId: key.id, platformKey: key.key };
}

const chat = (server: TestServer, credential: string, content = 'hi') =>
  server.api('/v1/chat/completions', { token: credential, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }] } });

interface UsageEvent {
  id: string;
  request_id: string;
  model: string;
  service: string;
  key_id: string | null;
  status: number;
  created_at: string;
}

describe('GET /api/events across two replicas', () => {
  it('needs a Bearer credential', async () => {
    expect((await b.api('/api/events')).status).toBe(401);
    expect((await b.api('/api/events', { token: 'not-a-token' })).status).toBe(401);
  });

  it('shows a request served by replica A as usage.created on a stream on replica B, and only to its owner', async () => {
    const owner = await userWithKey(a);
    const stranger = await userWithKey(a);
    const mine = await open(b, owner.token);
    const theirs = await open(b, stranger.token);

    const response = await chat(a, owner.platformKey);
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    const event = await mine.waitFor((e) => e.event === 'usage.created');
    const usage = event.data as UsageEvent;
    expect(usage).toMatchObject({ request_id: requestId, service: 'openai', model: 'gpt-4o-mini', key_id: owner.keyId, status: 200 });
    expect(event.id).toMatch(/^[0-9a-f]+\.\d+$/);

    // The same row as GET /api/usage lists, once flushed (the list adds the key's and integration's names).
    await a.running.services.recorder.flush();
    const listed = (await (await b.api('/api/usage', { token: owner.token })).json()) as { data: UsageEvent[] };
    expect(listed.data[0]).toMatchObject(usage);
    expect(Object.keys(listed.data[0]!).filter((field) => !(field in usage)).sort()).toEqual(['integration_last4', 'integration_name', 'key_last4', 'key_name']);

    // The stranger's own request reaches the stranger; the owner's never did.
    expect((await chat(a, stranger.platformKey)).status).toBe(200);
    await theirs.waitFor((e) => e.event === 'usage.created');
    expect(theirs.events.filter((e) => e.event === 'usage.created').map((e) => (e.data as UsageEvent).key_id)).toEqual([stranger.keyId]);
    expect(mine.events.filter((e) => e.event === 'usage.created')).toHaveLength(1);
  });

  it('flips integration.status when a key check runs on the other replica', async () => {
    const user = await a.signIn();
    const stranger = await a.signIn();
    const stream = await open(b, user.token);
    const theirs = await open(b, stranger.token);
    const created = (await (await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: GOOD_KEY, name: 'good' } })).json()) as { id: string };

    expect((await a.api(`/api/integrations/${created.id}/test`, { token: user.token, method: 'POST' })).status).toBe(200);
    const healthy = await stream.waitFor((e) => e.event === 'integration.status' && (e.data as { status: string }).status === 'healthy');
    expect(healthy.data).toMatchObject({ id: created.id, status: 'healthy', breaker: 'closed' });
    expect((healthy.data as { checked_at: string }).checked_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    // The stored key is replaced by one the provider rejects: the next check says failing.
    expect((await a.api(`/api/integrations/${created.id}`, { token: user.token, method: 'PATCH', body: { api_key: BAD_KEY } })).status).toBe(200);
    expect((await a.api(`/api/integrations/${created.id}/test`, { token: user.token, method: 'POST' })).status).toBe(200);
    const failing = await stream.waitFor((e) => e.event === 'integration.status' && (e.data as { status: string }).status === 'failing');
    expect(failing.data).toMatchObject({ id: created.id, status: 'failing', breaker: 'closed', last_error: { source: 'user', code: 'provider_key_rejected' } });
    expect(theirs.events.filter((e) => e.event === 'integration.status')).toEqual([]);
  });

  it('sends a heartbeat comment on an idle stream', async () => {
    const user = await b.signIn();
    const stream = await open(b, user.token);
    await stream.waitForComment((comment) => comment === 'heartbeat', HEARTBEAT_MS * 10);
  });

  it('resumes from Last-Event-ID on the same replica, and asks for a resync when it cannot', async () => {
    const user = await userWithKey(a);
    const first = await open(b, user.token);
    expect((await chat(a, user.platformKey, 'one')).status).toBe(200);
    const seen = await first.waitFor((e) => e.event === 'usage.created');
    first.close();

    // Missed while disconnected.
    const missed = await chat(a, user.platformKey, 'two');
    expect(missed.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const resumed = await open(b, user.token, seen.id);
    const replayed = await resumed.waitFor((e) => e.event === 'usage.created');
    expect((replayed.data as UsageEvent).request_id).toBe(missed.headers.get('x-request-id'));
    expect(resumed.events.filter((e) => e.event === 'usage.created')).toHaveLength(1);

    // An id from another replica (or a restarted process) cannot be resumed here.
    const elsewhere = await open(a, user.token, seen.id);
    const resync = await elsewhere.waitFor((e) => e.event === 'resync');
    expect(resync.id).toMatch(/^[0-9a-f]+\.\d+$/);
  });

  it('tells the owner of a revoked platform key, and ends the stream that key opened', async () => {
    const user = await userWithKey(a);
    const byKey = await open(b, user.platformKey);
    const bySession = await open(b, user.token);
    expect((await a.api(`/api/keys/${user.keyId}`, { token: user.token, method: 'DELETE' })).status).toBe(204);
    expect((await bySession.waitFor((e) => e.event === 'key.revoked')).data).toMatchObject({ id: user.keyId });
    expect((await byKey.waitFor((e) => e.event === 'key.revoked')).data).toMatchObject({ id: user.keyId });
    await byKey.ended;
  });

  it('ends the stream of a session signed out on the other replica', async () => {
    const user = await a.signIn();
    const stream = await open(b, user.token);
    expect((await a.api('/api/auth/logout', { body: { refresh_token: user.refreshToken } })).status).toBe(204);
    await stream.waitFor((e) => e.event === 'session.revoked');
    await stream.ended;
  });

  it('reports a breaker opening on replica A as integration.status on replica B', async () => {
    const user = await a.signIn();
    const stream = await open(b, user.token);
    const created = (await (await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: GOOD_KEY, base_url: flaky.baseUrl } })).json()) as { id: string };
    for (let i = 0; i < 2; i++) {
      const failed = await a.api('/v1/chat/completions', { token: user.token, body: { model: 'openai/fake-error-503', messages: [{ role: 'user', content: 'hi' }] } });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    }
    const open_ = await stream.waitFor((e) => e.event === 'integration.status' && (e.data as { breaker: string }).breaker === 'open');
    expect(open_.data).toMatchObject({ id: created.id, status: 'failing', breaker: 'open' });
  });

  it('sends a team integration’s status to every member, and stops once a member is removed', async () => {
    const owner = await a.signIn();
    const member = await a.signIn();
    const team = (await (await a.api('/api/teams', { token: owner.token, body: { name: 'Live' } })).json()) as { id: string };
    expect((await a.api(`/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: member.email, role: 'member' } })).status).toBe(201);
    const mail = await smtp.nextTo(member.email);
    const invitation = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    expect((await a.api('/api/invitations/accept', { token: member.token, body: { token: invitation } })).status).toBe(200);
    const memberStream = await open(b, member.token);
    const outsider = await open(b, (await a.signIn()).token);

    const created = (await (await a.api(`/api/teams/${team.id}/integrations`, { token: owner.token, body: { service: 'openai', api_key: GOOD_KEY } })).json()) as { id: string };
    expect((await a.api(`/api/teams/${team.id}/integrations/${created.id}/test`, { token: owner.token, method: 'POST' })).status).toBe(200);
    const seen = await memberStream.waitFor((e) => e.event === 'integration.status');
    expect(seen.data).toMatchObject({ id: created.id, team_id: team.id, status: 'healthy' });

    // Removed on replica A: replica B's stream stops showing the team at once.
    expect((await a.api(`/api/teams/${team.id}/members/${member.userId}`, { token: owner.token, method: 'DELETE' })).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await a.api(`/api/teams/${team.id}/integrations/${created.id}/test`, { token: owner.token, method: 'POST' })).status).toBe(200);
    const ownerStream = await open(b, owner.token);
    expect((await a.api(`/api/teams/${team.id}/integrations/${created.id}/test`, { token: owner.token, method: 'POST' })).status).toBe(200);
    await ownerStream.waitFor((e) => e.event === 'integration.status');
    expect(memberStream.events.filter((e) => e.event === 'integration.status')).toHaveLength(1);
    expect(outsider.events.filter((e) => e.event === 'integration.status')).toEqual([]);
  });

  it('sends budget.alert when a threshold is crossed', async () => {
    const user = await userWithKey(a);
    const stream = await open(b, user.token);
    const put = await a.api('/api/budgets', { method: 'PUT', token: user.token, body: { scope: 'key', scope_id: user.keyId, limit_micros: 1, alert_thresholds: [50], hard_limit: false } });
    expect(put.status).toBe(201);
    const budget = (await put.json()) as { id: string };
    expect((await chat(a, user.platformKey)).status).toBe(200);
    const alert = await stream.waitFor((e) => e.event === 'budget.alert');
    expect(alert.data).toMatchObject({ scope: 'key', id: budget.id, threshold_pct: 50, limit_micros: 1, state: 'exceeded' });
    expect((alert.data as { spent_micros: number }).spent_micros).toBeGreaterThan(0);
  });

  it('never carries a secret, in events or logs', () => {
    const secrets = [GOOD_KEY, BAD_KEY, ...platformKeys];
    for (const reader of readers) for (const secret of secrets) expect(reader.raw()).not.toContain(secret);
    for (const server of [a, b]) for (const secret of secrets) expect(server.logs.text()).not.toContain(secret);
  });
});
