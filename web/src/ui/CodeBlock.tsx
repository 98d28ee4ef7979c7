/** `<pre><code>` with a "Copy code" button that copies the block's exact text (no highlighter). */
import { useRef } from 'react';
import { CopyButton } from './CopyButton';

export function CodeBlock({ code, label, copyLabel = 'Copy code' }: { code: string; label: string; copyLabel?: string }) {
  const ref = useRef<HTMLElement>(null);
  return (
    <div className="flex flex-col gap-2">
      <pre tabIndex={0} aria-label={label} className="overflow-x-auto rounded-md border border-border bg-raised p-3 text-sm">
        <code ref={ref}>{code}</code>
      </pre>
      <div>
        <CopyButton text={code} label={copyLabel} selectTarget={() => ref.current} />
      </div>
    </div>
  );
}
