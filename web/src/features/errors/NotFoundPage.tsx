import { Link } from '@tanstack/react-router';
import { Page } from '../../ui/Page';

/** The same page for an unknown URL and for anything that belongs to someone else. */
export function NotFoundPage() {
  return (
    <Page title="Not found">
      <p>There is nothing here, or it is not yours to see.</p>
      <p>
        <Link to="/" className="text-accent underline">
          Go to Overview
        </Link>
      </p>
    </Page>
  );
}

/** Outside the shell (no session needed): a standalone frame with a landmark. */
export function StandaloneNotFound() {
  return (
    <main id="main" className="mx-auto max-w-xl p-6">
      <NotFoundPage />
    </main>
  );
}
