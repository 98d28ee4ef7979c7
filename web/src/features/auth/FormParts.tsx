import type { FieldErrors } from 'react-hook-form';
import { describeError } from '../../api/errors';

/** A server error stays until the next submit (never cleared silently). */
export function ServerError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div role="alert" className="rounded-md border border-danger p-3 text-sm text-danger">
      {describeError(error)}
    </div>
  );
}

/** After a failed submit: a summary of what to fix (the first invalid field has focus). */
export function ErrorSummary({ errors, submitted }: { errors: FieldErrors; submitted: boolean }) {
  const messages = Object.values(errors)
    .map((error) => error?.message)
    .filter((message): message is string => typeof message === 'string');
  if (!submitted || messages.length === 0) return null;
  return (
    <div role="alert" className="rounded-md border border-danger p-3 text-sm">
      <p className="font-medium">Please fix {messages.length === 1 ? 'this' : 'these'}:</p>
      <ul className="list-disc pl-5">
        {messages.map((message) => (
          <li key={message}>{message}</li>
        ))}
      </ul>
    </div>
  );
}

export const linkClass = 'text-accent underline underline-offset-2';
