import { and, desc, eq, lt } from 'drizzle-orm';
import type { DbExecutor } from '../store/db.js';
import { auditEvents } from '../store/schema.js';
import { newId } from './ids.js';

export type AuditEventRow = typeof auditEvents.$inferSelect;

export interface AuditEvent {
  action: string;
  actorUserId?: string | null;
  teamId?: string | null;
  targetKind?: string;
  targetId?: string;
  ip?: string | null;
  userAgent?: string | null;
  /** Never key material, tokens or passwords. */
  metadata?: Record<string, unknown>;
}

/** Security-relevant actions, written in the same transaction as the change they describe. */
export function createAuditLog(db: DbExecutor) {
  return {
    async record(event: AuditEvent, tx: DbExecutor = db): Promise<void> {
      await tx.insert(auditEvents).values({
        id: newId(),
        action: event.action,
        actorUserId: event.actorUserId ?? null,
        teamId: event.teamId ?? null,
        targetKind: event.targetKind ?? null,
        targetId: event.targetId ?? null,
        ip: event.ip ?? null,
        userAgent: event.userAgent ?? null,
        metadata: event.metadata ?? null,
      });
    },

    /** Events by one actor, or about one team: newest first, keyset-paginated by id. */
    async list(
      filter: { actorUserId: string } | { teamId: string },
      page: { limit: number; before?: string },
      tx: DbExecutor = db,
    ): Promise<AuditEventRow[]> {
      const scope = 'teamId' in filter ? eq(auditEvents.teamId, filter.teamId) : eq(auditEvents.actorUserId, filter.actorUserId);
      return tx
        .select()
        .from(auditEvents)
        .where(and(scope, page.before ? lt(auditEvents.id, page.before) : undefined))
        .orderBy(desc(auditEvents.id))
        .limit(page.limit);
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
