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
