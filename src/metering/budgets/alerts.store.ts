/**
 * Alerts are the caller's notifications rows, read unread-first: `(read_at is null) desc, id desc`,
 * keyset-paginated with a cursor `u:<id>` (still in the unread group) or `r:<id>` (in the read group).
 */
import { and, count, desc, eq, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../store/db.js';
import { notifications } from '../../store/schema.js';

export const ALERT_CURSOR = /^[ur]:[0-9A-HJKMNP-TV-Z]{26}$/;

/** One notification as /api/notifications and /api/alerts show it. */
export const toNotificationView = (row: typeof notifications.$inferSelect) => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  body: row.body,
  data: row.data ?? null,
  read_at: row.readAt?.toISOString() ?? null,
  created_at: row.createdAt.toISOString(),
});

export function createAlertsStore(db: Database) {
  return {
    async page(userId: string, options: { limit: number; cursor?: string | undefined; unreadOnly: boolean }) {
      let after: SQL | undefined;
      if (options.cursor) {
        const id = options.cursor.slice(2);
        after = options.cursor.startsWith('u:')
          ? or(and(isNull(notifications.readAt), lt(notifications.id, id)), isNotNull(notifications.readAt))
          : and(isNotNull(notifications.readAt), lt(notifications.id, id));
      }
      const [rows, [unread]] = await Promise.all([
        db
          .select()
          .from(notifications)
          .where(and(eq(notifications.userId, userId), options.unreadOnly ? isNull(notifications.readAt) : undefined, after))
          .orderBy(sql`(${notifications.readAt} is null) desc`, desc(notifications.id))
          .limit(options.limit + 1),
        db.select({ n: count() }).from(notifications).where(and(eq(notifications.userId, userId), isNull(notifications.readAt))),
      ]);
      const page = rows.slice(0, options.limit);
      const last = page.at(-1);
      return {
        data: page.map(toNotificationView),
        next_cursor: rows.length > options.limit && last ? `${last.readAt ? 'r' : 'u'}:${last.id}` : null,
        unread_count: unread?.n ?? 0,
      };
    },

    async markAllRead(userId: string): Promise<number> {
      const updated = await db
        .update(notifications)
        .set({ readAt: sql`now()` })
        .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
        .returning({ id: notifications.id });
      return updated.length;
    },
  };
}

export type AlertsStore = ReturnType<typeof createAlertsStore>;
