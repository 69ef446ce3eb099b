import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { ControlPlane, ControlPlaneUser } from '../control-plane/start-control-plane.ts';
import { TestEnvError } from '../errors.ts';
import { pollUntil, simpleRequest } from '../net/https-request.ts';
import { type ManagedProcess, peakRssBytes, spawnManaged } from '../process/managed-process.ts';
import type { Registry } from '../registry/start-registry.ts';
import { ensureNodeBinaries, type NodeBinaries } from './node-binaries.ts';
import {
  coreDnsObjects,
  type NodePaths,
  nodePaths,
  renderCniConfig,
  renderContainerdConfig,
  renderHostsToml,
  renderKubeletConfig,
  renderKubeProxyConfig,
} from './node-config.ts';
import { type NodeImages, pushNodeImages } from './node-images.ts';
import type { NodeNamespace } from './node-namespace.ts';
import type { NodeNetworkPlan } from './node-network-plan.ts';

/** Options of {@link startNode}. */
export interface NodeOptions {
  /** Node name (default `hub-node`). */
  name?: string;
  binaries?: NodeBinaries;
  onProgress?: (line: string) => void;
  /** Until the node is Ready and cluster DNS answers (default 180 s). */
  timeoutMs?: number;
}

/** A kubelet + containerd node (with kube-proxy and CoreDNS) joined to a control plane. */
export interface TestNode extends AsyncDisposable {
  readonly name: string;
  readonly plan: NodeNetworkPlan;
  readonly dir: string;
  readonly images: NodeImages;
  readonly binaries: NodeBinaries;
  /** Milliseconds from the call to a Ready node with cluster DNS answering. */
  readonly startMs: number;
  readonly pids: Readonly<Record<string, number>>;
  /**
   * Lets containerd pull `host/…` image references from `mirror` (plain HTTP, `hosts.toml`); containerd reads
   * it on the next pull.
   */
  setRegistryMirror(host: string, mirror?: string): Promise<void>;
  /** Peak RSS (VmHWM) of each node process, in bytes. */
  peakRss(): Promise<Record<string, number | undefined>>;
  /** Runs a command in the node's network namespace. */
  exec(command: string, args: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

function exitedError(proc: ManagedProcess): TestEnvError | undefined {
  return proc.hasExited()
    ? new TestEnvError(
        'PROCESS_EXITED',
        `${proc.name} exited during start-up; see the error's output field`,
        {
          output: proc.output(),
        },
      )
    : undefined;
}

async function exists(path: string): Promise<true | undefined> {
  try {
    await access(path);
    return true;
  } catch {
    return undefined;
  }
}

interface NodeUsers {
  kubelet: ControlPlaneUser;
  scheduler: ControlPlaneUser;
  manager: ControlPlaneUser;
  proxy: ControlPlaneUser;
}

/**
 * Joins a node to `controlPlane` (started with its `node` option on `namespace.plan`): containerd, the kubelet
 * and kube-proxy inside the node's namespaces, kube-scheduler and kube-controller-manager on the host, the
 * pause/CoreDNS/app images pushed to `registry`, and cluster DNS. Resolves once the node is Ready and the
 * CoreDNS pod is ready. `stop()` tears the namespace down too.
 */
export async function startNode(
  controlPlane: ControlPlane,
  registry: Registry,
  namespace: NodeNamespace,
  options: NodeOptions = {},
): Promise<TestNode> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 180_000;
  const name = options.name ?? 'hub-node';
  const paths = nodePaths(namespace.dir);
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    await namespace.teardown();
    for (const proc of processes) await proc.stop();
  };
  // The servers are unref'd children and client-node's requests may not hold the event loop either: keep the
  // process alive until the node is up (a top-level `await startNode()` would otherwise just end).
  const keepAlive = setInterval(() => {}, 1000);
  try {
    const binaries = options.binaries ?? (await ensureNodeBinaries({ onProgress: progress }));
    progress('node: pushing the pause, CoreDNS and app images');
    const [images, users] = await Promise.all([
      pushNodeImages(registry.host, binaries),
      addNodeUsers(controlPlane, name),
    ]);
    await writeNodeFiles({ controlPlane, registry, namespace, paths, binaries, images, users, name });
    progress('node: starting containerd');
    processes.push(await startContainerd(namespace, paths, binaries));
    processes.push(...startControllers(controlPlane, binaries, users, namespace.plan));
    progress('node: starting the kubelet and kube-proxy');
    processes.push(
      namespace.spawn('kubelet', binaries.kubelet, [
        `--config=${paths.kubeletConfig}`,
        `--kubeconfig=${users.kubelet.kubeconfigPath}`,
        `--root-dir=${paths.kubeletRoot}`,
        `--cert-dir=${join(namespace.dir, 'kubelet-pki')}`,
        `--hostname-override=${name}`,
        `--node-ip=${namespace.plan.nodeIp}`,
      ]),
      namespace.spawn('kube-proxy', binaries.kubeProxy, [`--config=${paths.kubeProxyConfig}`]),
    );
    const abortIf = () => processes.map((proc) => exitedError(proc)).find((error) => error !== undefined);
    await waitForNodeReady(controlPlane, name, { timeoutMs, abortIf });
    progress(`node: ${name} Ready after ${Date.now() - started} ms; starting cluster DNS`);
    await startClusterDns(controlPlane, images, namespace.plan, { timeoutMs, abortIf });
    const startMs = Date.now() - started;
    progress(`node: cluster DNS ready; node up in ${startMs} ms`);
    const pids: Record<string, number> = { namespaces: namespace.holderPid };
    for (const proc of processes) pids[proc.name] = proc.pid;
    return {
      name,
      plan: namespace.plan,
      dir: namespace.dir,
      images,
      binaries,
      startMs,
      pids,
      setRegistryMirror: (host, mirror = host) => writeCertsD(paths.certsD, host, mirror),
      async peakRss() {
        const out: Record<string, number | undefined> = {};
        for (const [key, pid] of Object.entries(pids)) out[key] = await peakRssBytes(pid);
        return out;
      },
      exec: namespace.exec,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearInterval(keepAlive);
  }
}

/** Client certificates for the kubelet (`system:node:<name>`), the scheduler, the controller manager, kube-proxy. */
async function addNodeUsers(cp: ControlPlane, name: string): Promise<NodeUsers> {
  const [kubelet, scheduler, manager, proxy] = await Promise.all([
    cp.addUser(`system:node:${name}`, ['system:nodes']),
    cp.addUser('system:kube-scheduler'),
    cp.addUser('system:kube-controller-manager'),
    cp.addUser('system:kube-proxy'),
  ]);
  return { kubelet, scheduler, manager, proxy };
}

/** The kubelet's serving certificate and every configuration file, under the node's directory. */
async function writeNodeFiles(input: {
  controlPlane: ControlPlane;
  registry: Registry;
  namespace: NodeNamespace;
  paths: NodePaths;
  binaries: NodeBinaries;
  images: NodeImages;
  users: NodeUsers;
  name: string;
}): Promise<void> {
  const { paths, namespace, binaries } = input;
  const { plan } = namespace;
  for (const dir of [paths.certsD, paths.cniConfDir, paths.cniIpamDir, paths.kubeletRoot, paths.optDir])
    await mkdir(dir, { recursive: true });
  const serving = await input.controlPlane.credentials.servingCa.issue({
    commonName: input.name,
    dnsNames: [input.name],
    ipAddresses: [plan.nodeIp],
    usage: 'server',
  });
  const tlsCertFile = join(namespace.dir, 'kubelet-serving.crt');
  const tlsKeyFile = join(namespace.dir, 'kubelet-serving.key');
  const containerd = renderContainerdConfig({
    paths,
    sandboxImage: input.images.pause,
    runc: binaries.runc,
    cniBinDir: binaries.cniBinDir,
  });
  const kubelet = renderKubeletConfig({
    plan,
    paths,
    clientCaFile: input.controlPlane.credentials.clientCaFile,
    tlsCertFile,
    tlsKeyFile,
    cgroupRoot: `/${namespace.cgroupName}`,
  });
  const proxy = renderKubeProxyConfig({
    plan,
    kubeconfig: input.users.proxy.kubeconfigPath,
    nodeName: input.name,
  });
  await Promise.all([
    writeFile(tlsCertFile, serving.certPem),
    writeFile(tlsKeyFile, serving.keyPem, { mode: 0o600 }),
    writeFile(paths.containerdConfig, containerd),
    writeCertsD(paths.certsD, input.registry.host, input.registry.host),
    writeFile(join(paths.cniConfDir, '10-hub-testenv.conflist'), renderCniConfig(plan, paths.cniIpamDir)),
    writeFile(paths.kubeletConfig, kubelet),
    writeFile(paths.kubeProxyConfig, proxy),
    // Pods with dnsPolicy Default see only cluster DNS: no resolver of the machine leaks in.
    writeFile(paths.resolvConf, `nameserver ${plan.dnsServiceIp}\n`),
  ]);
}

/** containerd in the node's namespaces, with the shim on its PATH; resolves once its socket exists. */
async function startContainerd(
  namespace: NodeNamespace,
  paths: NodePaths,
  binaries: NodeBinaries,
): Promise<ManagedProcess> {
  const env = { ...process.env, PATH: `${dirname(binaries.containerdShimRuncV2)}:${process.env.PATH ?? ''}` };
  const containerd = namespace.spawn(
    'containerd',
    binaries.containerd,
    ['--config', paths.containerdConfig],
    env,
  );
  await pollUntil(() => exists(paths.containerdSocket), {
    timeoutMs: 30_000,
    intervalMs: 50,
    abortIf: () => exitedError(containerd),
    onTimeout: () =>
      new TestEnvError('START_TIMEOUT', 'containerd did not open its socket', {
        output: containerd.output(),
      }),
  });
  return containerd;
}

/** kube-scheduler and kube-controller-manager, on the host: they only talk to the apiserver. */
function startControllers(
  cp: ControlPlane,
  binaries: NodeBinaries,
  users: NodeUsers,
  plan: NodeNetworkPlan,
): ManagedProcess[] {
  const c = cp.credentials;
  return [
    spawnManaged('kube-scheduler', binaries.kubeScheduler, [
      `--kubeconfig=${users.scheduler.kubeconfigPath}`,
      '--leader-elect=false',
      '--secure-port=0',
    ]),
    spawnManaged('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${users.manager.kubeconfigPath}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${c.serviceAccountSigningKeyFile}`,
      `--root-ca-file=${c.servingCaFile}`,
      `--cluster-signing-cert-file=${c.clientCaFile}`,
      `--cluster-signing-key-file=${c.clientCaKeyFile ?? ''}`,
      `--service-cluster-ip-range=${plan.serviceCidr}`,
      '--cluster-name=hub-testenv',
    ]),
  ];
}

interface WaitOptions {
  timeoutMs: number;
  abortIf: () => TestEnvError | undefined;
}

async function getJson<T>(cp: ControlPlane, path: string): Promise<T | undefined> {
  const res = await simpleRequest(`${cp.server}${path}`, { ...adminTls(cp), timeoutMs: 2000 });
  return res.status === 200 ? (JSON.parse(res.body) as T) : undefined;
}

async function waitForNodeReady(cp: ControlPlane, name: string, wait: WaitOptions): Promise<void> {
  type NodeStatus = { status?: { conditions?: { type: string; status: string }[] } };
  await pollUntil(
    async () => {
      const node = await getJson<NodeStatus>(cp, `/api/v1/nodes/${name}`);
      return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        ? true
        : undefined;
    },
    {
      ...wait,
      intervalMs: 250,
      onTimeout: () =>
        new TestEnvError('START_TIMEOUT', `node ${name} was not Ready within ${wait.timeoutMs} ms`),
    },
  );
}

/** CoreDNS as a Deployment behind kube-dns; resolves once it is ready and `default` has its ServiceAccount. */
async function startClusterDns(
  cp: ControlPlane,
  images: NodeImages,
  plan: NodeNetworkPlan,
  wait: WaitOptions,
): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(cp.kubeConfig);
  for (const object of coreDnsObjects({ image: images.coredns, dnsServiceIp: plan.dnsServiceIp }))
    await client.create(object as never);
  await pollUntil(
    async () => {
      const [dns, sa] = await Promise.all([
        getJson<{ status?: { readyReplicas?: number } }>(
          cp,
          '/apis/apps/v1/namespaces/kube-system/deployments/coredns',
        ),
        getJson<object>(cp, '/api/v1/namespaces/default/serviceaccounts/default'),
      ]);
      return sa && (dns?.status?.readyReplicas ?? 0) >= 1 ? true : undefined;
    },
    {
      ...wait,
      intervalMs: 250,
      onTimeout: () =>
        new TestEnvError('START_TIMEOUT', `cluster DNS was not ready within ${wait.timeoutMs} ms`),
    },
  );
}

async function writeCertsD(certsD: string, host: string, mirror: string): Promise<void> {
  await mkdir(join(certsD, host), { recursive: true });
  await writeFile(join(certsD, host, 'hosts.toml'), renderHostsToml(host, mirror));
}

function adminTls(cp: ControlPlane): { ca: string; cert: string; key: string } {
  const user = cp.kubeConfig.getCurrentUser();
  const cluster = cp.kubeConfig.getCurrentCluster();
  const decode = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');
  return { ca: decode(cluster?.caData), cert: decode(user?.certData), key: decode(user?.keyData) };
}
