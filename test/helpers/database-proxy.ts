/**
 * A TCP proxy in front of PostgreSQL that can play an outage: refuse and drop every connection,
 * or cut the one connection that sends a given statement (mid-transaction). Shared by the
 * storage-failure tests.
 */
import net from 'node:net';

export async function startDatabaseProxy(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  let isDown = false;
  let cutOn: Buffer | undefined;
  const server = net.createServer((client) => {
    if (isDown) return void client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    const kill = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    sockets.add(client).add(upstream);
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      const window = Buffer.concat([tail, chunk]);
      if (cutOn && window.includes(cutOn)) {
        cutOn = undefined;
        return kill();
      }
      tail = window.subarray(-64);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    for (const socket of [client, upstream]) socket.on('close', kill).on('error', kill);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    down() {
      isDown = true;
      for (const socket of sockets) socket.destroy();
    },
    up() {
      isDown = false;
    },
    cutConnectionOn(statement: string) {
      cutOn = Buffer.from(statement, 'utf8');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
