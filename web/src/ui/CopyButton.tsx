/**
 * Copies text with the Clipboard API; where that is unavailable (plain HTTP on a LAN address is not
 * a secure context) it selects the target text and says "Press Ctrl+C to copy".
 */
import { useEffect, useState } from 'react';
import { Button } from './Button';

export interface CopyButtonProps {
  text: string;
  label?: string;
  /** The element whose text gets selected in the fallback. */
  selectTarget?: () => HTMLElement | null;
}

function selectContents(element: HTMLElement | null | undefined): void {
  if (!element) return;
  if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) {
    element.focus();
    element.select();
    return;
  }
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

export function CopyButton({ text, label = 'Copy', selectTarget }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  useEffect(() => {
    if (state !== 'copied') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      selectContents(selectTarget?.());
      setState('manual');
    }
  };

  return (
    <span className="inline-flex items-center gap-2">
      <Button onClick={() => void copy()}>{label}</Button>
      <span role="status" className="text-sm text-muted">
        {state === 'copied' ? 'Copied' : state === 'manual' ? 'Press Ctrl+C to copy' : ''}
      </span>
    </span>
  );
}
