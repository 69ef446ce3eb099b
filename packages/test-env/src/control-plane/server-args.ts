/** Inputs of {@link etcdArgs}. */
export interface EtcdArgsInput {
  clientPort: number;
  peerPort: number;
  dataDir: string;
  /** Only etcd builds whose `--help` lists `--unsafe-no-fsync` accept it (3.4.23 does not). */
  unsafeNoFsync: boolean;
}

/** etcd flags as envtest passes them: loopback client and peer URLs and a temporary data dir. */
export function etcdArgs(input: EtcdArgsInput): string[] {
  const client = `http://127.0.0.1:${input.clientPort}`;
  const peer = `http://127.0.0.1:${input.peerPort}`;
  const args = [
    `--data-dir=${input.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    '--name=default',
    '--log-level=warn',
  ];
  if (input.unsafeNoFsync) args.push('--unsafe-no-fsync=true');
  return args;
}

/** Inputs of {@link kubeApiserverArgs}. */
export interface KubeApiserverArgsInput {
  etcdUrl: string;
  securePort: number;
  certDir: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  clientCaFile: string;
  serviceAccountPublicKeyFile: string;
  serviceAccountSigningKeyFile: string;
  /** Extra `--flag=value` entries; a flag given here replaces the default of the same name. */
  extra?: readonly string[];
}

/**
 * kube-apiserver flags following envtest's `defaultArgs`: loopback only, RBAC, service-account keys and issuer,
 * and the ServiceAccount admission plugin disabled (no controller-manager mints tokens).
 */
export function kubeApiserverArgs(input: KubeApiserverArgsInput): string[] {
  const flags = new Map<string, string>([
    ['etcd-servers', input.etcdUrl],
    ['cert-dir', input.certDir],
    ['tls-cert-file', input.tlsCertFile],
    ['tls-private-key-file', input.tlsKeyFile],
    ['client-ca-file', input.clientCaFile],
    ['secure-port', String(input.securePort)],
    ['bind-address', '127.0.0.1'],
    ['advertise-address', '127.0.0.1'],
    ['service-cluster-ip-range', '10.0.0.0/24'],
    ['allow-privileged', 'true'],
    ['disable-admission-plugins', 'ServiceAccount'],
    ['authorization-mode', 'RBAC'],
    ['service-account-issuer', `https://127.0.0.1:${input.securePort}/`],
    ['service-account-key-file', input.serviceAccountPublicKeyFile],
    ['service-account-signing-key-file', input.serviceAccountSigningKeyFile],
  ]);
  for (const entry of input.extra ?? []) {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(entry);
    if (match?.[1]) flags.set(match[1], match[2] ?? 'true');
  }
  return [...flags].map(([name, value]) => `--${name}=${value}`);
}
