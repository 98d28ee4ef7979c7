/** "Disable <name>?" (an alertdialog): requests skip the integration until it is re-enabled; the key is kept. Loaded on first use. */
import { useMutation } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Integration } from '../../api/types';
import { AlertDialog } from '../../ui/Dialog';
import { integrationsBase } from './services';

export default function DisableIntegrationDialog({ integration, teamId, onClose, onDisabled }: { integration: Integration; teamId?: string | undefined; onClose: () => void; onDisabled: () => void }) {
  const disable = useMutation({
    mutationFn: () => api<Integration>(`${integrationsBase(teamId)}/${integration.id}/disable`, { method: 'POST', body: {} }),
    onSuccess: () => {
      onClose();
      onDisabled();
    },
  });
  return (
    <AlertDialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`Disable ${integration.name}?`}
      description={
        disable.error
          ? `Could not disable: ${disable.error.message}`
          : 'Requests stop using this key until you re-enable it: another key for the service serves them, a route falls over to its next target, and with no other key they fail saying it is disabled. The key is kept.'
      }
      confirmLabel="Disable integration"
      busy={disable.isPending}
      onConfirm={() => disable.mutate()}
    />
  );
}
