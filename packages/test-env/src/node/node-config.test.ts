import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  coreDnsObjects,
  nodePaths,
  renderCniConfig,
  renderContainerdConfig,
  renderCorefile,
  renderHostsToml,
  renderKubeletConfig,
} from './node-config.ts';
import { planNodeNetwork } from './node-network-plan.ts';

const plan = planNodeNetwork(77, 'abcd1234');
const paths = nodePaths('/tmp/hub-node-x');

describe('node configuration', () => {
  it('keeps containerd state under the node directory and pins the locally built pause image', () => {
    const config = renderContainerdConfig({
      paths,
      sandboxImage: '10.77.255.1:5000/hub-testenv/pause:1',
      runc: '/usr/sbin/runc',
      cniBinDir: '/usr/lib/cni',
    });
    expect(config).toMatch(/^version = 3$/m);
    expect(config).toContain('root = "/tmp/hub-node-x/containerd/root"');
    expect(config).toContain('sandbox = "10.77.255.1:5000/hub-testenv/pause:1"');
    expect(config).toContain('config_path = "/tmp/hub-node-x/containerd/certs.d"');
    expect(config).toContain('netns_mounts_under_state_dir = true');
  });

  it('pulls from a registry or its mirror over plain HTTP', () => {
    expect(renderHostsToml('10.77.255.1:5000')).toBe(
      'server = "http://10.77.255.1:5000"\n\n[host."http://10.77.255.1:5000"]\n  capabilities = ["pull", "resolve"]\n  skip_verify = true\n',
    );
    expect(renderHostsToml('registry.example', '10.77.128.5:80')).toContain('[host."http://10.77.128.5:80"]');
  });

  it('gives pods the pod range from a bridge, IPAM state under the node directory', () => {
    const cni = JSON.parse(renderCniConfig(plan, paths.cniIpamDir));
    expect(cni.plugins[0].ipam).toMatchObject({
      dataDir: '/tmp/hub-node-x/cni/ipam',
      ranges: [[{ subnet: '10.77.0.0/24', gateway: '10.77.0.1' }]],
    });
    expect(cni.plugins[0].ipMasq).toBe(false);
  });

  it('configures the kubelet for cgroup v1, cluster DNS and webhook authorization', () => {
    const config = parse(
      renderKubeletConfig({
        plan,
        paths,
        clientCaFile: '/ca.crt',
        tlsCertFile: '/k.crt',
        tlsKeyFile: '/k.key',
        cgroupRoot: '/hubnode-abcd1234',
      }),
    );
    expect(config).toMatchObject({
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      cgroupRoot: '/hubnode-abcd1234',
      clusterDNS: ['10.77.128.10'],
      authorization: { mode: 'Webhook' },
      authentication: { anonymous: { enabled: false }, x509: { clientCAFile: '/ca.crt' } },
      containerRuntimeEndpoint: 'unix:///tmp/hub-node-x/containerd/containerd.sock',
    });
  });

  it('runs CoreDNS without a forwarder at the cluster DNS address', () => {
    expect(renderCorefile()).not.toMatch(/forward/);
    const objects = coreDnsObjects({ image: 'r/coredns:1', dnsServiceIp: plan.dnsServiceIp });
    const service = objects.find((o) => o.kind === 'Service') as { spec: { clusterIP: string } };
    expect(service.spec.clusterIP).toBe('10.77.128.10');
  });
});
