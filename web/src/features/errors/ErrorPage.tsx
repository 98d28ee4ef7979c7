import type { ErrorComponentProps } from '@tanstack/react-router';
import { describeError, isApiError } from '../../api/errors';
import { Button } from '../../ui/Button';
import { Page } from '../../ui/Page';
import { NotFoundPage } from './NotFoundPage';

/** A page that failed: the message and, for server faults, the x-request-id to report; a 404 is Not found. */
export function ErrorPage({ error, reset }: ErrorComponentProps) {
  // Someone else's id and an unknown id answer the same 404: render the same Not found page.
  if (isApiError(error) && error.status === 404) return <NotFoundPage />;
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
