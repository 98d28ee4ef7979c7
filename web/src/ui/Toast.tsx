/** Toasts for mutation results (Radix Toast). `useToast()(message)` from anywhere under ToastHost. */
import { Toast as RadixToast } from 'radix-ui';
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

interface ToastItem {
  id: number;
  title: string;
  tone: 'info' | 'error';
}

type Notify = (title: string, tone?: ToastItem['tone']) => void;

const ToastContext = createContext<Notify>(() => {});

export const useToast = (): Notify => useContext(ToastContext);

let nextId = 1;

export function ToastHost({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const notify = useCallback<Notify>((title, tone = 'info') => {
    setItems((current) => [...current.slice(-3), { id: nextId++, title, tone }]);
  }, []);
  const remove = (id: number) => setItems((current) => current.filter((item) => item.id !== id));
  return (
    <ToastContext.Provider value={notify}>
      <RadixToast.Provider duration={6000} label="Messages">
        {children}
        {items.map((item) => (
          <RadixToast.Root
            key={item.id}
            type={item.tone === 'error' ? 'foreground' : 'background'}
            onOpenChange={(open) => (open ? undefined : remove(item.id))}
            className={`flex items-start justify-between gap-3 rounded-md border bg-surface p-3 text-sm shadow-lg ${item.tone === 'error' ? 'border-danger' : 'border-border'}`}
          >
            <RadixToast.Title>{item.title}</RadixToast.Title>
            <RadixToast.Close className="min-h-11 min-w-11 rounded px-2 text-muted" aria-label="Dismiss">
              ✕
            </RadixToast.Close>
          </RadixToast.Root>
        ))}
        <RadixToast.Viewport className="fixed bottom-4 right-4 z-50 flex w-[min(24rem,calc(100vw-2rem))] flex-col gap-2 outline-none" />
      </RadixToast.Provider>
    </ToastContext.Provider>
  );
}
