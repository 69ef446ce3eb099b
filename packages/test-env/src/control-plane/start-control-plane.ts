import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { type ControlPlaneBinaries, DEBIAN_ETCD, ensureBinaries } from '../binaries/resolve-binaries.ts';
import { type CertificateAuthority, createCertificateAuthority } from '../certs/tiny-ca.ts';
import { TestEnvError } from '../errors.ts';
import { kubeConfigFromString, renderKubeconfig } from '../kubeconfig/render-kubeconfig.ts';
import { freePort } from '../net/free-port.ts';
import { pollUntil, simpleRequest } from '../net/https-request.ts';
import { type ManagedProcess, spawnManaged } from '../process/managed-process.ts';
import type { WebhookServer } from '../webhooks/webhook-server.ts';
import { type CrdInput, installCustomResourceDefinitions } from './install-crds.ts';
import { registerWebhookConfigurations, type WebhookConfiguration } from './register-webhooks.ts';
import { etcdArgs, kubeApiserverArgs } from './server-args.ts';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** Binaries to run; resolved with {@link ensureBinaries} when omitted. */
  binaries?: ControlPlaneBinaries;
  /** Extra kube-apiserver flags (`--name=value`); they replace defaults of the same name. */
  apiserverArgs?: readonly string[];
  /** Start timeout per process; defaults to 60 s (envtest uses 20 s; CI machines are slower). */
  startTimeoutMs?: number;
  /** Keep the temporary directory after stop (for debugging). */
  keepTempDir?: boolean;
  /** Receives build progress lines when binaries must be built. */
  onProgress?: (line: string) => void;
  /**
   * Serve a real node (`startNode` in `@hub/test-env/node`): bind and advertise `address` instead of
   * 127.0.0.1, the node's Service range, ServiceAccount admission on, `Node,RBAC` authorization with
   * NodeRestriction, and a kubelet client certificate so `kubectl logs` works.
   */
  node?: ControlPlaneNodeOptions;
}

/** The addresses a control plane serves a node on ({@link ControlPlaneOptions.node}). */
export interface ControlPlaneNodeOptions {
  /** A local address the node reaches (the host end of its link); kube-apiserver binds and advertises it. */
  address: string;
  serviceClusterIpRange: string;
  /** The first address of the Service range: the `kubernetes` Service, in the serving certificate. */
  kubernetesServiceIp: string;
}

/** The control plane's certificate authorities and key files, for components that join it (a node). */
export interface ControlPlaneCredentials {
  servingCa: CertificateAuthority;
  clientCa: CertificateAuthority;
  servingCaFile: string;
  clientCaFile: string;
  /** The client CA's key, written only in node mode (kube-controller-manager's `--cluster-signing-key-file`). */
  clientCaKeyFile: string | undefined;
  serviceAccountSigningKeyFile: string;
}

/** A user minted by {@link ControlPlane.addUser}: a client certificate with CN=name and O=groups. */
export interface ControlPlaneUser {
  name: string;
  groups: readonly string[];
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** The rendered kubeconfig YAML. */
  kubeconfig: string;
}

/** A running kube-apiserver + etcd pair. */
export interface ControlPlane extends AsyncDisposable {
  /** `https://127.0.0.1:PORT` */
  readonly server: string;
  /** Admin (system:masters) kubeconfig file, for kubectl and child processes. */
  readonly kubeconfigPath: string;
  /** Admin kubeconfig YAML. */
  readonly kubeconfig: string;
  /** Admin client-node configuration. */
  readonly kubeConfig: KubeConfig;
  /** PEM of the CA that signed the apiserver's serving certificate. */
  readonly caPem: string;
  /** Temporary directory holding certificates, kubeconfigs and etcd data. */
  readonly dir: string;
  readonly binaries: ControlPlaneBinaries;
  /** Process ids (process-group leaders) of the servers; `kubeApiserver` changes on restartApiserver. */
  readonly pids: { etcd: number; kubeApiserver: number };
  /** Milliseconds from the call to ready (binaries already resolved). */
  readonly startMs: number;
  /** CAs and key files, for components that join this control plane. */
  readonly credentials: ControlPlaneCredentials;
  /** Mints a client certificate for `name` in `groups` and writes its kubeconfig. */
  addUser(name: string, groups?: readonly string[]): Promise<ControlPlaneUser>;
  /** Creates (or replaces) CRDs from objects, YAML files or directories and waits until discovery serves them. */
  installCRDs(crds: CrdInput | readonly CrdInput[], options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Points webhook configurations at `server` (URL + caBundle), creates them, and waits until the apiserver
   * really calls the server.
   */
  registerWebhooks(
    configs: WebhookConfiguration | readonly WebhookConfiguration[],
    server: WebhookServer,
    options?: { timeoutMs?: number },
  ): Promise<void>;
  /**
   * Stops kube-apiserver (SIGTERM, SIGKILL after `graceMs`) and starts it again on the same port with
   * the same certificates and etcd, then waits for /readyz: clients see a real outage and a recovery.
   */
  restartApiserver(options?: { graceMs?: number; downMs?: number }): Promise<void>;
  /** Stops apiserver then etcd (SIGTERM, then SIGKILL) and removes the temporary directory. Idempotent. */
  stop(): Promise<void>;
}

const run = promisify(execFile);

async function supportsUnsafeNoFsync(etcd: string): Promise<boolean> {
  try {
    const { stdout, stderr } = await run(etcd, ['--help'], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 });
    return `${stdout}${stderr}`.includes('--unsafe-no-fsync');
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    return `${output.stdout ?? ''}${output.stderr ?? ''}`.includes('--unsafe-no-fsync');
  }
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

/**
 * Starts etcd and kube-apiserver on free loopback ports with temporary directories, the way controller-runtime's
 * envtest does. Use with `await using cp = await startControlPlane()` or call `stop()`.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries =
    options.binaries ?? (await ensureBinaries(options.onProgress ? { onProgress: options.onProgress } : {}));
  let lastError: unknown;
  // A free port can be taken between probing and binding; retry the whole start on "address already in use".
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binaries, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof TestEnvError && /address already in use/.test(error.output ?? ''))) throw error;
    }
  }
  throw lastError;
}

async function startOnce(
  binaries: ControlPlaneBinaries,
  options: ControlPlaneOptions,
): Promise<ControlPlane> {
  const started = Date.now();
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  // Debian's etcd has no --unsafe-no-fsync: keep its data in memory instead.
  const base = binaries.etcd === DEBIAN_ETCD ? '/dev/shm' : tmpdir();
  const dir = await mkdtemp(join(base, 'hub-testenv-'));
  const certDir = join(dir, 'certs');
  await mkdir(certDir, { recursive: true });
  await mkdir(join(dir, 'users'), { recursive: true });
  const processes: ManagedProcess[] = [];
  const cleanup = async () => {
    for (const proc of processes.reverse()) await proc.stop();
    if (!options.keepTempDir) await rm(dir, { recursive: true, force: true });
  };
  try {
    const [etcdClientPort, etcdPeerPort, securePort, servingCa, clientCa, noFsync] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      createCertificateAuthority('hub-testenv-serving-ca'),
      createCertificateAuthority('hub-testenv-client-ca'),
      supportsUnsafeNoFsync(binaries.etcd),
    ]);
    const node = options.node;
    const files = await writeApiserverCertificates(certDir, servingCa, clientCa, node);
    const nodeArgs = node
      ? await nodeApiserverArgs(certDir, clientCa, node, files.servingCaFile, securePort)
      : [];
    const etcd = spawnManaged(
      'etcd',
      binaries.etcd,
      etcdArgs({
        clientPort: etcdClientPort,
        peerPort: etcdPeerPort,
        dataDir: join(dir, 'etcd'),
        unsafeNoFsync: noFsync,
      }),
      { cwd: dir },
    );
    processes.push(etcd);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    await waitForEtcd(etcd, etcdUrl, timeoutMs);

    const apiserverArgs = kubeApiserverArgs({
      etcdUrl,
      securePort,
      certDir,
      ...files,
      extra: [...nodeArgs, ...(options.apiserverArgs ?? [])],
    });
    const spawnApiserver = () =>
      spawnManaged('kube-apiserver', binaries.kubeApiserver, apiserverArgs, { cwd: dir });
    let apiserver = spawnApiserver();
    processes.push(apiserver);
    const server = `https://${node?.address ?? '127.0.0.1'}:${securePort}`;
    const admin = await clientCa.issue({
      commonName: 'admin',
      organizations: ['system:masters'],
      usage: 'client',
    });
    const tls = { ca: servingCa.certPem, cert: admin.certPem, key: admin.keyPem };
    const waitReady = () =>
      pollUntil(
        async () => {
          const res = await simpleRequest(`${server}/readyz`, { ...tls, timeoutMs: 2000 });
          return res.status === 200 ? true : undefined;
        },
        {
          timeoutMs,
          intervalMs: 100,
          abortIf: () => exitedError(apiserver) ?? exitedError(etcd),
          onTimeout: () =>
            new TestEnvError('START_TIMEOUT', `kube-apiserver did not become ready within ${timeoutMs} ms`, {
              output: apiserver.output(),
            }),
        },
      );
    await waitReady();
    const pids = { etcd: etcd.pid, kubeApiserver: apiserver.pid };
    const restartApiserver = async (restart: { graceMs?: number; downMs?: number } = {}) => {
      await apiserver.stop(restart.graceMs ?? 5000);
      if (restart.downMs) await new Promise((resolve) => setTimeout(resolve, restart.downMs));
      const index = processes.indexOf(apiserver);
      apiserver = spawnApiserver();
      processes.splice(index, 1, apiserver);
      pids.kubeApiserver = apiserver.pid;
      await waitReady();
    };
    await waitForDefaultNamespace(server, tls, timeoutMs, () => exitedError(apiserver));

    const kubeconfig = renderKubeconfig({ server, caPem: servingCa.certPem, user: 'admin', ...admin });
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
    const kubeConfig = kubeConfigFromString(kubeconfig);
    return makeControlPlane({
      server,
      dir,
      kubeconfig,
      kubeconfigPath,
      kubeConfig,
      servingCa,
      clientCa,
      tls,
      binaries,
      pids,
      restartApiserver,
      startMs: Date.now() - started,
      credentials: { servingCa, clientCa, ...credentialFiles(certDir, files, node) },
      cleanup,
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** The apiserver's serving certificate, the CAs and a service-account key pair, written under `certDir`. */
async function writeApiserverCertificates(
  certDir: string,
  servingCa: Awaited<ReturnType<typeof createCertificateAuthority>>,
  clientCa: Awaited<ReturnType<typeof createCertificateAuthority>>,
  node: ControlPlaneNodeOptions | undefined,
) {
  const serving = await servingCa.issue({
    commonName: 'kube-apiserver',
    dnsNames: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ],
    ipAddresses: node ? ['127.0.0.1', node.address, node.kubernetesServiceIp] : ['127.0.0.1', '10.0.0.1'],
    usage: 'server',
  });
  const sa = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const files = {
    tlsCertFile: join(certDir, 'apiserver.crt'),
    tlsKeyFile: join(certDir, 'apiserver.key'),
    clientCaFile: join(certDir, 'client-ca.crt'),
    servingCaFile: join(certDir, 'serving-ca.crt'),
    serviceAccountPublicKeyFile: join(certDir, 'sa.pub'),
    serviceAccountSigningKeyFile: join(certDir, 'sa.key'),
  };
  await Promise.all([
    writeFile(files.tlsCertFile, serving.certPem),
    writeFile(files.tlsKeyFile, serving.keyPem, { mode: 0o600 }),
    writeFile(files.clientCaFile, clientCa.certPem),
    writeFile(files.servingCaFile, servingCa.certPem),
    writeFile(files.serviceAccountPublicKeyFile, sa.publicKey),
    writeFile(files.serviceAccountSigningKeyFile, sa.privateKey, { mode: 0o600 }),
  ]);
  return files;
}

async function waitForEtcd(etcd: ManagedProcess, etcdUrl: string, timeoutMs: number): Promise<void> {
  await pollUntil(
    async () => {
      const res = await simpleRequest(`${etcdUrl}/health`, { timeoutMs: 1000 });
      return res.status === 200 && /"health":\s*"true"/.test(res.body) ? true : undefined;
    },
    {
      timeoutMs,
      intervalMs: 100,
      abortIf: () => exitedError(etcd),
      onTimeout: () =>
        new TestEnvError('START_TIMEOUT', `etcd did not become healthy within ${timeoutMs} ms`, {
          output: etcd.output(),
        }),
    },
  );
}

function credentialFiles(
  certDir: string,
  files: { servingCaFile: string; clientCaFile: string; serviceAccountSigningKeyFile: string },
  node: ControlPlaneNodeOptions | undefined,
): Omit<ControlPlaneCredentials, 'servingCa' | 'clientCa'> {
  return {
    servingCaFile: files.servingCaFile,
    clientCaFile: files.clientCaFile,
    clientCaKeyFile: node ? join(certDir, 'client-ca.key') : undefined,
    serviceAccountSigningKeyFile: files.serviceAccountSigningKeyFile,
  };
}

/**
 * The node-mode flags: the node's address and Service range, ServiceAccount admission back on, the Node
 * authorizer with NodeRestriction, and the apiserver's client certificate towards kubelets (written with the
 * client CA's key, which kube-controller-manager signs CSRs with).
 */
async function nodeApiserverArgs(
  certDir: string,
  clientCa: CertificateAuthority,
  node: ControlPlaneNodeOptions,
  servingCaFile: string,
  securePort: number,
): Promise<string[]> {
  const kubeletClient = await clientCa.issue({
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['system:masters'],
    usage: 'client',
  });
  const certFile = join(certDir, 'apiserver-kubelet-client.crt');
  const keyFile = join(certDir, 'apiserver-kubelet-client.key');
  await Promise.all([
    writeFile(join(certDir, 'client-ca.key'), clientCa.keyPem, { mode: 0o600 }),
    writeFile(certFile, kubeletClient.certPem),
    writeFile(keyFile, kubeletClient.keyPem, { mode: 0o600 }),
  ]);
  return [
    `--bind-address=${node.address}`,
    `--advertise-address=${node.address}`,
    `--service-cluster-ip-range=${node.serviceClusterIpRange}`,
    '--disable-admission-plugins=',
    '--enable-admission-plugins=NodeRestriction',
    '--authorization-mode=Node,RBAC',
    `--kubelet-client-certificate=${certFile}`,
    `--kubelet-client-key=${keyFile}`,
    `--kubelet-certificate-authority=${servingCaFile}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--service-account-issuer=https://${node.address}:${securePort}/`,
  ];
}

/** envtest waits for the default namespace: the bootstrap controller creates it after readyz. */
async function waitForDefaultNamespace(
  server: string,
  tls: { ca: string; cert: string; key: string },
  timeoutMs: number,
  exited: () => TestEnvError | undefined,
): Promise<void> {
  await pollUntil(
    async () => {
      const res = await simpleRequest(`${server}/api/v1/namespaces/default`, { ...tls, timeoutMs: 2000 });
      return res.status === 200 ? true : undefined;
    },
    {
      timeoutMs,
      intervalMs: 100,
      abortIf: exited,
      onTimeout: () => new TestEnvError('START_TIMEOUT', 'the default namespace did not appear'),
    },
  );
}

function makeControlPlane(input: {
  server: string;
  dir: string;
  kubeconfig: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  servingCa: CertificateAuthority;
  clientCa: CertificateAuthority;
  tls: { ca: string; cert: string; key: string };
  binaries: ControlPlaneBinaries;
  pids: { etcd: number; kubeApiserver: number };
  restartApiserver: ControlPlane['restartApiserver'];
  startMs: number;
  credentials: ControlPlaneCredentials;
  cleanup: () => Promise<void>;
}): ControlPlane {
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= input.cleanup();
    return stopping;
  };
  const api = { server: input.server, tls: input.tls, kubeConfig: input.kubeConfig };
  return {
    server: input.server,
    kubeconfigPath: input.kubeconfigPath,
    kubeconfig: input.kubeconfig,
    kubeConfig: input.kubeConfig,
    caPem: input.servingCa.certPem,
    dir: input.dir,
    binaries: input.binaries,
    pids: input.pids,
    startMs: input.startMs,
    credentials: input.credentials,
    async addUser(name, groups = []) {
      if (!/^[\w.@:-]+$/.test(name)) {
        throw new TestEnvError('INVALID_ARGUMENT', `user name ${JSON.stringify(name)} must match [\\w.@:-]+`);
      }
      const cert = await input.clientCa.issue({ commonName: name, organizations: groups, usage: 'client' });
      const kubeconfig = renderKubeconfig({
        server: input.server,
        caPem: input.servingCa.certPem,
        user: name,
        ...cert,
      });
      const kubeconfigPath = join(input.dir, 'users', `${name}.kubeconfig`);
      await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
      return {
        name,
        groups: [...groups],
        kubeconfigPath,
        kubeconfig,
        kubeConfig: kubeConfigFromString(kubeconfig),
      };
    },
    installCRDs: (crds, options) =>
      installCustomResourceDefinitions(api, Array.isArray(crds) ? crds : [crds as CrdInput], options),
    registerWebhooks: (configs, server, options) =>
      registerWebhookConfigurations(
        api,
        Array.isArray(configs) ? configs : [configs as WebhookConfiguration],
        server,
        options,
      ),
    restartApiserver: input.restartApiserver,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
