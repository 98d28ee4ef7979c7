import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/logger.js';
import { createEventHub, MAX_EVENT_BYTES, type LiveEvent } from './event-hub.js';
import { integrationStatusEvent, liveStatusOf } from './integration-status.js';

const logger = createLogger({ level: 'silent' });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('event hub (no Redis)', () => {
  it('delivers to the user and to members of the team, nobody else, in order, after the current turn', async () => {
    const hub = createEventHub({ redis: undefined, logger, ringSize: 10 });
    const seen: Record<string, LiveEvent[]> = { alice: [], bob: [], carol: [] };
    hub.subscribe(() => ({ userId: 'alice', teams: new Set() }), (event) => seen.alice!.push(event));
    hub.subscribe(() => ({ userId: 'bob', teams: new Set(['t1']) }), (event) => seen.bob!.push(event));
    hub.subscribe(() => ({ userId: 'carol', teams: new Set(['t2']) }), (event) => seen.carol!.push(event));
    hub.publish('usage.created', { userId: 'alice' }, { n: 1 });
    hub.publish('integration.status', { teamId: 't1' }, { n: 2 });
    hub.publish('key.revoked', { userId: 'alice', teamId: 't1' }, { n: 3 });
    expect(seen.alice).toEqual([]);
    await tick();
    expect(seen.alice!.map((event) => (event.data as { n: number }).n)).toEqual([1, 3]);
    expect(seen.bob!.map((event) => (event.data as { n: number }).n)).toEqual([2, 3]);
    expect(seen.carol).toEqual([]);
  });

  it('drops an event without audience or over the size bound', async () => {
    const hub = createEventHub({ redis: undefined, logger, ringSize: 10 });
    const seen: LiveEvent[] = [];
    hub.subscribe(() => ({ userId: 'u', teams: new Set() }), (event) => seen.push(event));
    hub.publish('usage.created', {}, { n: 1 });
    hub.publish('usage.created', { userId: 'u' }, { blob: 'x'.repeat(MAX_EVENT_BYTES) });
    await tick();
    expect(seen).toEqual([]);
  });

  it('makes data given as a function once, only when a stream may see the event, and drops it when too large', async () => {
    const hub = createEventHub({ redis: undefined, logger, ringSize: 10 });
    let made = 0;
    const make = (n: number) => () => ((made += 1), { n });
    hub.publish('usage.created', { userId: 'nobody-listens' }, make(1));
    await tick();
    expect(made).toBe(0);
    const seen: LiveEvent[] = [];
    hub.subscribe(() => ({ userId: 'u', teams: new Set(['t']) }), (event) => seen.push(event));
    hub.subscribe(() => ({ userId: 'v', teams: new Set(['t']) }), (event) => seen.push(event));
    hub.publish('usage.created', { teamId: 't' }, make(2));
    hub.publish('usage.created', { userId: 'u' }, () => ({ blob: 'x'.repeat(MAX_EVENT_BYTES) }));
    hub.publish('usage.created', { userId: 'u' }, make(3));
    await tick();
    expect(made).toBe(2);
    expect(seen.map((event) => event.data)).toEqual([{ n: 2 }, { n: 2 }, { n: 3 }]);
  });

  it('replays after Last-Event-ID from the ring, and asks for a resync when it cannot', async () => {
    const hub = createEventHub({ redis: undefined, logger, ringSize: 3 });
    const first: LiveEvent[] = [];
    const viewer = () => ({ userId: 'u', teams: new Set<string>() });
    const subscription = hub.subscribe(viewer, (event) => first.push(event));
    for (let n = 1; n <= 2; n++) hub.publish('usage.created', { userId: 'u' }, { n });
    hub.publish('usage.created', { userId: 'other' }, { n: 99 });
    await tick();
    subscription.close();
    hub.publish('usage.created', { userId: 'u' }, { n: 3 });
    await tick();

    const later = hub.subscribe(viewer, () => undefined);
    expect(later.replay(first[0]!.id).map((event) => (event.data as { n: number }).n)).toEqual([2, 3]);
    expect(later.replay(undefined)).toEqual([]);
    for (let n = 4; n <= 6; n++) hub.publish('usage.created', { userId: 'u' }, { n });
    await tick();
    // The ring (3) no longer holds what followed the first id.
    expect(later.replay(first[0]!.id).map((event) => event.type)).toEqual(['resync']);
    expect(later.replay('someone-else.1').map((event) => event.type)).toEqual(['resync']);
    expect(later.replay('garbage').map((event) => event.type)).toEqual(['resync']);
  });

  it('keeps exactly the last ringSize events however many went through it', async () => {
    const hub = createEventHub({ redis: undefined, logger, ringSize: 3 });
    const ids: string[] = [];
    const viewer = () => ({ userId: 'u', teams: new Set<string>() });
    const watching = hub.subscribe(viewer, (event) => ids.push(event.id));
    for (let n = 1; n <= 20; n++) {
      hub.publish('usage.created', { userId: 'u' }, { n });
      if (n % 4 === 0) await tick();
    }
    await tick();
    watching.close();
    const later = hub.subscribe(viewer, () => undefined);
    const numbers = (events: LiveEvent[]) => events.map((event) => (event.type === 'resync' ? 'resync' : (event.data as { n: number }).n));
    // 18, 19 and 20 are held: resuming after 17 gets them, after 18 the last two, after 16 is too far back.
    expect(numbers(later.replay(ids[16]))).toEqual([18, 19, 20]);
    expect(numbers(later.replay(ids[17]))).toEqual([19, 20]);
    expect(numbers(later.replay(ids[19]))).toEqual([]);
    expect(numbers(later.replay(ids[15]))).toEqual(['resync']);
  });
});

describe('integration live status', () => {
  const row = { id: 'i', ownerTeamId: null, status: 'active' as const, lastError: null, lastCheckedAt: new Date('2026-12-01T00:00:00Z'), disabledAt: null, disabledReason: null };
  it('derives status from the stored verdict and the breaker', () => {
    expect(liveStatusOf(row, 'closed')).toBe('healthy');
    expect(liveStatusOf({ ...row, lastCheckedAt: null }, 'closed')).toBe('unchecked');
    expect(liveStatusOf(row, 'open')).toBe('failing');
    expect(liveStatusOf(row, 'half_open')).toBe('degraded');
    expect(liveStatusOf({ ...row, status: 'invalid' }, 'closed')).toBe('failing');
    expect(liveStatusOf({ ...row, status: 'quota_exceeded' }, 'closed')).toBe('degraded');
    expect(liveStatusOf({ ...row, status: 'unreachable' }, 'closed')).toBe('degraded');
    expect(liveStatusOf(row, 'closed', true)).toBe('disabled');
    // A disabled integration says so whatever its verdict or breaker.
    expect(liveStatusOf({ ...row, status: 'invalid', disabledAt: new Date() }, 'open')).toBe('disabled');
  });
  it('carries the reason of a disabled integration or team', () => {
    expect(integrationStatusEvent({ ...row, disabledAt: new Date(), disabledReason: 'Paused for the audit.' }, 'closed')).toMatchObject({ status: 'disabled', disabled_reason: 'Paused for the audit.' });
    expect(integrationStatusEvent(row, 'closed', true)).toMatchObject({ status: 'disabled', disabled_reason: 'Its team is disabled.' });
    expect(integrationStatusEvent(row, 'closed')).not.toHaveProperty('disabled_reason');
  });
  it('names who must act in last_error', () => {
    expect(integrationStatusEvent({ ...row, status: 'invalid', lastError: 'rejected', ownerTeamId: 't' }, 'closed')).toEqual({
      id: 'i',
      team_id: 't',
      status: 'failing',
      breaker: 'closed',
      last_error: { source: 'user', code: 'provider_key_rejected', message: 'rejected' },
      checked_at: '2026-12-01T00:00:00.000Z',
    });
  });
});

describe('access token expiry of a stream', () => {
  it('reads exp from a Bearer JWT, nothing from anything else', async () => {
    const { accessTokenExpiry } = await import('./events.routes.js');
    const jwt = (payload: unknown) => `h.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.s`;
    expect(accessTokenExpiry(`Bearer ${jwt({ sub: 'u', exp: 1_800_000_000 })}`)).toBe(1_800_000_000_000);
    expect(accessTokenExpiry(`Bearer ${jwt({ sub: 'u' })}`)).toBeUndefined();
    expect(accessTokenExpiry('Bearer sk-sb-platform-key')).toBeUndefined();
    expect(accessTokenExpiry('Bearer a.!!!.b')).toBeUndefined();
    expect(accessTokenExpiry(undefined)).toBeUndefined();
  });
});
