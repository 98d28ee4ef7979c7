/**
 * Tells the people behind an owner about something that needs them: a user, or a team's owners
 * and admins. Each gets an in-app notification (GET /api/notifications) and, unless they turned
 * that topic's mail off (GET/PATCH /api/me/notification-preferences), a mail. Used by budget
 * alerts and by integrations a provider rejected. Mail failures are logged, never thrown.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../store/db.js';
import { memberships, notificationPreferences, notifications, users } from '../store/schema.js';
import { newId } from './ids.js';
import type { Logger } from './logger.js';
import type { Mailer } from './mailer.js';

export type NoticeOwner = { userId: string; teamId?: undefined } | { userId?: undefined; teamId: string };

/** What a notice is about: each is one mail preference of the recipient. */
export type NoticeTopic = 'budget' | 'integration';

export interface Notice {
  /** Machine-readable kind, e.g. `budget.threshold`, `integration.invalid`. */
  kind: string;
  topic: NoticeTopic;
  title: string;
  body: string;
  data: Record<string, unknown>;
  /** Where the mail points the reader (appended to the body). */
  link: string;
}

export function createOwnerNotices(deps: { db: Database; mailer: Mailer; logger: Logger }) {
  const { db, logger } = deps;

  /** The people to tell, each with their mail preference for the topic (no row: mail on). */
  async function recipients(owner: NoticeOwner, topic: NoticeTopic): Promise<Array<{ id: string; email: string; mail: boolean | null }>> {
    const columns = {
      id: users.id,
      email: users.email,
      mail: topic === 'budget' ? notificationPreferences.emailBudgetAlerts : notificationPreferences.emailIntegrationAlerts,
    };
    if (owner.userId) {
      return db.select(columns).from(users).leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id)).where(eq(users.id, owner.userId));
    }
    return db
      .select(columns)
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
      .where(and(eq(memberships.teamId, owner.teamId!), inArray(memberships.role, ['owner', 'admin'])));
  }

  return {
    /** Stores the notifications, then mails those who want mail on the topic; answers how many people were told. */
    async send(owner: NoticeOwner, notice: Notice): Promise<number> {
      const to = await recipients(owner, notice.topic);
      if (to.length === 0) return 0;
      await db.insert(notifications).values(to.map((user) => ({ id: newId(), userId: user.id, kind: notice.kind, title: notice.title, body: notice.body, data: notice.data })));
      await Promise.all(
        to.filter((user) => user.mail !== false).map((user) =>
          deps.mailer
            .send({ to: user.email, subject: notice.title, text: `${notice.body}\n\n${notice.link}\n` })
            .catch((error: unknown) => logger.warn({ err: { message: (error as Error).message }, kind: notice.kind }, 'notice mail failed')),
        ),
      );
      return to.length;
    },
  };
}

export type OwnerNotices = ReturnType<typeof createOwnerNotices>;
