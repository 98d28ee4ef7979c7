/**
 * Issue 7 (Settings → "Notification preferences"): GET/PATCH /api/me/notification-preferences
 * store each user's choice of notice mails (budget alerts, keys a provider rejected), every mail
 * on until changed; bad input is a 400 that changes nothing; a change is audited. The sender
 * (platform/owner-notices.ts) honours it per recipient: a budget alert with budget mail off still
 * lands in-app but sends no mail, and in a team each owner/admin gets what they chose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let smtp: SmtpCapture;
let server: TestServer;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ SMTP_URL: smtp.url });
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const PATH = '/api/me/notification-preferences';
const get = async (token: string) => {
  const response = await server.api(PATH, { token });
  expect(response.status).toBe(200);
  return response.json();
};
const patch = (token: string, body: unknown) => server.api(PATH, { method: 'PATCH', token, body });
const mailsTo = (email: string) => smtp.messages.filter((mail) => mail.to.includes(email.toLowerCase())).length;
const alertsOf = async (token: string) => ((await (await server.api('/api/alerts', { token })).json()) as { data: Array<{ kind: string }> }).data;

async function testAlert(token: string, body: Record<string, unknown>): Promise<{ recipients: number }> {
  const budget = await server.api('/api/budgets', { method: 'PUT', token, body: { limit_micros: 5_000_000, ...body } });
  expect([200, 201], await budget.clone().text()).toContain(budget.status); // 200: the same scope's budget, updated
  const { id } = (await budget.json()) as { id: string };
  const sent = await server.api(`/api/budgets/${id}/test-alert`, { method: 'POST', token });
  expect(sent.status, await sent.clone().text()).toBe(200);
  return (await sent.json()) as { recipients: number };
}

describe('notification preferences', () => {
  it('start with every mail on, change one at a time, and audit the change', async () => {
    const user = await server.signIn();
    expect(await get(user.token)).toEqual({ email_budget_alerts: true, email_integration_alerts: true });
    const off = await patch(user.token, { email_budget_alerts: false });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ email_budget_alerts: false, email_integration_alerts: true });
    expect(await (await patch(user.token, { email_integration_alerts: false })).json()).toEqual({ email_budget_alerts: false, email_integration_alerts: false });
    expect(await (await patch(user.token, { email_budget_alerts: true })).json()).toEqual({ email_budget_alerts: true, email_integration_alerts: false });
    expect(await get(user.token)).toEqual({ email_budget_alerts: true, email_integration_alerts: false });
    // Another user's preferences are theirs alone.
    const other = await server.signIn();
    expect(await get(other.token)).toEqual({ email_budget_alerts: true, email_integration_alerts: true });

    const audit = ((await (await server.api('/api/audit', { token: user.token })).json()) as { data: Array<{ action: string; metadata: Record<string, unknown> | null }> }).data;
    const changes = audit.filter((event) => event.action === 'notification_preferences.updated');
    expect(changes).toHaveLength(3);
    expect(changes[0]!.metadata).toEqual({ email_budget_alerts: true });
  });

  it('refuses bad input with a 400 that names the problem, and stores nothing', async () => {
    const user = await server.signIn();
    for (const body of [{}, { email_budget_alerts: 'no' }, { email_budget_alerts: null }, { email_budget_alerts: false, sms: true }, [true]]) {
      const response = await patch(user.token, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { code: string; source: string; message: string } }).error;
      expect(error).toMatchObject({ code: 'invalid_request', source: 'user' });
      expect(error.message).toMatch(/^Invalid request: /);
    }
    expect((await patch(user.token, {})).status).toBe(400);
    expect(await (await patch(user.token, {})).json()).toMatchObject({ error: { message: expect.stringContaining('send at least one of email_budget_alerts, email_integration_alerts') } });
    expect(await get(user.token)).toEqual({ email_budget_alerts: true, email_integration_alerts: true });
    expect((await server.api(PATH)).status).toBe(401);
    expect((await server.api(PATH, { method: 'PATCH', body: { email_budget_alerts: false } })).status).toBe(401);
  });

  it('a budget alert with budget mail off lands in-app only; turned back on, it mails again', async () => {
    const user = await server.signIn();
    expect((await patch(user.token, { email_budget_alerts: false })).status).toBe(200);
    expect(await testAlert(user.token, { scope: 'user' })).toEqual(expect.objectContaining({ recipients: 1 }));
    expect((await alertsOf(user.token)).map((alert) => alert.kind)).toEqual(['budget.test']);
    // The sender awaits its mails before answering: none went out.
    expect(mailsTo(user.email)).toBe(0);

    // The other topic's switch does not silence budget mail.
    expect((await patch(user.token, { email_budget_alerts: true, email_integration_alerts: false })).status).toBe(200);
    await testAlert(user.token, { scope: 'user' });
    const mail = await smtp.nextTo(user.email);
    expect(mail.subject).toBe('Test alert for the user budget');
    expect(mailsTo(user.email)).toBe(1);
    expect(await alertsOf(user.token)).toHaveLength(2);
  });

  it('in a team, each owner and admin gets the mail they chose; everyone is told in-app', async () => {
    const owner = await server.signIn();
    const admin = await server.signIn();
    const team = (await (await server.api('/api/teams', { token: owner.token, body: { name: 'Prefs team' } })).json()) as { id: string };
    expect((await server.api(`/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: admin.email, role: 'admin' } })).status).toBe(201);
    const invitation = await smtp.nextTo(admin.email);
    const token = /token=([\w-]+)/.exec(invitation.text)?.[1];
    expect((await server.api('/api/invitations/accept', { token: admin.token, body: { token } })).status).toBe(200);
    expect((await patch(admin.token, { email_budget_alerts: false })).status).toBe(200);

    expect(await testAlert(owner.token, { scope: 'team', scope_id: team.id })).toEqual(expect.objectContaining({ recipients: 2 }));
    expect((await smtp.nextTo(owner.email)).subject).toBe('Test alert for the team budget');
    expect(mailsTo(admin.email)).toBe(1); // the invitation only
    expect((await alertsOf(admin.token)).map((alert) => alert.kind)).toEqual(['budget.test']);
    expect((await alertsOf(owner.token)).map((alert) => alert.kind)).toEqual(['budget.test']);
  });
});
