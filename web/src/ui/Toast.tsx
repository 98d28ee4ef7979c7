/**
 * Toasts for mutation results. `useToast()(message)` from anywhere under ToastHost. A region
 * "Messages" holding a polite live list (an error toast is an `alert`), each toast dismissed after 6 s
 * (paused while hovered or focused) or with its "Dismiss" button. Our own ~1 kB rather than Radix
 * Toast, which put ~8 kB gzip (toast, collection, dismissable layer) into every page's entry chunk.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

interface ToastItem {
  id: number;
  title: string;
  tone: 'info' | 'error';
}

type Notify = (title: string, tone?: ToastItem['tone']) => void;

const ToastContext = createContext<Notify>(() => {});

export const useToast = (): Notify => useContext(ToastContext);

const DURATION_MS = 6_000;
let nextId = 1;

function Toast({ item, onDismiss }: { item: ToastItem; onDismiss: (id: number) => void }) {
  const [paused, setPaused] = useState(false);
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(() => dismiss.current(item.id), DURATION_MS);
    return () => clearTimeout(timer);
  }, [item.id, paused]);
  return (
    <li
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
      className={`flex items-start justify-between gap-3 rounded-md border bg-surface p-3 text-sm shadow-lg ${item.tone === 'error' ? 'border-danger' : 'border-border'}`}
    >
      {item.tone === 'error' ? <span role="alert">{item.title}</span> : <span>{item.title}</span>}
      <button type="button" className="min-h-11 min-w-11 rounded px-2 text-muted" aria-label="Dismiss" onClick={() => onDismiss(item.id)}>
        ✕
      </button>
    </li>
  );
}

export function ToastHost({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const notify = useCallback<Notify>((title, tone = 'info') => {
    setItems((current) => [...current.slice(-3), { id: nextId++, title, tone }]);
  }, []);
  const remove = useCallback((id: number) => setItems((current) => current.filter((item) => item.id !== id)), []);
  return (
    <ToastContext.Provider value={notify}>
      {children}
      <section aria-label="Messages" className="pointer-events-none fixed bottom-4 right-4 z-50 w-[min(24rem,calc(100vw-2rem))]">
        {/* A live region that exists before any toast: text added to it is announced politely. */}
        <ol aria-live="polite" className="pointer-events-auto flex flex-col gap-2">
          {items.map((item) => (
            <Toast key={item.id} item={item} onDismiss={remove} />
          ))}
        </ol>
      </section>
    </ToastContext.Provider>
  );
}
