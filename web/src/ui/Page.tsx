/**
 * Every page's frame: sets document.title to "<title> · Switchboard" and moves focus to the h1
 * when the page mounts (a route change), so screen reader users hear where they are.
 */
import { useEffect, useRef, type ReactNode } from 'react';

export function Page({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Switchboard`;
    heading.current?.focus({ preventScroll: false });
  }, [title]);
  return (
    <div className="flex min-w-0 flex-col gap-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 ref={heading} tabIndex={-1} className="text-2xl font-semibold">
          {title}
        </h1>
        {actions}
      </div>
      {children}
    </div>
  );
}
