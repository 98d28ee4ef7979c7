/**
 * Where keyboard focus goes when the control that opened a dialog is gone (WEBAPP.md §6.5 rule 3).
 * A confirmed "Delete", "Revoke" or "Remove" closes its dialog, focus returns to the row's button,
 * and the refetch then removes that row: the browser drops focus to <body> and a keyboard user
 * starts again from the top. The place of the opener is remembered instead (its row, the rows
 * beside it, the action's label), and when the opener leaves the document focus moves to, in order:
 * the same row's control in the same position (a "Disable" that became "Re-enable"), the next
 * row's same action, the previous row's same action, else the page: a dialog still open (the one a
 * nested confirmation came from) or the page's heading. A dialog opened while nothing had focus
 * (its opener was itself removed, as a create dialog gives way to the key reveal) gives focus to
 * the page the same way.
 */

const ROW = 'tr, li';
const CONTROL = 'button, a[href]';

const isUsable = (element: Element | null | undefined): element is HTMLElement =>
  element instanceof HTMLElement && element.isConnected && !(element as HTMLButtonElement).disabled;

/** The page's own place for focus: the top dialog still open, else the page's heading. */
const pagePlace = () =>
  [...document.querySelectorAll<HTMLElement>('[role="dialog"][data-state="open"], [role="alertdialog"][data-state="open"]')].at(-1) ?? document.querySelector<HTMLElement>('main h1');

/** Nothing has focus: the focused element was removed (or focus was never placed). */
const focusIsLost = () => document.activeElement === null || document.activeElement === document.body;

export interface FocusPlace {
  /** Focuses the opener if it is still there, else the nearest sensible place; keeps watching until focus moves on. */
  restore: () => void;
}

/** Remembers where `control` sits (null: nothing had focus), so focus can be put back near it after it is removed. */
export function rememberFocusPlace(control: HTMLElement | null): FocusPlace {
  if (!control) return { restore: () => pagePlace()?.focus() };
  const row = control.closest<HTMLElement>(ROW);
  const label = control.textContent?.trim() ?? '';
  let index = -1;
  let next: Element | null = null;
  let previous: Element | null = null;
  const snapshot = () => {
    if (!row?.isConnected) return;
    index = [...row.querySelectorAll(CONTROL)].indexOf(control);
    next = row.nextElementSibling;
    previous = row.previousElementSibling;
  };
  snapshot();

  const sameAction = (candidate: Element | null) => [...(candidate?.querySelectorAll(CONTROL) ?? [])].find((element) => element.textContent?.trim() === label && isUsable(element));
  const fallback = (): HTMLElement | null => {
    if (row?.isConnected) {
      const inPlace = row.querySelectorAll(CONTROL)[index];
      if (isUsable(inPlace)) return inPlace;
    }
    for (const neighbour of [next, previous]) {
      const found = neighbour?.isConnected ? sameAction(neighbour) : undefined;
      if (isUsable(found)) return found;
    }
    return pagePlace();
  };

  /** Until focus moves elsewhere: if the control is removed while it has focus, move focus to the fallback. */
  const watch = () => {
    const observer = new MutationObserver(() => {
      if (control.isConnected) return snapshot();
      stop();
      if (focusIsLost()) fallback()?.focus();
    });
    const onFocusIn = (event: FocusEvent) => {
      if (event.target !== control) stop();
    };
    const stop = () => {
      observer.disconnect();
      document.removeEventListener('focusin', onFocusIn);
    };
    observer.observe(document.body, { childList: true, subtree: true });
    document.addEventListener('focusin', onFocusIn);
  };

  return {
    restore: () => {
      if (control.isConnected) {
        control.focus();
        watch();
      } else {
        fallback()?.focus();
      }
    },
  };
}
