/**
 * The client's address. Behind trusted proxies (SWITCHBOARD_TRUSTED_PROXIES, loopback by
 * default) it is the right-most X-Forwarded-For hop that is not itself a trusted proxy; from any
 * other peer X-Forwarded-For is ignored, so a client cannot choose its own rate-limit key.
 */
import { BlockList, isIP } from 'node:net';

export function createClientIpResolver(trustedCidrs: readonly string[]) {
  const trusted = new BlockList();
  for (const cidr of trustedCidrs) {
    const [network, prefixText, ...rest] = cidr.split('/');
    const family = isIP(network ?? '');
    const maxPrefix = family === 4 ? 32 : 128;
    // Only digits: Number('') is 0, and "10.0.0.0/" must not silently trust every address.
    const prefix = prefixText === undefined ? maxPrefix : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (!network || family === 0 || rest.length > 0 || !(prefix <= maxPrefix)) {
      throw new Error(`SWITCHBOARD_TRUSTED_PROXIES: "${cidr}" is not an address or CIDR`);
    }
    trusted.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  const isTrusted = (address: string) => {
    const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const family = isIP(plain);
    return family !== 0 && trusted.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  };

  return (peer: string | undefined, forwardedFor: string | undefined): string | null => {
    if (!peer) return null;
    if (!forwardedFor || !isTrusted(peer)) return peer;
    const hops = forwardedFor
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => isIP(hop) !== 0);
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      const hop = hops[index]!;
      if (!isTrusted(hop)) return hop;
    }
    return hops[0] ?? peer;
  };
}
