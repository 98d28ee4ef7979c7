/** "Add integration" as a dialog on the Integrations page (the form itself is IntegrationForm). */
import type { Integration } from '../../api/types';
import { Dialog } from '../../ui/Dialog';
import { IntegrationForm } from './IntegrationForm';

// The quick start loads the form through this module, so both share one chunk.
export { IntegrationForm };

export default function AddIntegrationDialog({ open, onOpenChange, onSaved, teamId }: { open: boolean; onOpenChange: (open: boolean) => void; onSaved: (integration: Integration) => void; teamId?: string | undefined }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Add integration">
      {/* Unmounted when closed: the typed key goes with it. */}
      {open ? (
        <IntegrationForm
          teamId={teamId}
          onSaved={(saved) => {
            onOpenChange(false);
            onSaved(saved);
          }}
        />
      ) : null}
    </Dialog>
  );
}
