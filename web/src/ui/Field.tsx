import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';

export interface FieldProps {
  label: string;
  /** Shown under the control before any error (password rules, formats). */
  hint?: ReactNode;
  error?: string | undefined;
  /** One control: input, select or textarea. It gets id, aria-describedby and aria-invalid. */
  children: ReactElement<Record<string, unknown>>;
}

/** Label + control + hint + error, linked for screen readers (WEBAPP.md §6.5 rule 4). */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {cloneElement(children, {
        id,
        'aria-describedby': describedBy,
        'aria-invalid': error ? true : undefined,
      })}
      {hint ? (
        <p id={hintId} className="text-sm text-muted">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm font-medium text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export const inputClass =
  'min-h-11 w-full rounded-md border border-border bg-surface px-3 py-2 text-fg placeholder:text-muted aria-[invalid=true]:border-danger';
