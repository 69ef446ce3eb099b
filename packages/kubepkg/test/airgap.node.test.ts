// The air gap end to end on a real node: an app (Deployment + Service of a small runnable image) exported online,
// imported into the pull-only agent (`kubepkg serve`) running in the cluster as a Deployment, the source registry
// stopped, `kubepkg apply`; the node's containerd pulls the app only through the agent (hosts.toml mirror).
// Then a second version: only the missing blobs travel, and the rollout completes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type HubTestEnv, type Registry, startHubTestEnv, startRegistry } from '@hub/test-env';
import { buildImage, bytesBlob, pushImage, sha256, tarBytes, tarGzipLayer } from '@hub/test-env/fixtures';
import type { TestNode } from '@hub/test-env/node';
import { AppsV1Api, CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushAgentImage, pushControllerImage } from './agent-image.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');
const TOKEN = 'airgap-test-import-token';
const work = mkdtempSync(join(tmpdir(), 'hub-airgap-'));

let env: HubTestEnv;
let node: TestNode;
let source: Registry;
let sourceDir: string;
let core: CoreV1Api;
let apps: AppsV1Api;
let agent: string; // ClusterIP:5000

const kubepkg = (...args: string[]) =>
  run(process.execPath, ['--conditions=@hub/source', CLI, ...args], {
    maxBuffer: 64 << 20,
    timeout: 300_000,
  });

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

/** `demo/app:<version>`: the app binary (one layer, shared by every version) plus a layer naming the version. */
async function pushAppImage(version: string): Promise<{ binary: string; version: string }> {
  const binary = await tarBytes([
    { path: 'app', content: readFileSync(node.binaries.nodeImages), mode: 0o755 },
  ]);
  const binaryLayer = {
    ...bytesBlob(binary, 'application/vnd.oci.image.layer.v1.tar'),
    diffId: sha256(binary),
  };
  const versionLayer = await tarGzipLayer(
    [{ path: 'VERSION', content: `${version}\n` }],
    'application/vnd.oci.image.layer.v1.tar+gzip',
  );
  const layers = [binaryLayer, versionLayer];
  const image = buildImage({
    layers,
    config: {
      created: '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Entrypoint: ['/app'], Env: ['PATH=/usr/bin:/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    },
  });
  await pushImage(source.host, 'demo/app', version, image);
  return { binary: binaryLayer.digest, version: versionLayer.digest };
}

/** The archive's member names (the archive is a gzip tar). */
async function members(archive: string): Promise<string> {
  return (await run('tar', ['-tzf', archive], { maxBuffer: 16 << 20 })).stdout;
}

function appManifests(version: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: demo, namespace: default }
spec:
  replicas: 1
  selector: { matchLabels: { app: demo } }
  template:
    metadata: { labels: { app: demo } }
    spec:
      containers:
        - name: demo
          image: ${source.host}/demo/app:${version}
          args: [serve, ':8080', 'demo ${version}']
          readinessProbe: { httpGet: { path: /, port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: demo, namespace: default }
spec:
  selector: { app: demo }
  ports: [{ port: 80, targetPort: 8080 }]
`;
}

async function exportApp(version: string, since?: string): Promise<string> {
  const manifests = join(work, `demo-${version}.yaml`);
  writeFileSync(manifests, appManifests(version));
  const out = join(work, `demo-${version}.kubepkg.tgz`);
  await kubepkg(
    'export',
    manifests,
    '--name',
    'demo',
    '--version',
    version === 'v1' ? '1.0.0' : '1.1.0',
    '--platform',
    'linux/amd64',
    '--plain-http',
    source.host,
    ...(since ? ['--since', since] : []),
    '-o',
    out,
  );
  return out;
}

async function importIntoAgent(archive: string): Promise<void> {
  const res = await fetch(`http://${agent}/api/kubepkg/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: readFileSync(archive),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

async function serviceAnswers(expected: string, name: string): Promise<string> {
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name },
      spec: {
        restartPolicy: 'OnFailure',
        containers: [
          { name: 'get', image: node.images.app, args: ['get', 'http://demo.default.svc.cluster.local/'] },
        ],
      },
    },
  });
  await until(`${name} to succeed`, async () => {
    const pod = await core.readNamespacedPod({ name, namespace: 'default' });
    return pod.status?.phase === 'Succeeded' ? true : undefined;
  });
  const log = await core.readNamespacedPodLog({ name, namespace: 'default' });
  expect(log).toContain(`200 ${expected}`);
  return log;
}

async function rolledOut(version: string): Promise<void> {
  await until(`demo ${version} rolled out`, async () => {
    const d = await apps.readNamespacedDeployment({ name: 'demo', namespace: 'default' });
    const s = d.status;
    return d.spec?.template.spec?.containers[0]?.image?.includes(`demo/app`) &&
      s?.updatedReplicas === 1 &&
      s.readyReplicas === 1 &&
      s.replicas === 1 &&
      (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
      ? true
      : undefined;
  }).catch(async (error: Error) => {
    const events = await core.listNamespacedEvent({ namespace: 'default' });
    const lines = events.items
      .filter((e) => e.involvedObject.name?.startsWith('demo'))
      .map((e) => `${e.involvedObject.name} ${e.reason}: ${e.message}`)
      .slice(-12);
    const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=demo' });
    for (const pod of pods.items)
      lines.push(
        `${pod.metadata?.name} ${pod.spec?.containers[0]?.image} ${JSON.stringify(pod.status?.containerStatuses?.[0]?.state)}`,
      );
    const agentPods = await core.listNamespacedPod({ namespace: 'kubepkg-system' });
    const agentLog = await core
      .readNamespacedPodLog({ name: agentPods.items[0]?.metadata?.name ?? '', namespace: 'kubepkg-system' })
      .catch(() => '');
    throw new Error(`${error.message}\n${lines.join('\n')}\nagent log:\n${agentLog.slice(-2000)}`);
  });
}

beforeAll(async () => {
  env = await startHubTestEnv({ node: true, crds: false });
  node = env.node as TestNode;
  core = env.controlPlane.kubeConfig.makeApiClient(CoreV1Api);
  apps = env.controlPlane.kubeConfig.makeApiClient(AppsV1Api);
  sourceDir = mkdtempSync(join(tmpdir(), 'hub-airgap-source-'));
  source = await startRegistry({ host: node.plan.hostIp, storageDir: sourceDir });
  await pushAppImage('v1');
  await pushControllerImage(env.registry.host, 't1');
  const agentImage = await pushAgentImage(env.registry.host, 't1', 't1');
  const objects = KubernetesObjectApi.makeApiClient(env.controlPlane.kubeConfig);
  for (const object of agentObjects(agentImage)) await objects.create(object as never);
  await until('the agent to be ready', async () => {
    const d = await apps.readNamespacedDeployment({ name: 'kubepkg-agent', namespace: 'kubepkg-system' });
    return d.status?.readyReplicas === 1 ? true : undefined;
  });
  const svc = await core.readNamespacedService({ name: 'kubepkg-agent', namespace: 'kubepkg-system' });
  agent = `${svc.spec?.clusterIP}:5000`;
  // The node mirrors the app's registry through the agent (containerd asks /v2/…?ns=<source host>).
  await node.setRegistryMirror(source.host, agent);
}, 900_000);

afterAll(async () => {
  await source?.stop();
  await env?.stop();
  for (const dir of [work, sourceDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function agentObjects(image: string): Record<string, unknown>[] {
  const ns = 'kubepkg-system';
  const labels = { app: 'kubepkg-agent' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'import-token', namespace: ns },
      stringData: { token: TOKEN },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'kubepkg-agent', namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'agent',
                image,
                args: [
                  'serve',
                  '--dir',
                  '/var/lib/registry',
                  '--addr',
                  '0.0.0.0:5000',
                  '--import-token-file',
                  '/etc/kubepkg/token',
                ],
                ports: [{ containerPort: 5000 }],
                readinessProbe: { httpGet: { path: '/healthz', port: 5000 }, periodSeconds: 1 },
                volumeMounts: [
                  { name: 'storage', mountPath: '/var/lib/registry' },
                  { name: 'token', mountPath: '/etc/kubepkg', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'storage', emptyDir: {} },
              { name: 'token', secret: { secretName: 'import-token' } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubepkg-agent', namespace: ns },
      spec: { selector: labels, ports: [{ port: 5000, targetPort: 5000 }] },
    },
  ];
}

describe('the air gap on a real node', () => {
  it('runs the app from the agent alone once the source registry is gone', async () => {
    const archive = await exportApp('v1');
    await importIntoAgent(archive);
    await source.stop();
    expect((await fetch(`http://${source.host}/v2/`).catch(() => undefined))?.status).toBeUndefined();
    await kubepkg('apply', archive, '--kubeconfig', env.controlPlane.kubeconfigPath);
    await rolledOut('v1');
    await serviceAnswers('demo v1', 'get-v1');
  });

  it('carries only the missing blobs for the second version, and the rollout completes', async () => {
    // The source registry is back for the online side (on a new port: mirror that name through the agent too).
    source = await startRegistry({ host: node.plan.hostIp, storageDir: sourceDir });
    await node.setRegistryMirror(source.host, agent);
    const layers = await pushAppImage('v2');
    const v1 = join(work, 'demo-v1.kubepkg.tgz');
    const patch = await exportApp('v2', v1);
    const hex = (digest: string) => digest.replace(/^sha256:/, '');
    expect(await members(v1)).toContain(hex(layers.binary));
    expect(await members(patch)).not.toContain(hex(layers.binary));
    expect(await members(patch)).toContain(hex(layers.version));
    await importIntoAgent(patch);
    await source.stop();
    await kubepkg('apply', patch, '--kubeconfig', env.controlPlane.kubeconfigPath);
    await rolledOut('v2');
    await serviceAnswers('demo v2', 'get-v2');
  });
});
