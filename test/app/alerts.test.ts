/**
 * Issue 7, §6.3 item 7: alerts. GET /api/alerts lists the caller's notifications unread first
 * (keyset pages across the unread/read boundary, `unread_count` for the badge); alerts are marked
 * read one by one or all at once; POST /api/budgets/{id}/test-alert sends a marked test to the
 * budget's channels (in-app, mail, signed webhook), audited and rate-limited. Someone else's
 * alert or budget is 404. GET /api/notifications is unchanged.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/jobs/webhooks.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const WEBHOOK_SECRET = 'whsec_' + Buffer.from('alerts-webhook-secret-0123456789').toString('base64');
const PER_MINUTE = 6;

let smtp: SmtpCapture;
let server: TestServer;
let hooks: Server;
let hookUrl: string;
const received: Array<{ body: string; valid: boolean }> = [];

beforeAll(async () => {
  smtp = await startSmtpCapture();
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const valid = req.headers['webhook-signature'] === signWebhook(WEBHOOK_SECRET, String(req.headers['webhook-id']), Number(req.headers['webhook-timestamp']), body);
      received.push({ body, valid });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/alerts`;
  server = await startTestServer({
    SMTP_URL: smtp.url,
    SWITCHBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE: 'true',
    SWITCHBOARD_KEY_TEST_PER_MINUTE: String(PER_MINUTE),
  });
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
  await new Promise((resolve) => hooks?.close(resolve));
});

interface Alert {
  id: string;
  kind: string;
  title: string;
  read_at: string | null;
}
interface Page {
  data: Alert[];
  next_cursor: string | null;
  unread_count: number;
}

async function budgetOf(token: string, body: Record<string, unknown> = {}) {
  const response = await server.api('/api/budgets', { method: 'PUT', token, body: { scope: 'user', limit_micros: 5_000_000, ...body } });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

const testAlert = (token: string, id: string) => server.api(`/api/budgets/${id}/test-alert`, { token, method: 'POST' });
const page = async (token: string, query = '') => (await (await server.api(`/api/alerts${query}`, { token })).json()) as Page;

describe('alerts', () => {
  it('sends a test alert to the budget’s channels: in-app, mail and a signed webhook', async () => {
    const user = await server.signIn();
    const budget = await budgetOf(user.token, { webhook_url: hookUrl });
    const response = await testAlert(user.token, budget.id);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recipients: 1, webhook: 'delivered' });

    const hook = received.find((item) => item.body.includes(budget.id));
    expect(hook?.valid).toBe(true);
    expect(JSON.parse(hook!.body)).toMatchObject({ type: 'budget.test', data: { budget_id: budget.id, test: true } });
    const mail = await smtp.nextTo(user.email);
    expect(mail.subject).toBe('Test alert for the user budget');
    expect((await page(user.token)).data.map((alert) => alert.kind)).toEqual(['budget.test']);

    const audit = (await (await server.api('/api/audit', { token: user.token })).json()) as { data: Array<{ action: string; target_id: string }> };
    expect(audit.data.some((entry) => entry.action === 'budget.test_alert' && entry.target_id === budget.id)).toBe(true);
  });

  it('says when the budget has no webhook', async () => {
    const user = await server.signIn();
    const budget = await budgetOf(user.token);
    expect(await (await testAlert(user.token, budget.id)).json()).toEqual({ recipients: 1, webhook: 'none' });
  });

  it('lists unread first, newest first within each group, paging across the boundary', async () => {
    const user = await server.signIn();
    const budget = await budgetOf(user.token);
    for (let i = 0; i < 4; i++) expect((await testAlert(user.token, budget.id)).status).toBe(200);
    const all = await page(user.token);
    expect(all.unread_count).toBe(4);
    const [newest, second, third, oldest] = all.data.map((alert) => alert.id);
    // Read the newest and the third: the two others come first now.
    for (const id of [newest, third]) expect((await server.api(`/api/alerts/${id}/read`, { token: user.token, method: 'POST' })).status).toBe(204);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const next: Page = await page(user.token, `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(next.unread_count).toBe(2);
      seen.push(...next.data.map((alert) => alert.id));
      cursor = next.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual([second, oldest, newest, third]);

    expect((await page(user.token, '?unread=true')).data.map((alert) => alert.id)).toEqual([second, oldest]);
    const readAll = await server.api('/api/alerts/read-all', { token: user.token, method: 'POST' });
    expect(await readAll.json()).toEqual({ marked: 2 });
    expect((await page(user.token)).unread_count).toBe(0);
    // The same rows through the older endpoint.
    const notifications = (await (await server.api('/api/notifications', { token: user.token })).json()) as { data: Alert[] };
    expect(notifications.data.map((alert) => alert.id).sort()).toEqual([newest, second, third, oldest].sort());
  });

  it('limits test alerts per user', async () => {
    const user = await server.signIn();
    const budget = await budgetOf(user.token);
    for (let i = 0; i < PER_MINUTE; i++) expect((await testAlert(user.token, budget.id)).status).toBe(200);
    const refused = await testAlert(user.token, budget.id);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });

  it('answers 404 for someone else’s alert or budget, and 400 for a malformed cursor', async () => {
    const owner = await server.signIn();
    const stranger = await server.signIn();
    const budget = await budgetOf(owner.token);
    expect((await testAlert(owner.token, budget.id)).status).toBe(200);
    const [alert] = (await page(owner.token)).data;
    expect((await server.api(`/api/alerts/${alert!.id}/read`, { token: stranger.token, method: 'POST' })).status).toBe(404);
    expect((await testAlert(stranger.token, budget.id)).status).toBe(404);
    expect((await page(stranger.token)).data).toEqual([]);
    expect((await (await server.api(`/api/alerts/${alert!.id}/read`, { token: owner.token, method: 'POST' })).status)).toBe(204);
    const bad = await server.api('/api/alerts?cursor=nope', { token: owner.token });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('cursor');
    expect((await server.api('/api/alerts')).status).toBe(401);
  });
});
