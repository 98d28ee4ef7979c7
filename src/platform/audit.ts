import type { DbExecutor } from '../store/db.js';
import { auditEvents } from '../store/schema.js';
import { newId } from './ids.js';

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
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
