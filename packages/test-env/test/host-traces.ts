import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a test node could leave on the host, read from the host itself (not from the node's bookkeeping). */
export interface HostTraces {
  /** Network interfaces, by name. */
  links: string[];
  /** IPv4 routes in every table. */
  routes: string[];
  /** Host iptables rules and chains (filter, nat, mangle, raw). */
  iptables: string[];
  /** Mount points. */
  mounts: string[];
  /** Network namespace inodes any process is in (`net:[…]`). */
  netns: string[];
  /** Pid → command line of every process. */
  processes: Map<number, string>;
  /** Top-level cgroups of every v1 hierarchy (`pids/hubnode-…`). */
  cgroups: string[];
}

async function lines(command: string, args: string[]): Promise<string[]> {
  const { stdout } = await run(command, args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

export async function readHostTraces(): Promise<HostTraces> {
  const processes = new Map<number, string>();
  const netns = new Set<string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
      processes.set(Number(entry), cmdline);
      netns.add(await readlink(`/proc/${entry}/ns/net`));
    } catch {
      // exited meanwhile
    }
  }
  const cgroups: string[] = [];
  for (const hierarchy of await readdir('/sys/fs/cgroup')) {
    try {
      for (const entry of await readdir(`/sys/fs/cgroup/${hierarchy}`, { withFileTypes: true }))
        if (entry.isDirectory()) cgroups.push(`${hierarchy}/${entry.name}`);
    } catch {}
  }
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4] ?? '');
  return {
    links: (await lines('ip', ['-o', 'link', 'show'])).map(
      (line) => line.split(':')[1]?.trim().split('@')[0] ?? '',
    ),
    routes: await lines('ip', ['-4', 'route', 'show', 'table', 'all']),
    iptables: await lines('iptables-save', []),
    mounts,
    netns: [...netns],
    processes,
    cgroups,
  };
}

/**
 * What `after` has that `before` had not and that belongs to a node: anything naming one of `markers` (its
 * directory, cgroup, veth, /16), every KUBE- or CNI- iptables rule, new veth/bridge interfaces, and the node's
 * own network namespaces (`netns`, recorded while it ran). Other engineers' processes on the machine come and go,
 * so unrelated new processes are ignored.
 */
export function newTraces(
  before: HostTraces,
  after: HostTraces,
  markers: readonly string[],
  nodeNetns: readonly string[] = [],
) {
  const added = (a: readonly string[], b: readonly string[]) => b.filter((x) => !a.includes(x));
  const mentions = (text: string) => markers.some((marker) => text.includes(marker));
  return {
    links: added(before.links, after.links).filter((name) => mentions(name) || /^(hub|veth|cni)/.test(name)),
    routes: added(before.routes, after.routes).filter(mentions),
    iptables: after.iptables.filter((line) => /KUBE-|CNI-/.test(line) || mentions(line)),
    mounts: after.mounts.filter(mentions),
    netns: after.netns.filter((inode) => nodeNetns.includes(inode)),
    processes: [...after.processes]
      .filter(([pid, cmd]) => !before.processes.has(pid) && mentions(cmd))
      .map(([pid, cmd]) => `${pid} ${cmd}`),
    cgroups: added(before.cgroups, after.cgroups).filter(mentions),
  };
}
