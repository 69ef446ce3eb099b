/**
 * The address the rate limits key on: the TCP peer, unless the peer is a trusted proxy (an Ingress) — then the
 * right-most `X-Forwarded-For` entry that is not itself a trusted proxy. A client can prepend anything to the
 * header, so entries left of the first untrusted one are never believed.
 */
export function clientAddressOf(
  peer: string | undefined,
  forwardedFor: string | null | undefined,
  trustedProxies: ReadonlySet<string>,
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

// `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) and `10.0.0.1` are one client.
function normalize(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
