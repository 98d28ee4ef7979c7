/** Radix Dialog and AlertDialog with our styling: focus trap, Escape, focus returns to the trigger. */
import { AlertDialog as RadixAlert, Dialog as RadixDialog } from 'radix-ui';
import { useRef, type ReactNode } from 'react';
import { Button } from './Button';
import { rememberFocusPlace, type FocusPlace } from './focus-place';

/**
 * Gives focus back to what had it when the dialog opened (WEBAPP.md §6.5 rule 3). Our dialogs are
 * opened from state, not from a Radix `Trigger`, and without one Radix returns focus nowhere (it
 * cancels its own fallback and focuses the absent trigger), so focus fell to <body>. If that
 * element is gone, or goes once the dialog's action removed its row, or nothing had focus, focus
 * moves to the nearest sensible place (`rememberFocusPlace`).
 */
function useReturnFocus() {
  const opener = useRef<FocusPlace | null>(null);
  return {
    onOpenAutoFocus: () => {
      const active = document.activeElement;
      opener.current = rememberFocusPlace(active instanceof HTMLElement && active !== document.body ? active : null);
    },
    onCloseAutoFocus: (event: Event) => {
      const place = opener.current;
      opener.current = null;
      if (place) {
        event.preventDefault();
        place.restore();
      }
    },
  };
}

const overlay = 'fixed inset-0 z-40 bg-black/50';
const panel =
  'fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 overflow-auto rounded-lg border border-border bg-surface p-6 text-fg shadow-xl';

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The dialog's accessible name. */
  title: string;
  description?: ReactNode;
  children: ReactNode;
  /** When false a backdrop click does not close it (the one-time key reveal). */
  dismissible?: boolean;
  /** A visible "Close" button beside the title, for dialogs with no action of their own to close them (Request details). */
  closeButton?: boolean;
}

export function Dialog({ open, onOpenChange, title, description, children, dismissible = true, closeButton = false }: DialogProps) {
  const returnFocus = useReturnFocus();
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className={overlay} />
        <RadixDialog.Content
          className={panel}
          {...returnFocus}
          {...(description ? {} : { 'aria-describedby': undefined })}
          onPointerDownOutside={dismissible ? undefined : (event) => event.preventDefault()}
          onInteractOutside={dismissible ? undefined : (event) => event.preventDefault()}
        >
          {closeButton ? (
            <div className="mb-2 flex items-start justify-between gap-2">
              <RadixDialog.Title className="pt-2 text-lg font-semibold">{title}</RadixDialog.Title>
              <RadixDialog.Close asChild>
                <Button variant="ghost">Close</Button>
              </RadixDialog.Close>
            </div>
          ) : (
            <RadixDialog.Title className="mb-2 text-lg font-semibold">{title}</RadixDialog.Title>
          )}
          {description ? <RadixDialog.Description className="mb-4 text-sm text-muted">{description}</RadixDialog.Description> : null}
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

export interface AlertDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  busy?: boolean;
}

/** A confirmation (role alertdialog): Cancel has focus first, the destructive action is explicit. */
export function AlertDialog({ open, onOpenChange, title, description, confirmLabel, cancelLabel = 'Cancel', onConfirm, busy }: AlertDialogProps) {
  const returnFocus = useReturnFocus();
  return (
    <RadixAlert.Root open={open} onOpenChange={onOpenChange}>
      <RadixAlert.Portal>
        <RadixAlert.Overlay className={overlay} />
        <RadixAlert.Content className={panel} {...returnFocus}>
          <RadixAlert.Title className="mb-2 text-lg font-semibold">{title}</RadixAlert.Title>
          <RadixAlert.Description className="mb-6 text-sm">{description}</RadixAlert.Description>
          <div className="flex flex-wrap justify-end gap-2">
            <RadixAlert.Cancel asChild>
              <Button>{cancelLabel}</Button>
            </RadixAlert.Cancel>
            <Button variant="danger" busy={busy ?? false} onClick={onConfirm}>
              {confirmLabel}
            </Button>
          </div>
        </RadixAlert.Content>
      </RadixAlert.Portal>
    </RadixAlert.Root>
  );
}
