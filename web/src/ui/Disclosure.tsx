/**
 * A header popover in the disclosure pattern: a button (aria-expanded, aria-controls) and a panel
 * of plain buttons and links below it. Escape and a click outside close it and give focus back to
 * the button. Chosen over a Radix menu for the header: the menu, popper and floating-ui code cost
 * about 13 kB gzip on every signed-in page, and a disclosure is what these two controls are.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface DisclosureProps {
  /** The button's content; its accessible name comes from it (e.g. a visually hidden label). */
  button: ReactNode;
  buttonClassName: string;
  /** The panel's content; `close()` for items that act. */
  children: (close: () => void) => ReactNode;
  /** Called whenever the panel opens. */
  onOpen?: () => void;
}

export function Disclosure({ button, buttonClassName, children, onOpen }: DisclosureProps) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) trigger.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
    };
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) close(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  return (
    <div ref={root} className="relative">
      <button
        ref={trigger}
        type="button"
        aria-expanded={open}
        aria-controls={id}
        className={buttonClassName}
        onClick={() => {
          if (!open) onOpen?.();
          setOpen(!open);
        }}
      >
        {button}
      </button>
      <div id={id} hidden={!open} className="absolute right-0 z-50 mt-1 w-[min(20rem,calc(100vw-1.5rem))] rounded-md border border-border bg-surface p-1 text-fg shadow-lg">
        {open ? children(() => close()) : null}
      </div>
    </div>
  );
}
