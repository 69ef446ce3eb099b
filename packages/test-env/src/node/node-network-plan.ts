/**
 * The addresses of one test node. Everything lives in one private /16 (`10.<octet>.0.0/16`) that the host
 * blackholes while the node runs, so no packet for the node's ranges can leave the machine:
 *
 * - `10.<octet>.255.0/30` the link between the host (`.1`, where kube-apiserver and the registry listen) and the
 *   node's network namespace (`.2`, the kubelet's node IP);
 * - `10.<octet>.0.0/24` the pod range (the `cni0` bridge inside the namespace);
 * - `10.<octet>.128.0/24` the Service range (`.1` kubernetes, `.10` cluster DNS).
 *
 * The namespace has no default route; the host routes the pod and Service ranges into it (more specific than
 * the blackhole), so the apiserver reaches pods and webhook Services and nothing else does.
 */
export interface NodeNetworkPlan {
  octet: number;
  /** `10.<octet>.0.0/16`, blackholed on the host. */
  supernet: string;
  podCidr: string;
  serviceCidr: string;
  /** The host end of the link: kube-apiserver and the registry bind here. */
  hostIp: string;
  /** The namespace end: the node's InternalIP. */
  nodeIp: string;
  linkPrefix: number;
  kubernetesServiceIp: string;
  dnsServiceIp: string;
  /** Host-side veth name (≤ 15 characters). */
  hostVeth: string;
}

/** The plan for `10.<octet>.0.0/16`. */
export function planNodeNetwork(octet: number, id: string): NodeNetworkPlan {
  if (!Number.isInteger(octet) || octet < 1 || octet > 254)
    throw new RangeError(`octet ${octet} out of 1..254`);
  const p = `10.${octet}`;
  return {
    octet,
    supernet: `${p}.0.0/16`,
    podCidr: `${p}.0.0/24`,
    serviceCidr: `${p}.128.0/24`,
    hostIp: `${p}.255.1`,
    nodeIp: `${p}.255.2`,
    linkPrefix: 30,
    kubernetesServiceIp: `${p}.128.1`,
    dnsServiceIp: `${p}.128.10`,
    hostVeth: `hubh${id}`.slice(0, 15),
  };
}

/**
 * Picks a `10.X.0.0/16` that no host route overlaps (`ip -4 route show table all` output, so another running
 * node's blackhole counts too), from 10.64–10.253 in random order.
 */
export function pickNodeOctet(routes: string, random: () => number = Math.random): number {
  const taken = new Set<number>();
  for (const line of routes.split('\n')) {
    const dst = line
      .trim()
      .split(/\s+/)
      .find((word) => /^10\.\d+\.\d+\.\d+(\/\d+)?$/.test(word));
    if (!dst) continue;
    const second = Number(dst.split('.')[1]);
    const prefix = Number(dst.split('/')[1] ?? 32);
    if (prefix <= 8) continue; // 10/8 itself: our more specific routes win
    const width = prefix >= 16 ? 1 : 2 ** (16 - prefix);
    const first = second - (second % width);
    for (let octet = first; octet < first + width; octet++) taken.add(octet);
  }
  const free: number[] = [];
  for (let octet = 64; octet <= 253; octet++) if (!taken.has(octet)) free.push(octet);
  if (free.length === 0) throw new RangeError('no free 10.X.0.0/16 for a test node');
  return free[Math.floor(random() * free.length)] as number;
}
