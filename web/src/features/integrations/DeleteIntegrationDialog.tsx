/** "Delete <name>?" (an alertdialog): the key is erased; loaded on first use. */
import { useMutation } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Integration } from '../../api/types';
import { AlertDialog } from '../../ui/Dialog';
import { integrationsBase } from './services';

export default function DeleteIntegrationDialog({ integration, teamId, onClose, onDeleted }: { integration: Integration; teamId?: string | undefined; onClose: () => void; onDeleted: () => void }) {
  const remove = useMutation({
    mutationFn: () => api<void>(`${integrationsBase(teamId)}/${integration.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      onClose();
      onDeleted();
    },
  });
  return (
    <AlertDialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`Delete ${integration.name}?`}
      description={remove.error ? `Could not delete: ${remove.error.message}` : 'The key is erased. Requests that need this provider fail until you add a key again.'}
      confirmLabel="Delete integration"
      busy={remove.isPending}
      onConfirm={() => remove.mutate()}
    />
  );
}
