/** Below 768 px: the navigation lives in a dialog "Menu" opened by "Open menu" (focus trap, Escape, backdrop). */
import { Dialog as RadixDialog } from 'radix-ui';
import { useState } from 'react';
import { MainNav } from './MainNav';

export function MenuDrawer({ isAdmin }: { isAdmin: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <RadixDialog.Root open={open} onOpenChange={setOpen}>
      <RadixDialog.Trigger className="inline-flex min-h-11 min-w-11 items-center justify-center rounded-md border border-border px-3 text-sm md:hidden">
        <span aria-hidden="true">☰</span>
        <span className="sr-only">Open menu</span>
      </RadixDialog.Trigger>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <RadixDialog.Content aria-describedby={undefined} className="fixed inset-y-0 left-0 z-50 w-72 max-w-[85vw] overflow-y-auto border-r border-border bg-surface p-4 text-fg">
          <div className="mb-4 flex items-center justify-between">
            <RadixDialog.Title className="text-lg font-semibold">Menu</RadixDialog.Title>
            <RadixDialog.Close className="inline-flex min-h-11 min-w-11 items-center justify-center rounded-md border border-border">
              <span aria-hidden="true">✕</span>
              <span className="sr-only">Close menu</span>
            </RadixDialog.Close>
          </div>
          <MainNav isAdmin={isAdmin} onNavigate={() => setOpen(false)} />
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
