/**
 * The open GET /api/events streams of this process, and what ends them: the session or platform
 * key that opened a stream is revoked (it gets `session.revoked` / `key.revoked`, then closes), the
 * user is disabled, or the server shuts down. A `platform_key` message also follows a roll with a
 * grace (the key still works): a stream opened with that key ends only once the key's
 * `revoked_at` has passed, which the grace sweep announces with another message. Team memberships are read once when a stream opens
 * and again when the bus says one of the caller's memberships (or a team of theirs) changed, so
 * a removed member stops seeing the team's events at once.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Principal } from '../http/context.js';
import type { Clock } from '../platform/clock.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Logger } from '../platform/logger.js';
import type { Database } from '../store/db.js';
import { memberships, platformKeys, teams } from '../store/schema.js';
import type { EventHub, LiveEvent, Subscription, Viewer } from './event-hub.js';

export interface LiveStream {
  viewer: Viewer;
  subscription: Subscription;
}

interface OpenStream {
  principal: Principal;
  viewer: Viewer;
  send: (event: LiveEvent) => void;
  end: () => void;
}

export function createLiveStreams(deps: { db: Database; hub: EventHub; bus: InvalidationBus; logger: Logger; heartbeatMs: number; clock: Clock }) {
  const { db, hub, bus } = deps;
  const open = new Set<OpenStream>();

  async function teamsOf(principal: Principal): Promise<Set<string>> {
    // A team-scoped platform key sees its team only; a user credential every team they belong to.
    const rows = await db
      .select({ teamId: memberships.teamId })
      .from(memberships)
      .innerJoin(teams, eq(teams.id, memberships.teamId))
      .where(and(eq(memberships.userId, principal.userId), isNull(teams.disabledAt), principal.teamId ? eq(memberships.teamId, principal.teamId) : undefined));
    return new Set(rows.map((row) => row.teamId));
  }

  const refresh = (stream: OpenStream) =>
    teamsOf(stream.principal).then(
      (ids) => (stream.viewer = { userId: stream.viewer.userId, teams: ids }),
      (error: unknown) => deps.logger.warn({ err: error }, 'could not reload the teams of an event stream'),
    );

  const endWith = (stream: OpenStream, event?: LiveEvent) => {
    if (event) stream.send(event);
    stream.end();
  };

  bus.subscribe('session', (sessionId) => {
    for (const stream of open) {
      if (stream.principal.sessionId === sessionId) endWith(stream, { id: '', type: 'session.revoked', data: { session_id: sessionId } });
    }
  });
  /** Revoked by now, or gone (a deleted user's keys): a key still in its roll grace is not. */
  async function keyStopped(keyId: string): Promise<boolean> {
    const [row] = await db.select({ revokedAt: platformKeys.revokedAt }).from(platformKeys).where(eq(platformKeys.id, keyId));
    return !row || (row.revokedAt !== null && row.revokedAt <= deps.clock.now());
  }
  bus.subscribe('platform_key', (keyId) => {
    const using = [...open].filter((stream) => stream.principal.keyId === keyId);
    if (using.length === 0) return;
    keyStopped(keyId).then(
      (stopped) => {
        if (stopped) for (const stream of using) endWith(stream, { id: '', type: 'key.revoked', data: { id: keyId } });
      },
      // Fail closed: a stream whose key cannot be read ends, and reconnecting authenticates again.
      (error: unknown) => {
        deps.logger.warn({ err: error }, 'could not read a changed platform key; ending its event streams');
        for (const stream of using) endWith(stream);
      },
    );
  });
  bus.subscribe('user', (userId) => {
    // Disabled (or changed): its streams end; a still-valid credential reconnects.
    for (const stream of open) if (stream.viewer.userId === userId) endWith(stream);
  });
  bus.subscribe('membership', (teamAndUser) => {
    const [, userId] = teamAndUser.split(':');
    for (const stream of open) if (stream.viewer.userId === userId) void refresh(stream);
  });
  bus.subscribe('team', (teamId) => {
    for (const stream of open) if (stream.viewer.teams.has(teamId)) void refresh(stream);
  });
  bus.onResync(() => {
    for (const stream of open) void refresh(stream);
  });

  return {
    heartbeatMs: deps.heartbeatMs,

    /** Register a stream; `send` writes one event, `end` closes the response. */
    async open(principal: Principal, send: (event: LiveEvent) => void, end: () => void): Promise<{ subscription: Subscription; close(): void }> {
      const [teamIds] = await Promise.all([teamsOf(principal), hub.ready()]);
      const stream: OpenStream = { principal, viewer: { userId: principal.userId, teams: teamIds }, send, end };
      open.add(stream);
      const subscription = hub.subscribe(() => stream.viewer, send);
      return {
        subscription,
        close() {
          open.delete(stream);
          subscription.close();
        },
      };
    },

    /** End every stream (shutdown: a stream must not hold the drain until its deadline). */
    closeAll(): void {
      for (const stream of open) stream.end();
    },

    count(): number {
      return open.size;
    },
  };
}

export type LiveStreams = ReturnType<typeof createLiveStreams>;
