/**
 * Preload (`node --import bench/.build/loopback-only.js …`) for peers that cannot be told where
 * to listen: Portkey's start-server.js calls `listen(port)`, which binds every interface. This
 * fills in 127.0.0.1 wherever a listen() call names a port but no host, so the bench never
 * exposes a server beyond loopback.
 */
import net from 'node:net';

const LOOPBACK = '127.0.0.1';
const originalListen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(this: net.Server, ...args: unknown[]) {
  const [first, second] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (second === undefined || second === null) args[1] = LOOPBACK;
    else if (typeof second === 'function' || typeof second === 'number') args.splice(1, 0, LOOPBACK);
  } else if (typeof first === 'object' && first !== null && 'port' in first && !('host' in first)) {
    args[0] = { ...first, host: LOOPBACK };
  }
  return (originalListen as (...values: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;
