import type { ErrorComponentProps } from '@tanstack/react-router';
import { describeError, isApiError } from '../../api/errors';
import { Button } from '../../ui/Button';
import { Page } from '../../ui/Page';

/** A page that failed: the message and, for server faults, the x-request-id to report. */
export function ErrorPage({ error, reset }: ErrorComponentProps) {
  const requestId = isApiError(error) ? error.requestId : null;
  return (
    <Page title="Something went wrong">
      <div role="alert" className="flex flex-col gap-2">
        <p>{describeError(error)}</p>
        {requestId ? <p className="text-sm text-muted">Request id: <code>{requestId}</code></p> : null}
      </div>
      <div>
        <Button onClick={reset}>Retry</Button>
      </div>
    </Page>
  );
}
