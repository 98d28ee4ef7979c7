/**
 * Settings → "Notification preferences": which notices also come by mail (GET/PATCH
 * /api/me/notification-preferences). Alerts always show in the app (the header's "Notifications");
 * only the mail is optional. A switch saves at once; on failure it returns to the stored value and
 * the error shows next to it as well as in a toast.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import type { Schemas } from '../../api/types';
import { LoadError } from '../../ui/DataRegion';
import { Switch } from '../../ui/Switch';
import { useToast } from '../../ui/Toast';

export type NotificationPreferences = Schemas['NotificationPreferences'];

const PREFERENCES: Array<{ field: keyof NotificationPreferences; label: string; hint: string }> = [
  { field: 'email_budget_alerts', label: 'Email me budget alerts', hint: 'When a budget you own, or your team’s as owner or admin, crosses an alert threshold; and its test alerts.' },
  { field: 'email_integration_alerts', label: 'Email me when a provider rejects a key', hint: 'When a provider refuses a stored key of yours, or your team’s as owner or admin.' },
];

export const notificationPreferencesQuery = queryOptions({
  queryKey: ['me', 'notification-preferences'],
  queryFn: ({ signal }) => api<NotificationPreferences>('/api/me/notification-preferences', { signal }),
});

export function NotificationPreferencesSection() {
  const client = useQueryClient();
  const notify = useToast();
  const preferences = useQuery(notificationPreferencesQuery);
  const save = useMutation({
    mutationFn: (change: Schemas['NotificationPreferencesChange']) => api<NotificationPreferences>('/api/me/notification-preferences', { method: 'PATCH', body: change }),
    onSuccess: (saved, change) => {
      client.setQueryData(notificationPreferencesQuery.queryKey, saved);
      const [field, on] = Object.entries(change)[0] ?? [];
      const label = PREFERENCES.find((item) => item.field === field)?.label;
      if (label) notify(`${label}: ${on ? 'on' : 'off'}.`);
    },
    onError: (error) => notify(`Preferences not saved: ${describeError(error)}`, 'error'),
  });
  // While saving, the switch shows the value asked for; a failure falls back to the stored one.
  const shown = save.isPending && preferences.data ? { ...preferences.data, ...save.variables } : preferences.data;

  return (
    <section aria-labelledby="notifications-heading" className="flex min-w-0 flex-col gap-3">
      <h2 id="notifications-heading" className="text-lg font-semibold">
        Notification preferences
      </h2>
      <p className="text-sm text-muted">Alerts always appear under “Notifications” in the header. Choose which of them also come by email.</p>
      {preferences.isError ? <LoadError what="Your notification preferences" onRetry={() => void preferences.refetch()} /> : null}
      {shown ? (
        <div className="grid gap-2">
          {PREFERENCES.map(({ field, label, hint }) => (
            <Switch key={field} label={label} hint={hint} checked={shown[field]} disabled={save.isPending} onCheckedChange={(checked) => save.mutate({ [field]: checked })} />
          ))}
        </div>
      ) : preferences.isPending ? (
        <p role="status" className="text-sm text-muted">
          Loading…
        </p>
      ) : null}
      {save.isError ? (
        <p role="alert" className="text-sm text-danger">
          Not saved: {describeError(save.error)}
        </p>
      ) : null}
    </section>
  );
}
