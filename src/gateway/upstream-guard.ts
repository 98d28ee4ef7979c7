/**
 * SSRF guard for user-supplied upstream URLs (`base_url`). Private, loopback, link-local and
 * other non-public addresses are refused unless SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS=true. The
 * URL is checked when saved (clear 400) and the resolved address again when connecting (a public
 * hostname can resolve to a private address), by `isPrivateAddress` in the connector's lookup.
 */
import { BlockList, isIP } from 'node:net';
import { AppError } from '../platform/errors.js';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    return mapped?.[1] ? blocked.check(mapped[1], 'ipv4') : blocked.check(address, 'ipv6');
  }
  return false;
}

const isLocalHostname = (hostname: string) =>
  hostname === 'localhost' || hostname.endsWith('.localhost') || hostname.endsWith('.internal') || hostname.endsWith('.local');

/** Validate and normalise a user-supplied base URL; throws a 400 naming the parameter. */
export function normaliseBaseUrl(raw: string, options: { allowPrivate: boolean; param?: string }): string {
  const param = options.param ?? 'base_url';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_request', { param, message: `${param} must be an absolute http(s) URL.` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('invalid_request', { param, message: `${param} must use http or https.` });
  }
  if (url.username || url.password) {
    throw new AppError('invalid_request', { param, message: `${param} must not contain credentials; put the key in api_key.` });
  }
  if (url.search || url.hash) {
    throw new AppError('invalid_request', { param, message: `${param} must not contain a query string or fragment.` });
  }
  // "localhost." is the same host as "localhost": compare names without the root dot.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (!options.allowPrivate && (isPrivateAddress(host) || isLocalHostname(host.toLowerCase()))) {
    throw new AppError('upstream_not_allowed', {
      param,
      message: `${param} points to a private or loopback address, which this server does not allow (SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS).`,
    });
  }
  return url.toString().replace(/\/+$/, '');
}
