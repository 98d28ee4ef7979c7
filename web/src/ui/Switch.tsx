/** A labelled `switch` (button role=switch, aria-checked), e.g. "Live", "Hard limit". */
import { useId } from 'react';

export interface SwitchProps {
  label: string;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  disabled?: boolean;
  /** Linked through aria-describedby. */
  hint?: string;
}

export function Switch({ label, checked, onCheckedChange, disabled = false, hint }: SwitchProps) {
  const id = useId();
  return (
    <div className="flex items-center gap-3">
      <button
        id={id}
        type="button"
        role="switch"
        aria-checked={checked}
        aria-describedby={hint ? `${id}-hint` : undefined}
        disabled={disabled}
        onClick={() => onCheckedChange(!checked)}
        className="relative inline-flex h-11 min-w-11 items-center disabled:cursor-not-allowed disabled:opacity-60"
      >
        <span aria-hidden="true" className={`inline-flex h-6 w-11 items-center rounded-full border border-border p-0.5 ${checked ? 'bg-accent' : 'bg-raised'}`}>
          <span className={`h-5 w-5 rounded-full bg-surface shadow ${checked ? 'translate-x-5' : ''}`} />
        </span>
      </button>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {hint ? (
        <span id={`${id}-hint`} className="text-sm text-muted">
          {hint}
        </span>
      ) : null}
    </div>
  );
}
