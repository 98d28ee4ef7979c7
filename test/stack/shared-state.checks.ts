/**
 * OPS.md checks 6–8 on the loopback stack: nothing shared lives in one process.
 * - 6: a platform key's 10/s limit holds across both replicas behind nginx; per-IP `/api` budgets
 *   belong to each client address (127.0.0.2, 127.0.0.3), and a spoofed X-Forwarded-For from a peer
 *   that is not a trusted proxy does not move a client to a fresh budget.
 * - 7: a breaker opened by failures through replica A keeps replica B off the failing endpoint
 *   (at most one half-open probe in 20 requests), and B's admin view shows it open.
 * - 8: a key revoked on A, an integration key replaced on A and a team member removed on A take
 *   effect on B within 1 s (the caches are invalidated over Redis, not expired).
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { api, chat, metricSum, OPENAI_KEYS, REPLICAS, request, waitFor, type ReplicaName, type StackContext } from './harness.js';

const WITHIN_MS = 1_000;

/** Polls until `check` holds; answers how long it took, failing past `ms`. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  await waitFor(`a change on replica b within ${ms} ms`, async () => ((await check()) ? true : undefined), ms, 20);
  return performance.now() - started;
}

export function sharedStateChecks(ctx: () => StackContext): void {
  describe('shared rate limits (check 6)', () => {
    /** Chat requests each replica has answered (any status), from its own /metrics. */
    async function chatsServed(): Promise<Record<ReplicaName, number>> {
      const { stack } = ctx();
      const served = {} as Record<ReplicaName, number>;
      for (const name of REPLICAS) {
        const metrics = (await request(`${stack.replica[name]}/metrics`)).body;
        served[name] = metricSum(metrics, /^http_server_request_duration_seconds_count\{[^}]*route="\/v1\/chat\/completions"/);
      }
      return served;
    }

    it('a key limited to 10 requests/s admits 9–11 of 40 sent within a second, across both replicas', async () => {
      const { stack, owner } = ctx();
      const created = await api(stack.edge, '/api/keys', { token: owner.token, body: { name: 'limited', rate_limit: { rps: 10 } } });
      expect(created.status, created.body).toBe(201);
      const key = created.json<{ key: string }>().key;
      const before = await chatsServed();
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 40 }, () => chat(stack.edge, key)));
      expect(performance.now() - started).toBeLessThan(1_000);
      const accepted = answers.filter((answer) => answer.status === 200);
      expect(accepted.length).toBeGreaterThanOrEqual(9);
      expect(accepted.length).toBeLessThanOrEqual(11);
      for (const answer of answers.filter((entry) => entry.status !== 200)) {
        expect(answer.status).toBe(429);
        expect(JSON.parse(answer.body).error).toMatchObject({ code: 'rate_limited', source: 'user', type: 'rate_limit_error' });
        expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      const after = await chatsServed();
      expect(after.a - before.a, 'replica a served some').toBeGreaterThan(0);
      expect(after.b - before.b, 'replica b served some').toBeGreaterThan(0);
      expect(after.a - before.a + (after.b - before.b)).toBe(40);
    });

    it('gives 127.0.0.2 and 127.0.0.3 each their own /api budget through nginx; a spoofed X-Forwarded-For changes nothing', async () => {
      const { stack } = ctx();
      const probe = (localAddress: string, headers: Record<string, string> = {}) => request(`${stack.edge}/api/keys`, { localAddress, headers });
      const first = await Promise.all(Array.from({ length: 80 }, () => probe('127.0.0.2')));
      const limited = first.filter((answer) => answer.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(1);
      expect(first.length - limited.length).toBeLessThanOrEqual(61); // 30/s with a burst of 30 (app), 60 (nginx)
      for (const answer of limited) expect(JSON.parse(answer.body).error).toMatchObject({ code: 'rate_limited', source: 'user' });
      // Another client address has its whole budget.
      const other = await Promise.all(Array.from({ length: 30 }, () => probe('127.0.0.3')));
      expect(other.map((answer) => answer.status).filter((status) => status === 429)).toEqual([]);
      expect(other.every((answer) => answer.status === 401)).toBe(true);
      // The exhausted client claiming to be someone else is still itself.
      const spoofed = await probe('127.0.0.2', { 'x-forwarded-for': '198.51.100.7' });
      expect(spoofed.status).toBe(429);
    });

    it('on a replica, X-Forwarded-For counts only from a trusted proxy', async () => {
      const { stack } = ctx();
      const probe = (localAddress: string, headers: Record<string, string> = {}) => request(`${stack.replica.a}/api/keys`, { localAddress, headers });
      // 127.0.0.4 is not a trusted proxy (SWITCHBOARD_TRUSTED_PROXIES=127.0.0.1/32): its header is ignored.
      const spent = await Promise.all(Array.from({ length: 70 }, () => probe('127.0.0.4')));
      expect(spent.some((answer) => answer.status === 429)).toBe(true);
      expect((await probe('127.0.0.4', { 'x-forwarded-for': '198.51.100.8' })).status).toBe(429);
      // From the trusted proxy's address the same header names the client: a budget of its own.
      expect((await probe('127.0.0.1', { 'x-forwarded-for': '198.51.100.9' })).status).toBe(401);
    });
  });

  describe('shared circuit breaker (check 7)', () => {
    it('a breaker opened through replica A keeps replica B off the failing endpoint, and B’s admin view shows it open', async () => {
      const { stack, owner } = ctx();
      const route = { strategy: 'priority', targets: [{ model: 'anthropic/claude-haiku-4-5' }, { model: 'openai/gpt-4o-mini' }] };
      expect((await api(stack.replica.a, '/api/routes/shared', { method: 'PUT', token: owner.token, body: route })).status).toBe(201);
      const sdk = (base: string) => new OpenAI({ apiKey: owner.token, baseURL: `${base}/v1`, maxRetries: 0 });
      const call = (base: string) => sdk(base).chat.completions.create({ model: 'shared', messages: [{ role: 'user', content: 'Say hello' }] }).withResponse();

      const proxy = stack.anthropicProxy;
      proxy.always({ kind: 'status', status: 500, body: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } });
      const seenBefore = proxy.seen();
      for (let i = 0; i < 3; i += 1) expect((await call(stack.replica.a)).response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o-mini');
      expect(proxy.seen() - seenBefore).toBe(3);

      const breakerKey = `anthropic ${proxy.origin}`;
      const breakerOnB = async () => {
        const health = await api(stack.replica.b, '/api/admin/health', { token: owner.token });
        expect(health.status).toBe(200);
        return health.json<{ breakers: Array<{ key: string; state: string }> }>().breakers.find((breaker) => breaker.key === breakerKey)?.state;
      };
      await within(WITHIN_MS, async () => (await breakerOnB()) === 'open');

      const seenBeforeB = proxy.seen();
      for (let i = 0; i < 20; i += 1) {
        const { data, response } = await call(stack.replica.b);
        expect(response.headers.get('x-switchboard-fallback')).toBe('openai/gpt-4o-mini');
        expect(data.choices[0]?.message.content).toContain('fake-openai');
      }
      expect(proxy.seen() - seenBeforeB).toBeLessThanOrEqual(1);
      expect(await breakerOnB()).toBe('open');
      proxy.always({ kind: 'pass' });
    });
  });

  describe('cache invalidation across replicas (check 8)', () => {
    it('a key deleted on A is refused on B within 1 s', async () => {
      const { stack, owner } = ctx();
      const created = await api(stack.replica.a, '/api/keys', { token: owner.token, body: { name: 'revoked' } });
      const key = created.json<{ id: string; key: string }>();
      for (let i = 0; i < 2; i += 1) expect((await chat(stack.replica.b, key.key)).status).toBe(200); // cached on B
      expect((await api(stack.replica.a, `/api/keys/${key.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
      expect(await within(WITHIN_MS, async () => (await chat(stack.replica.b, key.key)).status === 401)).toBeLessThan(WITHIN_MS);
    });

    it('an integration key replaced on A is the one B sends to the provider from then on', async () => {
      const { stack, owner } = ctx();
      const listed = await api(stack.replica.a, '/api/integrations', { token: owner.token });
      const integration = listed.json<{ data: Array<{ id: string; service: string }> }>().data.find((entry) => entry.service === 'openai')!;
      const lastCredential = () => stack.openai.requests.at(-1)?.credential;
      expect((await chat(stack.replica.b, owner.token)).status).toBe(200);
      expect(lastCredential()).toBe(OPENAI_KEYS[0]);
      const patched = await api(stack.replica.a, `/api/integrations/${integration.id}`, { method: 'PATCH', token: owner.token, body: { api_key: OPENAI_KEYS[1] } });
      expect(patched.status, patched.body).toBe(200);
      await within(WITHIN_MS, async () => (await chat(stack.replica.b, owner.token)).status === 200 && lastCredential() === OPENAI_KEYS[1]);
      for (let i = 0; i < 3; i += 1) {
        expect((await chat(stack.replica.b, owner.token)).status).toBe(200);
        expect(lastCredential()).toBe(OPENAI_KEYS[1]);
      }
    });

    it('a member removed from a team on A loses the team’s secret on B within 1 s', async () => {
      const { stack, owner, member } = ctx();
      const team = (await api(stack.replica.a, '/api/teams', { token: owner.token, body: { name: 'Stack team' } })).json<{ id: string }>();
      expect((await api(stack.replica.a, `/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: member.email, role: 'member' } })).status).toBe(201);
      const mail = await stack.smtp.nextTo(member.email, 10_000);
      const invitation = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      expect((await api(stack.replica.a, '/api/invitations/accept', { token: member.token, body: { token: invitation } })).status).toBe(200);
      const stored = await api(stack.replica.a, `/api/teams/${team.id}/integrations`, { token: owner.token, body: { service: 'openai', api_key: OPENAI_KEYS[0] } });
      expect(stored.status, stored.body).toBe(201);
      const key = (await api(stack.replica.a, '/api/keys', { token: member.token, body: { name: 'team key', team_id: team.id } })).json<{ key: string }>().key;
      for (let i = 0; i < 2; i += 1) expect((await chat(stack.replica.b, key)).status).toBe(200);

      const members = (await api(stack.replica.a, `/api/teams/${team.id}/members`, { token: owner.token })).json<{ data: Array<{ user_id: string; email: string }> }>();
      const memberId = members.data.find((entry) => entry.email === member.email)!.user_id;
      const removed = await api(stack.replica.a, `/api/teams/${team.id}/members/${memberId}`, { method: 'DELETE', token: owner.token });
      expect(removed.status, removed.body).toBe(204);
      expect(await within(WITHIN_MS, async () => (await chat(stack.replica.b, key)).status === 401)).toBeLessThan(WITHIN_MS);
    });
  });
}


