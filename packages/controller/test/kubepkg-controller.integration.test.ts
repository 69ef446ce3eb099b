// hub-controller --kubepkg --catalogue false on a control plane of its own (it registers a cluster-wide
// webhook): KubePkg objects applied, upgraded with prune, a downgrade refused with the condition, bad objects
// refused by the webhook with the field path, and a deletion removing what was applied but the Namespace.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@hub/controller';
import { isKubeApiError, type KubeTransport } from '@hub/datapack';
import { createRegistryServer, exportKubePkg } from '@hub/kubepkg';
import { freePort } from '@hub/test-env';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from './harness.ts';

let cluster: TestCluster;
let admin: KubeTransport;
const abort = new AbortController();
const stderr: string[] = [];
let exit: Promise<number>;

const KUBEPKGS = '/apis/octohelm.tech/v1alpha1/namespaces/shop/kubepkgs';
type Status = {
  appliedVersion?: string;
  observedGeneration?: number;
  resources?: Array<{ key: string; ready: boolean }>;
  conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
};
type Live = { metadata: { generation: number }; status?: Status };

const configMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { name },
});
const manifests = (configMaps: string[]) => ({
  'shop-data.namespace': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-data' } },
  'web.deployment': {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1' }] },
      },
    },
  },
  ...Object.fromEntries(configMaps.map((name) => [`${name}.configmap`, configMap(name)])),
});
const kubepkg = (version: string, spec: Record<string, unknown>) => ({
  apiVersion: 'octohelm.tech/v1alpha1' as const,
  kind: 'KubePkg' as const,
  metadata: { name: 'shop' },
  spec: { version, ...spec },
});

async function get<T>(path: string): Promise<T | undefined> {
  try {
    return await admin.request<T>(path, { verb: 'get' });
  } catch (error) {
    if (isKubeApiError(error) && error.status === 404) return undefined;
    throw error;
  }
}
/** What `kubectl get kubepkg` prints: the apiserver's Table of the CRD's printer columns. */
async function table(path: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const url = new URL(`${cluster.controlPlane.kubeConfig.getCurrentCluster()?.server}${path}`);
  const options: RequestOptions = {
    method: 'GET',
    headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
  };
  await cluster.controlPlane.kubeConfig.applyToHTTPSOptions(options);
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
  const parsed = JSON.parse(body) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
  return { columns: parsed.columnDefinitions.map((c) => c.name), rows: parsed.rows.map((r) => r.cells) };
}

const condition = (status: Status | undefined, type: string) =>
  status?.conditions?.find((c) => c.type === type);
const patchSpec = (spec: Record<string, unknown>) =>
  admin.request(`${KUBEPKGS}/shop`, {
    verb: 'patch',
    method: 'PATCH',
    contentType: 'application/merge-patch+json',
    body: { spec },
  });

beforeAll(async () => {
  cluster = await startTestCluster();
  admin = cluster.admin;
  for (const name of ['shop', 'agent-apps'])
    await admin.request('/api/v1/namespaces', {
      verb: 'create',
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    });
  const port = await freePort();
  exit = runCli(
    [
      ...['--kubeconfig', cluster.controlPlane.kubeconfigPath, '--kubepkg', '--catalogue', 'false'],
      // Installs the KubePkg CRD as well.
      '--install-crds',
      ...['--webhook-port', String(port), '--webhook-url', `https://127.0.0.1:${port}`],
      ...['--metrics-bind-address', '0', '--health-probe-bind-address', '0'],
    ],
    {
      stdout: { write: () => true },
      stderr: { write: (text: string) => stderr.push(text) },
      env: {},
      signal: abort.signal,
      isTTY: false,
    },
  );
  await eventually('the KubePkg controller to start', () =>
    stderr.join('').includes('"controllers":["kubepkg"]') ? true : undefined,
  );
}, 120_000);

afterAll(async () => {
  abort.abort();
  if (exit) expect(await exit).toBe(0);
  await cluster?.stop();
});

describe('hub-controller --kubepkg', () => {
  it('applies, upgrades with an exact prune, and refuses a downgrade with a condition naming both versions', async () => {
    await admin.request(KUBEPKGS, {
      verb: 'create',
      method: 'POST',
      body: kubepkg('1.0.0', { manifests: manifests(['old', 'kept']) }),
    });
    const v1 = await eventually('v1 applied', async () => {
      const live = await get<Live>(`${KUBEPKGS}/shop`);
      return live?.status?.appliedVersion === '1.0.0' ? live.status : undefined;
    });
    expect(v1.observedGeneration).toBe(1);
    expect(condition(v1, 'Applied')?.status).toBe('True');
    // No node runs the Deployment's pods: applied, not ready, and status says which one.
    expect(condition(v1, 'Ready')).toMatchObject({ status: 'False', reason: 'NotReady' });
    expect(v1.resources?.find((r) => r.key === 'web.deployment')?.ready).toBe(false);
    expect(v1.resources?.find((r) => r.key === 'old.configmap')?.ready).toBe(true);
    expect(await get('/api/v1/namespaces/shop/configmaps/old')).toBeDefined();
    // kubectl get kubepkg: NAME, VERSION, READY, AGE (the applied version only in -o wide, priority 1).
    const printed = await table(KUBEPKGS);
    expect(printed.columns).toEqual(['Name', 'Version', 'Ready', 'Age', 'Applied']);
    expect(printed.rows[0]?.slice(0, 3)).toEqual(['shop', '1.0.0', 'False']);

    await patchSpec({
      version: '2.0.0',
      manifests: { ...manifests(['kept', 'new']), 'old.configmap': null },
    });
    await eventually('v2 applied and old pruned', async () => {
      const live = await get<Live>(`${KUBEPKGS}/shop`);
      if (live?.status?.appliedVersion !== '2.0.0') return undefined;
      return (await get('/api/v1/namespaces/shop/configmaps/old')) === undefined ? true : undefined;
    });
    expect(await get('/api/v1/namespaces/shop/configmaps/new')).toBeDefined();
    expect(await get('/api/v1/namespaces/shop/configmaps/kept')).toBeDefined();

    await patchSpec({ version: '1.0.0' });
    const refused = await eventually('the downgrade refused', async () => {
      const live = await get<Live>(`${KUBEPKGS}/shop`);
      const applied = condition(live?.status, 'Applied');
      return applied?.reason === 'DowngradeRefused' ? live?.status : undefined;
    });
    expect(condition(refused, 'Applied')?.message).toContain('1.0.0');
    expect(condition(refused, 'Applied')?.message).toContain('2.0.0');
    expect(refused.appliedVersion).toBe('2.0.0');
  });

  it('refuses at admission a KubePkg the schema refuses, or with a key naming another object, by field path', async () => {
    const refusal = async (body: unknown) => {
      const error = await admin
        .request(KUBEPKGS, { verb: 'create', method: 'POST', body })
        .catch((e: unknown) => e);
      expect(isKubeApiError(error), JSON.stringify(error)).toBe(true);
      return String((error as { detail?: string }).detail);
    };
    expect(
      await refusal({
        ...kubepkg('1.0.0', { manifests: { 'x.shop.configmap': configMap('y') } }),
        metadata: { name: 'badkey' },
      }),
    ).toContain('spec.manifests["x.shop.configmap"]');
    expect(
      await refusal({ ...kubepkg('1.0.0', { containers: { web: {} } }), metadata: { name: 'later' } }),
    ).toContain('spec.containers');
  });

  it("applies what the agent's import hands over (serve ?apply=true)", async () => {
    const env = inject('hubTestEnv');
    const image = env.fixtures.images['oci-single'];
    const work = await mkdtemp(join(tmpdir(), 'kubepkg-agent-'));
    const archive = join(work, 'agent.kubepkg.tgz');
    await exportKubePkg({
      input: {
        ...kubepkg('1.0.0', {}),
        spec: {
          version: '1.0.0',
          images: { [image.reference]: '' },
          manifests: { 'agent-settings.configmap': configMap('agent-settings') },
        },
      },
      output: archive,
      client: { plainHttp: [env.registry], auth: false },
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.controlPlane.kubeconfigPath);
    const agent = createRegistryServer({ dir: join(work, 'registry'), importToken: 't', kubeConfig });
    const host = await agent.listen('127.0.0.1:0');
    try {
      const answer = await fetch(`http://${host}/api/kubepkg/import?apply=true&namespace=agent-apps`, {
        method: 'POST',
        headers: { authorization: 'Bearer t' },
        body: await readFile(archive),
      });
      expect(answer.status, await answer.clone().text()).toBe(200);
      await eventually('the handed-over package applied', async () => {
        const live = await get<Live>('/apis/octohelm.tech/v1alpha1/namespaces/agent-apps/kubepkgs/shop');
        return live?.status?.appliedVersion === '1.0.0' ? true : undefined;
      });
      expect(await get('/api/v1/namespaces/agent-apps/configmaps/agent-settings')).toBeDefined();
    } finally {
      await agent.close();
      await rm(work, { recursive: true, force: true });
    }
  });

  it('deletes what it applied on deletion, keeping the Namespace', async () => {
    await admin.request(`${KUBEPKGS}/shop`, { verb: 'delete', method: 'DELETE' });
    await eventually('the KubePkg gone', async () =>
      (await get(`${KUBEPKGS}/shop`)) === undefined ? true : undefined,
    );
    expect(await get('/api/v1/namespaces/shop/configmaps/kept')).toBeUndefined();
    expect(await get('/apis/apps/v1/namespaces/shop/deployments/web')).toBeUndefined();
    expect(await get('/api/v1/namespaces/shop/configmaps/kubepkg-inventory.shop')).toBeUndefined();
    expect(await get('/api/v1/namespaces/shop-data')).toBeDefined();
  });
});
