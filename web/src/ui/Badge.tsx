/** A small text badge ("estimated", "fallback", "Admin"); words, not colour, carry the meaning. */
import type { ReactNode } from 'react';

export function Badge({ children, tone = 'neutral' }: { children: ReactNode; tone?: 'neutral' | 'accent' | 'warn' | 'danger' }) {
  const tones = { neutral: 'border-border text-muted', accent: 'border-accent text-accent', warn: 'border-warn text-warn', danger: 'border-danger text-danger' };
  return <span className={`inline-flex items-center rounded border px-1.5 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}
