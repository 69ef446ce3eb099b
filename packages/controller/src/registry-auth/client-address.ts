import { BlockList, isIP } from 'node:net';
import { RegistryAuthError } from './errors.ts';

/** Which TCP peers may speak for their clients in `X-Forwarded-For` (a `Set` of addresses works too). */
export interface TrustedProxies {
  has(address: string): boolean;
}

/**
 * Parses `--registry-token-trusted-proxies`: IPv4 and IPv6 addresses and CIDRs (`10.0.0.0/8`, `fd00::/8`).
 * Anything else is refused, so a typo cannot silently leave every client behind the Ingress on one limit.
 */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.trim().split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    const max = family === 6 ? 128 : 32;
    if (family === 0 || rest.length > 0 || (bits !== undefined && !(bits >= 0 && bits <= max))) {
      throw new RegistryAuthError(
        'INVALID_OPTION',
        `--registry-token-trusted-proxies ${JSON.stringify(entry)} must be an IP address or a CIDR, e.g. 10.0.0.0/8`,
      );
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return {
    has: (address) => isIP(address) !== 0 && list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4'),
  };
}

/**
 * The address the rate limits key on: the TCP peer, unless the peer is a trusted proxy (an Ingress) — then the
 * right-most `X-Forwarded-For` entry that is not itself a trusted proxy. A client can prepend anything to the
 * header, so entries left of the first untrusted one are never believed.
 */
export function clientAddressOf(
  peer: string | undefined,
  forwardedFor: string | null | undefined,
  trustedProxies: TrustedProxies,
): string {
  const direct = normalize(peer ?? 'unknown');
  if (!trustedProxies.has(direct) || !forwardedFor) return direct;
  const hops = forwardedFor
    .split(',')
    .map((hop) => normalize(hop.trim()))
    .filter((hop) => hop.length > 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trustedProxies.has(hop)) return hop.slice(0, 64);
  }
  return direct;
}

// One client, one key: `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`, IPv6 is written
// canonically (`2001:DB8:0::1` is `2001:db8::1`), and the port some proxies append is dropped.
function normalize(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(address);
  const bare = bracketed?.[1] ?? withPort?.[1] ?? address;
  const mapped = /^::ffff:(.+)$/i.exec(bare)?.[1];
  if (mapped && isIP(mapped) === 4) return mapped;
  return isIP(bare) === 6 ? new URL(`http://[${bare}]`).hostname.slice(1, -1) : bare;
}
