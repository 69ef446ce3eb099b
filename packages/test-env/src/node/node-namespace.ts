import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestEnvError } from '../errors.ts';
import { pollUntil } from '../net/https-request.ts';
import { type ManagedProcess, spawnManaged } from '../process/managed-process.ts';
import { type NodeNetworkPlan, pickNodeOctet, planNodeNetwork } from './node-network-plan.ts';

const run = promisify(execFile);
const CGROUP_ROOT = '/sys/fs/cgroup';
/** The v1 hierarchies the kubelet uses; the node's cgroup root is created in each. */
const HIERARCHIES = ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids', 'systemd'];

/**
 * Clean-down, as one shell script run both by `teardown()` and by the janitor when this process dies without
 * cleaning up: SIGKILL every process in the node's pids cgroup (the kubelet, containerd, the shims, every
 * container, the namespace holder) until it is empty. The network and mount namespaces die with their last
 * process, taking the veths, the bridge, every iptables rule (kube-proxy's KUBE-*, portmap's CNI-*), the pod
 * namespaces and every mount with them. Then the host's blackhole route, the cgroups and the state directory go.
 */
export const NODE_DOWN_SCRIPT = `
dir=$1 cg=$2 veth=$3 supernet=$4
netns=$(sed -n 1p "$dir/namespaces" 2>/dev/null) mntns=$(sed -n 2p "$dir/namespaces" 2>/dev/null)
# Everything in the node's pids cgroup, and anything else in its network or mount namespace (a process that left
# the cgroup, or was forked while the last round was being killed): SIGKILL, until none is left (10 s at most).
members() {
  find "${CGROUP_ROOT}/pids/$cg" -name cgroup.procs -exec cat {} + 2>/dev/null
  for p in /proc/[0-9]*; do
    n=$(readlink "$p/ns/net" 2>/dev/null) || continue
    m=$(readlink "$p/ns/mnt" 2>/dev/null)
    if [ "$n" = "$netns" ] || [ "$m" = "$mntns" ]; then echo "\${p#/proc/}"; fi
  done
}
i=0
while [ $i -lt 100 ]; do
  procs=$(members | sort -u)
  [ -z "$procs" ] && break
  kill -9 $procs 2>/dev/null
  sleep 0.1; i=$((i+1))
done
# The namespaces die with their last process (the veth, the bridge, the pod namespaces, every iptables rule and
# mount inside go with them); the host end of the veth is the sign.
i=0
while ip link show dev "$veth" >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ip link del dev "$veth" 2>/dev/null
ip route del blackhole "$supernet" 2>/dev/null
j=0
while ls -d ${CGROUP_ROOT}/*/"$cg" >/dev/null 2>&1 && [ $j -lt 50 ]; do
  for h in ${CGROUP_ROOT}/*; do [ -d "$h/$cg" ] && find "$h/$cg" -depth -type d -exec rmdir {} + 2>/dev/null; done
  ls -d ${CGROUP_ROOT}/*/"$cg" >/dev/null 2>&1 && sleep 0.1
  j=$((j+1))
done
rm -rf "$dir" 2>/dev/null || { sleep 0.5; rm -rf "$dir"; }
exit 0
`;

const JANITOR_SCRIPT = `parent=$1; shift
while kill -0 "$parent" 2>/dev/null; do sleep 1; done
${NODE_DOWN_SCRIPT}`;

/** The node's isolated world: a network + mount namespace (held by one process), its cgroups and its directory. */
export interface NodeNamespace {
  readonly id: string;
  readonly plan: NodeNetworkPlan;
  /** State directory; everything of the node lives under it. */
  readonly dir: string;
  /** `hubnode-<id>`: the kubelet's cgroup root, in every v1 hierarchy. */
  readonly cgroupName: string;
  /** Pid of the process holding the namespaces (nsenter's `--target`). */
  readonly holderPid: number;
  /** Spawns `command` inside the namespaces and the node's cgroup. */
  spawn(name: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv): ManagedProcess;
  /** Runs a command inside the network namespace and returns its stdout. */
  exec(command: string, args: readonly string[]): Promise<string>;
  /** Kills everything of the node and removes the namespaces, routes, cgroups and directory. Idempotent. */
  teardown(): Promise<void>;
}

async function sh(script: string, ...args: string[]): Promise<void> {
  await run('/bin/sh', ['-c', script, 'hub-node', ...args], { timeout: 60_000 });
}

async function createCgroups(name: string): Promise<void> {
  for (const h of HIERARCHIES) {
    const dir = join(CGROUP_ROOT, h, name);
    await mkdir(dir, { recursive: true });
    if (h === 'cpuset') {
      for (const file of ['cpuset.cpus', 'cpuset.mems'])
        await writeFile(join(dir, file), await readFile(join(CGROUP_ROOT, h, file), 'utf8'));
      await writeFile(join(dir, 'cgroup.clone_children'), '1');
    }
  }
  // The node's own daemons (and with containerd the shims) go here; pods go under kubepods beside it.
  await mkdir(join(CGROUP_ROOT, 'pids', name, 'node'), { recursive: true });
}

/**
 * Creates the node's namespaces: a blackhole route for the node's /16 on the host, a holder process in new
 * network and mount namespaces (with private tmpfs over /run, /var/lib and /var/log, where containerd, runc and
 * the kubelet keep fixed paths), and a veth link host ↔ namespace. A janitor cleans all of it up if this
 * process dies first.
 */
export async function createNodeNamespace(): Promise<NodeNamespace> {
  if (process.getuid?.() !== 0)
    throw new TestEnvError(
      'INVALID_ARGUMENT',
      'a test node needs root (network namespaces, routes, cgroups, mounts): run as root or with sudo',
    );
  const id = randomBytes(4).toString('hex');
  const { stdout: routes } = await run('ip', ['-4', 'route', 'show', 'table', 'all']);
  const plan = planNodeNetwork(pickNodeOctet(routes), id);
  const cgroupName = `hubnode-${id}`;
  const dir = await mkdtemp(join(tmpdir(), 'hub-node-'));
  const janitor: ChildProcess = spawn(
    '/bin/sh',
    [
      '-c',
      JANITOR_SCRIPT,
      'hub-node-janitor',
      String(process.pid),
      dir,
      cgroupName,
      plan.hostVeth,
      plan.supernet,
    ],
    { detached: true, stdio: 'ignore' },
  );
  janitor.unref();
  const processes: ManagedProcess[] = [];
  let tearing: Promise<void> | undefined;
  const teardown = () => {
    tearing ??= (async () => {
      await sh(NODE_DOWN_SCRIPT, dir, cgroupName, plan.hostVeth, plan.supernet).catch((error: unknown) => {
        process.stderr.write(`hub-testenv: node clean-down: ${String(error)}\n`);
      });
      for (const proc of processes) await proc.stop(1000);
      if (janitor.pid) {
        try {
          process.kill(janitor.pid, 'SIGKILL');
        } catch {}
      }
    })();
    return tearing;
  };
  try {
    await run('ip', ['route', 'add', 'blackhole', plan.supernet]);
    await createCgroups(cgroupName);
    const nodeProcs = join(CGROUP_ROOT, 'pids', cgroupName, 'node', 'cgroup.procs');
    const inCgroup = (name: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv) => {
      const proc = spawnManaged(
        name,
        '/bin/sh',
        ['-c', 'echo $$ >"$0" && exec "$@"', nodeProcs, command, ...args],
        {
          cwd: dir,
          env: env ?? process.env,
        },
      );
      processes.push(proc);
      return proc;
    };
    const holder = inCgroup('node-namespaces', 'unshare', [
      '--net',
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      'for d in /run /var/lib /var/log; do mount -t tmpfs -o mode=755 hub-node "$d" || exit 1; done; echo namespaces-ready; exec sleep infinity',
    ]);
    await pollUntil(async () => (holder.output().includes('namespaces-ready') ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 20,
      abortIf: () =>
        holder.hasExited()
          ? new TestEnvError('PROCESS_EXITED', 'could not create the node namespaces', {
              output: holder.output(),
            })
          : undefined,
      onTimeout: () => new TestEnvError('START_TIMEOUT', 'the node namespaces did not come up'),
    });
    const pid = String(holder.pid);
    // The namespaces' identities, for clean-down to find every process inside them (`readlink /proc/PID/ns/…`).
    await writeFile(
      join(dir, 'namespaces'),
      `${await readlink(`/proc/${pid}/ns/net`)}\n${await readlink(`/proc/${pid}/ns/mnt`)}\n`,
    );
    const inNs = (...args: string[]) => run('nsenter', [`--target=${pid}`, '--net', '--', ...args]);
    await wireNetwork(plan, id, pid);
    return {
      id,
      plan,
      dir,
      cgroupName,
      holderPid: holder.pid,
      spawn: (name, command, args, env) =>
        inCgroup(name, 'nsenter', [`--target=${pid}`, '--net', '--mount', '--', command, ...args], env),
      exec: async (command, args) => (await inNs(command, ...args)).stdout,
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}

/** The veth link host ↔ namespace, forwarding inside, the Service sink route, and the host's routes into it. */
async function wireNetwork(plan: NodeNetworkPlan, id: string, pid: string): Promise<void> {
  const inNs = (...args: string[]) => run('nsenter', [`--target=${pid}`, '--net', '--', ...args]);
  const peer = `hubn${id}`.slice(0, 15);
  await run('ip', ['link', 'add', plan.hostVeth, 'type', 'veth', 'peer', 'name', peer, 'netns', pid]);
  await run('ip', ['addr', 'add', `${plan.hostIp}/${plan.linkPrefix}`, 'dev', plan.hostVeth]);
  await run('ip', ['link', 'set', plan.hostVeth, 'up']);
  await inNs('ip', 'link', 'set', 'lo', 'up');
  await inNs('ip', 'link', 'set', peer, 'name', 'eth0');
  await inNs('ip', 'addr', 'add', `${plan.nodeIp}/${plan.linkPrefix}`, 'dev', 'eth0');
  await inNs('ip', 'link', 'set', 'eth0', 'up');
  await inNs('sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1');
  // The node's own processes (containerd pulling from a Service, the kubelet probing one) need a route for the
  // Service range before kube-proxy's OUTPUT rules rewrite it: a veth whose peer stays down, so whatever is not
  // rewritten is dropped there (this kernel has no dummy device).
  await inNs('ip', 'link', 'add', 'svc0', 'type', 'veth', 'peer', 'name', 'svc1');
  await inNs('ip', 'link', 'set', 'svc0', 'up');
  await inNs('ip', 'route', 'add', plan.serviceCidr, 'dev', 'svc0');
  // The pod and Service ranges go into the namespace (more specific than the blackhole); nothing routes out of it.
  await run('ip', ['route', 'add', plan.podCidr, 'via', plan.nodeIp, 'dev', plan.hostVeth]);
  await run('ip', ['route', 'add', plan.serviceCidr, 'via', plan.nodeIp, 'dev', plan.hostVeth]);
}
