// The node suite: a real kubelet + containerd node in its own network namespace (HUB_NODE_TESTS=1, as root).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubTestEnv, startHubTestEnv } from '../src/index.ts';
import type { TestNode } from '../src/node/index.ts';
import { type HostTraces, newTraces, readHostTraces } from './host-traces.ts';

const run = promisify(execFile);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what} within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

describe('a real node', () => {
  let before: HostTraces;
  let env: HubTestEnv;
  let node: TestNode;
  let core: CoreV1Api;
  let objects: KubernetesObjectApi;
  const nodeNetns: string[] = [];

  beforeAll(async () => {
    before = await readHostTraces();
    env = await startHubTestEnv({ node: true, crds: false });
    node = env.node as TestNode;
    core = env.controlPlane.kubeConfig.makeApiClient(CoreV1Api);
    objects = KubernetesObjectApi.makeApiClient(env.controlPlane.kubeConfig);
    nodeNetns.push(await readlink(`/proc/${node.pids.namespaces}/ns/net`));
  }, 900_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('is Ready, with kube-system DNS, and the apiserver and registry on the node link', async () => {
    const { items } = await core.listNode();
    expect(items.map((n) => n.metadata?.name)).toEqual([node.name]);
    expect(env.controlPlane.server).toBe(
      `https://${node.plan.hostIp}:${new URL(env.controlPlane.server).port}`,
    );
    expect(env.registry.host.startsWith(`${node.plan.hostIp}:`)).toBe(true);
    const dns = await core.readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' });
    expect(dns.spec?.clusterIP).toBe(node.plan.dnsServiceIp);
  });

  it('runs a Pod from the test registry that answers through its Service by DNS name; its logs are readable', async () => {
    await objects.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'hello' } },
        template: {
          metadata: { labels: { app: 'hello' } },
          spec: {
            containers: [
              {
                name: 'hello',
                image: node.images.app,
                args: ['serve', ':8080', 'hello from the node'],
                ports: [{ containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    } as never);
    await objects.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'hello', namespace: 'default' },
      spec: { selector: { app: 'hello' }, ports: [{ port: 80, targetPort: 8080 }] },
    } as never);
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'client' },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [
            {
              name: 'client',
              image: node.images.app,
              args: ['get', 'http://hello.default.svc.cluster.local/', 'http://hello/'],
            },
          ],
        },
      },
    });
    await until('the client pod succeeded', async () => {
      const pod = await core.readNamespacedPod({ name: 'client', namespace: 'default' });
      return pod.status?.phase === 'Succeeded' ? pod : undefined;
    });
    // GET …/pods/client/log: what `kubectl logs` calls, through the kubelet's serving certificate.
    const log = await core.readNamespacedPodLog({ name: 'client', namespace: 'default' });
    expect(log).toContain('http://hello.default.svc.cluster.local/ 200 hello from the node');
    expect(log).toContain('http://hello/ 200 hello from the node');
    const server = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=hello' });
    const serverLog = await core.readNamespacedPodLog({
      name: server.items[0]?.metadata?.name ?? '',
      namespace: 'default',
    });
    expect(serverLog).toMatch(/GET \//);
    if (existsSync('/usr/bin/kubectl')) {
      const { stdout } = await run('kubectl', [
        '--kubeconfig',
        env.controlPlane.kubeconfigPath,
        'logs',
        'pod/client',
      ]);
      expect(stdout).toContain('200 hello from the node');
    }
  });

  it('keeps the node off every other network: no default route inside, a blackhole for its /16 outside', async () => {
    expect(await node.exec('ip', ['-4', 'route', 'show', 'table', 'all'])).not.toMatch(/^default/m);
    const { stdout } = await run('ip', ['-4', 'route', 'show', 'table', 'all']);
    expect(stdout).toContain(`blackhole ${node.plan.supernet}`);
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'escape' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            { name: 'escape', image: node.images.app, args: ['get', 'http://192.0.2.1/', 'http://1.1.1.1/'] },
          ],
        },
      },
    });
    const pod = await until('the escape pod finished', async () => {
      const p = await core.readNamespacedPod({ name: 'escape', namespace: 'default' });
      return p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded' ? p : undefined;
    });
    expect(pod.status?.phase).toBe('Failed');
    const log = await core.readNamespacedPodLog({ name: 'escape', namespace: 'default' });
    expect(log).toMatch(/http:\/\/192\.0\.2\.1\/ ERROR .*network is unreachable/);
    expect(log).toMatch(/http:\/\/1\.1\.1\.1\/ ERROR .*network is unreachable/);
  });

  it('leaves nothing behind: no process, network namespace, veth, route, iptables rule, mount or cgroup', async () => {
    const markers = [
      node.dir,
      env.controlPlane.dir,
      node.plan.hostVeth,
      `10.${node.plan.octet}.`,
      'hubnode-',
    ];
    const pids = Object.values(node.pids);
    await env.stop();
    const after = await readHostTraces();
    expect(newTraces(before, after, markers, nodeNetns)).toEqual({
      links: [],
      routes: [],
      iptables: [],
      mounts: [],
      netns: [],
      processes: [],
      cgroups: [],
    });
    expect(pids.filter((pid) => after.processes.has(pid))).toEqual([]);
    expect(existsSync(node.dir)).toBe(false);
  });
});
