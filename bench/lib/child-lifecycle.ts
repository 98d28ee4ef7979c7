import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How a bench child process (mock upstream, bare proxy) announces itself and stops: it prints
 * `{"listening": url}` for the parent, and exits on SIGTERM/SIGINT or, when started by the bench,
 * when its stdin closes (the bench went away without cleaning up).
 */
export function announceAndServe(url: string, close: () => Promise<void>, exitWithStdin: boolean): void {
  process.stdout.write(`${JSON.stringify({ listening: url })}\n`);
  const stop = () => void close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (exitWithStdin) process.stdin.on('end', stop).on('error', stop).resume();
}

/**
 * Listen on 127.0.0.1 only, with keep-alive that outlives the gateways' pooled connections (as a
 * real provider's edge does); `close` drops open connections and stops listening.
 */
export async function listenOnLoopback(server: Server, port: number): Promise<{ url: string; close(): Promise<void> }> {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
