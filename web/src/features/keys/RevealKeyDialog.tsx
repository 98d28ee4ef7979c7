/**
 * The one-time reveal (WEBAPP.md §6.4 "API keys"): the key lives only in this dialog's props and
 * is gone when it closes. A backdrop click never dismisses it. Until "I have stored this key" is
 * checked, Escape (any close attempt) asks first in the alertdialog "Close without storing the
 * key?": "Keep open" goes back to the key, "Close anyway" closes it as "Done" does.
 */
import { useId, useRef, useState } from 'react';
import { AlertDialog, Dialog } from '../../ui/Dialog';
import { Button } from '../../ui/Button';
import { CopyButton } from '../../ui/CopyButton';
import { inputClass } from '../../ui/Field';

export function RevealKeyDialog({ secret, onDone, onInsert }: { secret: string | null; onDone: () => void; onInsert?: ((secret: string) => void) | undefined }) {
  const [stored, setStored] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const fieldId = useId();
  const checkId = useId();
  const close = () => {
    setStored(false);
    setConfirming(false);
    onDone();
  };
  return (
    <>
      <Dialog
        open={secret !== null}
        onOpenChange={(open) => {
          if (open) return;
          if (stored) close();
          else setConfirming(true);
        }}
        title="Your new API key"
        dismissible={false}
      >
        <div className="flex flex-col gap-4">
          <p className="text-sm">This key is shown only once. Store it somewhere safe; you can roll it later but never see it again.</p>
          <div className="flex flex-col gap-1">
            <label htmlFor={fieldId} className="text-sm font-medium">
              New API key
            </label>
            <input ref={field} id={fieldId} readOnly value={secret ?? ''} className={`${inputClass} font-mono`} onFocus={(event) => event.currentTarget.select()} />
          </div>
          <CopyButton text={secret ?? ''} label="Copy key" selectTarget={() => field.current} />
          {/* The quick start only: the key goes into its snippets for this visit (component state, never stored). */}
          {onInsert ? (
            <div>
              <Button onClick={() => secret && onInsert(secret)}>Insert into snippet</Button>
            </div>
          ) : null}
          <div className="flex items-center gap-2">
            <input id={checkId} type="checkbox" className="h-5 w-5" checked={stored} onChange={(event) => setStored(event.currentTarget.checked)} />
            <label htmlFor={checkId} className="text-sm">
              I have stored this key
            </label>
          </div>
          <div className="flex justify-end">
            <Button variant="primary" disabled={!stored} onClick={close}>
              Done
            </Button>
          </div>
        </div>
      </Dialog>
      <AlertDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Close without storing the key?"
        description="You will never see this key again."
        cancelLabel="Keep open"
        confirmLabel="Close anyway"
        onConfirm={close}
      />
    </>
  );
}
