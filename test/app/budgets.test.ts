/**
 * Issue 6, item 5: budgets that hold under concurrency. The real server (in-process counters on the
 * embedded default), real PostgreSQL, the OpenAI fake with a latency so requests overlap, a real
 * SMTP capture and a loopback webhook receiver that verifies the signature.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/jobs/webhooks.js';
import { chatWorstCase, worstCaseMicros } from '../../src/metering/budgets/worst-case.js';
import { createPriceCatalog } from '../../src/metering/price-catalog.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PROVIDER_KEY = 'sk-budgets-provider-key-000000000000001';
const WEBHOOK_SECRET = 'whsec_' + Buffer.from('budget-webhook-secret-0123456789').toString('base64');
const LATENCY_MS = 1_500;

export const CHAT = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 };
/** What the gateway reserves for CHAT: the same function, the same catalog. */
export const RESERVATION = worstCaseMicros(createPriceCatalog(), 'openai', 'gpt-4o-mini', chatWorstCase(CHAT));

interface ReceivedWebhook {
  headers: IncomingMessage['headers'];
  body: string;
  valid: boolean;
}

let fake: FakeProvider;
let smtp: SmtpCapture;
let server: TestServer;
let hooks: Server;
let hookUrl: string;
const received: ReceivedWebhook[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY], latencyMs: LATENCY_MS });
  smtp = await startSmtpCapture();
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const timestamp = Number(req.headers['webhook-timestamp']);
      received.push({ headers: req.headers, body, valid: req.headers['webhook-signature'] === signWebhook(WEBHOOK_SECRET, id, timestamp, body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/budget-alerts`;
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SMTP_URL: smtp.url,
    SWITCHBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE: 'true',
  });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
  await smtp?.close();
  await new Promise((resolve) => hooks?.close(resolve));
});

async function userWithKey(target: TestServer = server) {
  const user = await target.signIn();
  const integration = await target.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY } });
  expect(integration.status).toBe(201);
  return { ...user, integrationId: ((await integration.json()) as { id: string }).id };
}

const putBudget = (token: string, body: Record<string, unknown>, target: TestServer = server) => target.api('/api/budgets', { method: 'PUT', token, body });
const chat = (token: string, target: TestServer = server, body: unknown = CHAT) => target.api('/v1/chat/completions', { token, body });
const codeOf = async (response: Response) => ((await response.json()) as { error: { code: string; source: string } }).error;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 5_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() - started > ms) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Fires `count` chats at once (alternating over `targets`), answering the statuses. */
export async function burst(token: string, count: number, targets: TestServer[]): Promise<Response[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => chat(token, targets[index % targets.length])));
}

describe('budgets on one server (in-process counters)', () => {
  it('reserves a sane worst case', () => {
    // 1000 output tokens of gpt-4o-mini at $0.60/M is 600 micro-dollars, plus a few prompt tokens.
    expect(RESERVATION).toBeGreaterThan(600);
    expect(RESERVATION).toBeLessThan(620);
  });

  it('lets at most 10 of 50 concurrent requests through a budget with room for 10', async () => {
    const user = await userWithKey();
    const limit = 10 * RESERVATION + Math.floor(RESERVATION / 2);
    expect((await putBudget(user.token, { scope: 'user', limit_micros: limit })).status).toBe(201);
    const responses = await burst(user.token, 50, [server]);
    const ok = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status === 402);
    expect(ok.length).toBeLessThanOrEqual(10);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok.length + refused.length).toBe(50);
    const error = await codeOf(refused[0]!);
    expect(error).toMatchObject({ code: 'budget_exceeded', source: 'user' });
    // The provider saw only the admitted requests.
    const budgets = await eventually(
      async () => ((await (await server.api('/api/budgets', { token: user.token })).json()) as { data: Array<{ spent_micros: number; reserved_micros: number; limit_micros: number }> }).data,
      (data) => data[0]?.reserved_micros === 0,
    );
    expect(budgets[0]!.reserved_micros).toBe(0);
    expect(budgets[0]!.spent_micros).toBeGreaterThan(0);
    expect(budgets[0]!.spent_micros).toBeLessThanOrEqual(limit);
  });

  it('settles to the actual cost, so the unused reservation is free for the next request', async () => {
    const user = await userWithKey();
    // Room for one and a half worst cases: a second request fits only if the first one's unused part came back.
    expect((await putBudget(user.token, { scope: 'user', limit_micros: Math.floor(RESERVATION * 1.5) })).status).toBe(201);
    expect((await chat(user.token)).status).toBe(200);
    const second = await eventually(() => chat(user.token), (response) => response.status === 200, 3_000);
    expect(second.status).toBe(200);
  });

  it('refuses through the official OpenAI SDK with a 402 it does not retry', async () => {
    const user = await userWithKey();
    expect((await putBudget(user.token, { scope: 'user', limit_micros: 1 })).status).toBe(201);
    const before = fake.requests.length;
    const client = new OpenAI({ apiKey: user.token, baseURL: `${server.url}/v1` });
    const error = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('budget_exceeded');
    expect(fake.requests.length).toBe(before);
  });

  it('enforces platform-key budgets (the key’s monthly_budget_micros, or PUT scope key) and integration budgets', async () => {
    const user = await userWithKey();
    const created = await server.api('/api/keys', { token: user.token, body: { name: 'capped', monthly_budget_micros: 100 } });
    const key = (await created.json()) as { id: string; key: string };
    const refused = await chat(key.key);
    expect(refused.status).toBe(402);
    // The session (no key) is not limited by the key's budget.
    expect((await chat(user.token)).status).toBe(200);

    const raised = await putBudget(user.token, { scope: 'key', scope_id: key.id, limit_micros: 100 * RESERVATION });
    expect(raised.status).toBe(201);
    expect(((await (await server.api(`/api/keys/${key.id}`, { token: user.token })).json()) as { monthly_budget_micros: number }).monthly_budget_micros).toBe(100 * RESERVATION);
    expect((await eventually(() => chat(key.key), (response) => response.status === 200)).status).toBe(200);

    expect((await putBudget(user.token, { scope: 'integration', scope_id: user.integrationId, limit_micros: 0 })).status).toBe(201);
    expect((await chat(key.key)).status).toBe(402);
    expect((await chat(user.token)).status).toBe(402);
  });

  it('alerts once per threshold: mail, signed webhook and in-app notification', async () => {
    const user = await userWithKey();
    // Measure one request's actual cost with a key of its own, then budget a fresh key at twice that.
    const measuring = (await (await server.api('/api/keys', { token: user.token, body: { name: 'measure' } })).json()) as { id: string; key: string };
    expect((await chat(measuring.key)).status).toBe(200);
    const sql = new pg.Client({ connectionString: server.database.url });
    await sql.connect();
    let cost: number;
    try {
      const row = await eventually(
        async () => (await sql.query<{ cost_micros: string }>('select cost_micros from usage_records where key_id = $1', [measuring.id])).rows[0],
        (found) => found !== undefined,
      );
      cost = Number(row!.cost_micros);
    } finally {
      await sql.end();
    }
    expect(cost).toBeGreaterThan(0);
    const key = (await (await server.api('/api/keys', { token: user.token, body: { name: 'alerted' } })).json()) as { id: string; key: string };
    const put = await putBudget(user.token, { scope: 'key', scope_id: key.id, limit_micros: 2 * cost, alert_thresholds: [50, 100], hard_limit: false, webhook_url: hookUrl });
    expect(put.status).toBe(201);
    const budget = (await put.json()) as { id: string };

    for (let index = 0; index < 3; index += 1) expect((await chat(key.key)).status).toBe(200); // soft: the third goes over and is served
    const notifications = await eventually(
      async () => ((await (await server.api('/api/notifications', { token: user.token })).json()) as { data: Array<{ id: string; kind: string; data: { threshold: number; budget_id: string }; read_at: string | null }> }).data,
      (data) => data.length >= 2,
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for a duplicate to show up
    const mine = (await (await server.api('/api/notifications', { token: user.token })).json()) as { data: typeof notifications };
    expect(mine.data.map((item) => item.data.threshold).sort((a, b) => a - b)).toEqual([50, 100]);
    expect(mine.data.every((item) => item.kind === 'budget.threshold' && item.data.budget_id === budget.id)).toBe(true);

    const mails = smtp.messages.filter((mail) => mail.to.includes(user.email.toLowerCase()));
    expect(mails.map((mail) => mail.subject).sort()).toEqual(['Budget alert: 100% of the key budget used', 'Budget alert: 50% of the key budget used']);
    const hooksForBudget = received.filter((hook) => hook.body.includes(budget.id));
    expect(hooksForBudget).toHaveLength(2);
    expect(hooksForBudget.every((hook) => hook.valid)).toBe(true);
    expect(hooksForBudget.map((hook) => (JSON.parse(hook.body) as { type: string }).type)).toEqual(['budget.threshold', 'budget.threshold']);

    // Mark read; another user cannot.
    const first = mine.data[0]!;
    const other = await server.signIn();
    expect((await server.api(`/api/notifications/${first.id}/read`, { method: 'POST', token: other.token })).status).toBe(404);
    expect((await server.api(`/api/notifications/${first.id}/read`, { method: 'POST', token: user.token })).status).toBe(204);
    const unread = (await (await server.api('/api/notifications?unread=true', { token: user.token })).json()) as { data: unknown[] };
    expect(unread.data).toHaveLength(1);
  });

  it('isolates budgets: others get 404 for yours, your keys, integrations and teams they do not manage', async () => {
    const owner = await userWithKey();
    const stranger = await server.signIn();
    const created = (await (await putBudget(owner.token, { scope: 'user', limit_micros: 5_000 })).json()) as { id: string };
    const key = (await (await server.api('/api/keys', { token: owner.token, body: { name: 'mine' } })).json()) as { id: string };
    expect((await server.api(`/api/budgets/${created.id}`, { token: stranger.token })).status).toBe(404);
    expect((await server.api(`/api/budgets/${created.id}`, { method: 'DELETE', token: stranger.token })).status).toBe(404);
    expect((await putBudget(stranger.token, { scope: 'user', scope_id: owner.userId, limit_micros: 1 })).status).toBe(404);
    expect((await putBudget(stranger.token, { scope: 'key', scope_id: key.id, limit_micros: 1 })).status).toBe(404);
    expect((await putBudget(stranger.token, { scope: 'integration', scope_id: owner.integrationId, limit_micros: 1 })).status).toBe(404);
    const team = (await (await server.api('/api/teams', { token: owner.token, body: { name: 'budgeted' } })).json()) as { id: string };
    expect((await putBudget(stranger.token, { scope: 'team', scope_id: team.id, limit_micros: 1 })).status).toBe(404);
    expect((await putBudget(owner.token, { scope: 'team', scope_id: team.id, limit_micros: 1 })).status).toBe(201);
    expect(((await (await server.api('/api/budgets', { token: stranger.token })).json()) as { data: unknown[] }).data).toHaveLength(0);
    expect(((await (await server.api('/api/budgets', { token: owner.token })).json()) as { data: unknown[] }).data).toHaveLength(2);
    // Bad input: a clear 400, nothing stored.
    const bad = await putBudget(owner.token, { scope: 'team', limit_micros: -1 });
    expect(bad.status).toBe(400);
    expect((await putBudget(owner.token, { scope: 'team', limit_micros: 5 })).status).toBe(400);
    // Delete and audit.
    expect((await server.api(`/api/budgets/${created.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
    expect((await server.api(`/api/budgets/${created.id}`, { token: owner.token })).status).toBe(404);
    const sql = new pg.Client({ connectionString: server.database.url });
    await sql.connect();
    try {
      const actions = (await sql.query<{ action: string }>('select action from audit_events where target_id = $1 order by id', [created.id])).rows.map((row) => row.action);
      expect(actions).toEqual(['budget.create', 'budget.delete']);
    } finally {
      await sql.end();
    }
  });

  it('never logs secrets', () => {
    const logs = server.logs.text();
    expect(logs).not.toContain(PROVIDER_KEY);
    expect(logs).not.toContain(WEBHOOK_SECRET);
    expect(logs).not.toMatch(/sk-sb-[A-Za-z0-9]{8,}/);
  });
});

