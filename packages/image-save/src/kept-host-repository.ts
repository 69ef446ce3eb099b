// The one naming rule for keeping a registry host in a stored repository name, shared by hub-save
// (--keep-registry-host) and kubepkg (export --keep-host, serve's containerd `?ns=` lookup).

const NAME = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::([0-9]{1,5}))?$/;
const IPV6 = /^\[([a-f0-9:]+)\](?::([0-9]{1,5}))?$/;

/**
 * The path component a registry host becomes: lower-cased, a port's `:` written as `_`
 * (`docker.io` → `docker.io`, `127.0.0.1:5000` → `127.0.0.1_5000`), an IPv6 literal written out in full
 * with `-` between its groups (`[::1]:5000` → `0000-0000-0000-0000-0000-0000-0000-0001_5000`). `:` is not
 * allowed in a distribution repository name, `_` and `-` are, so the stock registry serves the result, and
 * containerd's mirror `?ns=<host>` maps onto it with this same function. Undefined for what is no host.
 */
export function keptHostComponent(registry: string): string | undefined {
  const host = registry.toLowerCase();
  const name = NAME.exec(host);
  if (name) return name[2] === undefined ? (name[1] as string) : `${name[1]}_${name[2]}`;
  const v6 = IPV6.exec(host);
  const groups = v6 ? expandIpv6(v6[1] as string) : undefined;
  if (!v6 || !groups) return undefined;
  return `${groups.join('-')}${v6[2] === undefined ? '' : `_${v6[2]}`}`;
}

/** `<kept host component>/<repository>`: `127.0.0.1:5000` + `team/app` → `127.0.0.1_5000/team/app`. */
export function keptHostRepository(registry: string, repository: string): string {
  return `${keptHostComponent(registry) ?? registry.toLowerCase()}/${repository}`;
}

function expandIpv6(address: string): string[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[a-f0-9]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.padStart(4, '0'));
}
