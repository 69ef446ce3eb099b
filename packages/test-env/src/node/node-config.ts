import { stringify } from 'yaml';
import type { NodeNetworkPlan } from './node-network-plan.ts';

/** Where one node keeps its state: everything under `dir`, removed whole by clean-down. */
export interface NodePaths {
  dir: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  containerdConfig: string;
  certsD: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletRoot: string;
  kubeletConfig: string;
  kubeProxyConfig: string;
  resolvConf: string;
  optDir: string;
}

export function nodePaths(dir: string): NodePaths {
  return {
    dir,
    containerdRoot: `${dir}/containerd/root`,
    containerdState: `${dir}/containerd/state`,
    containerdSocket: `${dir}/containerd/containerd.sock`,
    containerdConfig: `${dir}/containerd/config.toml`,
    certsD: `${dir}/containerd/certs.d`,
    cniConfDir: `${dir}/cni/net.d`,
    cniIpamDir: `${dir}/cni/ipam`,
    kubeletRoot: `${dir}/kubelet`,
    kubeletConfig: `${dir}/kubelet-config.yaml`,
    kubeProxyConfig: `${dir}/kube-proxy-config.yaml`,
    resolvConf: `${dir}/resolv.conf`,
    optDir: `${dir}/containerd/opt`,
  };
}

const toml = (value: string) => JSON.stringify(value);

/** containerd 2 (config version 3): state under the node's directory, runc from Debian, CNI from Debian. */
export function renderContainerdConfig(input: {
  paths: NodePaths;
  sandboxImage: string;
  runc: string;
  cniBinDir: string;
}): string {
  const { paths } = input;
  return `version = 3
root = ${toml(paths.containerdRoot)}
state = ${toml(paths.containerdState)}
disabled_plugins = [
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.blockfile",
  "io.containerd.snapshotter.v1.erofs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
  "io.containerd.nri.v1.nri",
]

[grpc]
  address = ${toml(paths.containerdSocket)}

[ttrpc]
  address = ${toml(`${paths.containerdSocket}.ttrpc`)}

[debug]
  level = "warn"

[plugins."io.containerd.internal.v1.opt"]
  path = ${toml(paths.optDir)}

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = ${toml(input.sandboxImage)}
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = ${toml(paths.certsD)}

[plugins."io.containerd.cri.v1.runtime"]
  enable_selinux = false
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  # These machines withhold CAP_SYS_RESOURCE: an oom_score_adj below containerd's own cannot be set.
  restrict_oom_score_adj = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = ${toml(input.runc)}
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = [${toml(input.cniBinDir)}]
    conf_dir = ${toml(paths.cniConfDir)}
    max_conf_num = 1

[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
`;
}

/** `certs.d/<host>/hosts.toml`: pull from `host` over plain HTTP (the test registry or an in-cluster mirror). */
export function renderHostsToml(host: string, mirror = host): string {
  return `server = ${toml(`http://${host}`)}

[host.${toml(`http://${mirror}`)}]
  capabilities = ["pull", "resolve"]
  skip_verify = true
`;
}

/** The CNI network: a bridge with host-local IPAM over the pod range, IPAM state under the node's directory. */
export function renderCniConfig(plan: NodeNetworkPlan, ipamDir: string): string {
  const gateway = plan.podCidr.replace(/\.0\/24$/, '.1');
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'hub-testenv',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: ipamDir,
            ranges: [[{ subnet: plan.podCidr, gateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/** The KubeletConfiguration: cgroup v1 allowed, cgroupfs, webhook authorization, our CA and serving cert. */
export function renderKubeletConfig(input: {
  plan: NodeNetworkPlan;
  paths: NodePaths;
  clientCaFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  cgroupRoot: string;
}): string {
  const socket = `unix://${input.paths.containerdSocket}`;
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: input.plan.nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: input.clientCaFile },
    },
    authorization: { mode: 'Webhook' },
    tlsCertFile: input.tlsCertFile,
    tlsPrivateKeyFile: input.tlsKeyFile,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: input.cgroupRoot,
    failCgroupV1: false,
    failSwapOn: false,
    containerRuntimeEndpoint: socket,
    imageServiceEndpoint: socket,
    clusterDNS: [input.plan.dnsServiceIp],
    clusterDomain: 'cluster.local',
    resolvConf: input.paths.resolvConf,
    serializeImagePulls: false,
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      'memory.available': '50Mi',
      'nodefs.available': '1%',
      'nodefs.inodesFree': '1%',
      'imagefs.available': '1%',
    },
    evictionPressureTransitionPeriod: '5s',
    nodeStatusUpdateFrequency: '5s',
    syncFrequency: '10s',
    fileCheckFrequency: '5s',
    rotateCertificates: false,
    serverTLSBootstrap: false,
    shutdownGracePeriod: '0s',
    registerNode: true,
    maxPods: 60,
  });
}

/** kube-proxy in iptables mode, inside the node's namespace; global conntrack sysctls are left alone. */
export function renderKubeProxyConfig(input: {
  plan: NodeNetworkPlan;
  kubeconfig: string;
  nodeName: string;
}): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: input.kubeconfig },
    mode: 'iptables',
    clusterCIDR: input.plan.podCidr,
    hostnameOverride: input.nodeName,
    bindAddress: input.plan.nodeIp,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}

/** CoreDNS: kubernetes plugin for cluster.local, and deliberately no forwarder (no query leaves the machine). */
export function renderCorefile(): string {
  return `.:53 {
    errors
    health :8080
    ready :8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
}
`;
}

/** The cluster DNS objects (kube-system): RBAC, Corefile, a one-replica Deployment and the kube-dns Service. */
export function coreDnsObjects(input: { image: string; dnsServiceIp: string }): Record<string, unknown>[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const ns = 'kube-system';
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: ns }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: ns },
      data: { Corefile: renderCorefile() },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            dnsPolicy: 'Default',
            priorityClassName: 'system-cluster-critical',
            containers: [
              {
                name: 'coredns',
                image: input.image,
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, initialDelaySeconds: 10 },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: ns, labels },
      spec: {
        selector: labels,
        clusterIP: input.dnsServiceIp,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    },
  ];
}
