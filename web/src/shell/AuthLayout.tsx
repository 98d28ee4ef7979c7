import { Outlet } from '@tanstack/react-router';

/** Sign-up, login and recovery pages: no navigation, a centred card. */
export function AuthLayout() {
  return (
    <main id="main" className="mx-auto flex min-h-screen w-full max-w-md flex-col justify-center p-4">
      <p className="mb-6 text-lg font-semibold">Switchboard</p>
      <div className="rounded-lg border border-border bg-surface p-6">
        <Outlet />
      </div>
    </main>
  );
}
