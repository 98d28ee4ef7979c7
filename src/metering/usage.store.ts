import { and, desc, eq, lt } from 'drizzle-orm';
import type { DbExecutor } from '../store/db.js';
import { usageRecords } from '../store/schema.js';

export type UsageRecordRow = typeof usageRecords.$inferSelect;
export type NewUsageRecord = typeof usageRecords.$inferInsert;

export interface UsageFilter {
  service?: string | undefined;
  model?: string | undefined;
  keyId?: string | undefined;
}

export function createUsageStore(db: DbExecutor) {
  return {
    /** Idempotent by request id: a replayed batch inserts nothing twice. Returns rows inserted. */
    async insertBatch(rows: NewUsageRecord[], tx: DbExecutor = db): Promise<number> {
      if (rows.length === 0) return 0;
      const inserted = await tx
        .insert(usageRecords)
        .values(rows)
        .onConflictDoNothing({ target: usageRecords.requestId })
        .returning({ id: usageRecords.id });
      return inserted.length;
    },

    /** A user's own records (personal context), newest first, keyset-paginated by id. */
    async listForUser(
      userId: string,
      filter: UsageFilter,
      page: { limit: number; before?: string | undefined },
      tx: DbExecutor = db,
    ): Promise<UsageRecordRow[]> {
      return tx
        .select()
        .from(usageRecords)
        .where(
          and(
            eq(usageRecords.userId, userId),
            filter.service ? eq(usageRecords.service, filter.service) : undefined,
            filter.model ? eq(usageRecords.model, filter.model) : undefined,
            filter.keyId ? eq(usageRecords.keyId, filter.keyId) : undefined,
            page.before ? lt(usageRecords.id, page.before) : undefined,
          ),
        )
        .orderBy(desc(usageRecords.id))
        .limit(page.limit);
    },
  };
}

export type UsageStore = ReturnType<typeof createUsageStore>;
