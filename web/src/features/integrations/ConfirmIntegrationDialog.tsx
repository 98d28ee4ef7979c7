/**
 * The alertdialogs that confirm a row action on an integration (loaded on first use):
 * "Delete <name>?" erases the key; "Disable <name>?" takes it out of service until it is
 * re-enabled (the key is kept).
 */
import { useMutation } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Integration } from '../../api/types';
import { AlertDialog } from '../../ui/Dialog';
import { integrationsBase } from './services';

export type IntegrationAction = 'delete' | 'disable';

const ACTIONS: Record<IntegrationAction, { title: string; confirmLabel: string; failed: string; description: string; request: (path: string) => Promise<unknown> }> = {
  delete: {
    title: 'Delete',
    confirmLabel: 'Delete integration',
    failed: 'Could not delete',
    description: 'The key is erased. Requests that need this provider fail until you add a key again.',
    request: (path) => api<void>(path, { method: 'DELETE' }),
  },
  disable: {
    title: 'Disable',
    confirmLabel: 'Disable integration',
    failed: 'Could not disable',
    description:
      'Requests stop using this key until you re-enable it: another key for the service serves them, a route falls over to its next target, and with no other key they fail saying it is disabled. The key is kept.',
    request: (path) => api<Integration>(`${path}/disable`, { method: 'POST', body: {} }),
  },
};

export default function ConfirmIntegrationDialog({ action, integration, teamId, onClose, onDone }: { action: IntegrationAction; integration: Integration; teamId?: string | undefined; onClose: () => void; onDone: () => void }) {
  const spec = ACTIONS[action];
  const mutation = useMutation({
    mutationFn: () => spec.request(`${integrationsBase(teamId)}/${integration.id}`),
    onSuccess: () => {
      onClose();
      onDone();
    },
  });
  return (
    <AlertDialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`${spec.title} ${integration.name}?`}
      description={mutation.error ? `${spec.failed}: ${mutation.error.message}` : spec.description}
      confirmLabel={spec.confirmLabel}
      busy={mutation.isPending}
      onConfirm={() => mutation.mutate()}
    />
  );
}
