/**
 * Each user's mail preferences for owner notices (platform/owner-notices.ts reads them when it
 * sends): budget alerts and provider-rejected keys. No row means every mail on, so users from
 * before the table existed keep getting what they got. A change is audited in its transaction.
 */
import { eq, sql } from 'drizzle-orm';
import type { AuditLog } from '../platform/audit.js';
import type { Database } from '../store/db.js';
import { notificationPreferences } from '../store/schema.js';

export interface NotificationPreferences {
  emailBudgetAlerts: boolean;
  emailIntegrationAlerts: boolean;
}

export const DEFAULT_NOTIFICATION_PREFERENCES: NotificationPreferences = { emailBudgetAlerts: true, emailIntegrationAlerts: true };

export function createNotificationPreferencesStore(deps: { db: Database; audit: Pick<AuditLog, 'record'> }) {
  const { db, audit } = deps;
  const columns = { emailBudgetAlerts: notificationPreferences.emailBudgetAlerts, emailIntegrationAlerts: notificationPreferences.emailIntegrationAlerts };

  return {
    async getPreferences(userId: string): Promise<NotificationPreferences> {
      const [row] = await db.select(columns).from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
      return row ?? DEFAULT_NOTIFICATION_PREFERENCES;
    },

    /** Sets the given preferences (the others keep their value) and answers all of them. */
    async updatePreferences(
      userId: string,
      change: Partial<NotificationPreferences>,
      client: { ip: string | null; userAgent: string | null },
    ): Promise<NotificationPreferences> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(notificationPreferences)
          .values({ userId, ...DEFAULT_NOTIFICATION_PREFERENCES, ...change })
          .onConflictDoUpdate({ target: notificationPreferences.userId, set: { ...change, updatedAt: sql`now()` } })
          .returning(columns);
        await audit.record(
          {
            action: 'notification_preferences.updated',
            actorUserId: userId,
            targetKind: 'user',
            targetId: userId,
            metadata: { email_budget_alerts: change.emailBudgetAlerts, email_integration_alerts: change.emailIntegrationAlerts },
            ...client,
          },
          tx,
        );
        return row!;
      });
    },
  };
}

export type NotificationPreferencesStore = ReturnType<typeof createNotificationPreferencesStore>;
