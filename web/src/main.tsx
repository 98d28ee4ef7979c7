/** Entry: theme, QueryClient, router, toasts and the live region. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { setSessionExpiredHandler } from './api/client';
import { stopLiveEvents } from './api/events';
import { isApiError } from './api/errors';
import { createAppRouter } from './routes';
import { applyTheme, readTheme } from './theme';
import { LiveRegionHost } from './ui/LiveRegion';
import { ToastHost } from './ui/Toast';
import './styles.css';

applyTheme(readTheme());

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; network and 5xx get one more try.
      retry: (count, error) => count < 1 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});
const router = createAppRouter(queryClient);

// The refresh failed: this session is over. Drop its data and log in again, back to here after.
setSessionExpiredHandler(() => {
  stopLiveEvents();
  queryClient.clear();
  const here = router.state.location;
  if (here.pathname === '/login') return;
  void router.navigate({ to: '/login', search: { next: here.href } });
});

const container = document.getElementById('root');
if (!container) throw new Error('#root is missing from index.html');
createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastHost>
        <LiveRegionHost>
          <RouterProvider router={router} />
        </LiveRegionHost>
      </ToastHost>
    </QueryClientProvider>
  </StrictMode>,
);
