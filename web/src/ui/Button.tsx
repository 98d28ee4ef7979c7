import { forwardRef, type ButtonHTMLAttributes } from 'react';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';

const variants: Record<Variant, string> = {
  primary: 'bg-accent text-accent-fg border-transparent hover:opacity-90',
  secondary: 'bg-surface text-fg border-border hover:bg-raised',
  // Text colour from the theme tokens: a `dark:` variant follows only the Theme toggle, not a system dark scheme.
  danger: 'bg-danger text-danger-fg border-transparent hover:opacity-90',
  ghost: 'bg-transparent text-fg border-transparent hover:bg-raised',
};

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  /** Shows the label with a trailing "…" and disables the button while a mutation runs. */
  busy?: boolean;
}

/** A button with a visible focus ring and a ≥44 px touch target. */
export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button({ variant = 'secondary', busy = false, className = '', children, disabled, type, ...rest }, ref) {
  return (
    <button
      ref={ref}
      type={type ?? 'button'}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      className={`inline-flex min-h-11 min-w-11 items-center justify-center gap-2 rounded-md border px-4 py-2 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-60 ${variants[variant]} ${className}`}
      {...rest}
    >
      {children}
    </button>
  );
});
