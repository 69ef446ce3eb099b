// The agent feeds the KubePkg controller: `POST /api/kubepkg/import?apply=true` on kubepkg serve and
// `kubepkg import --apply` import, then create or update the KubePkg object (the agent's namespace unless
// ?namespace= / -n); a corrupt archive changes nothing in the cluster.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistryServer, exportKubePkg } from '@hub/kubepkg';
import { KUBEPKG_API_VERSION, kubePkgCustomResourceDefinition } from '@hub/kubepkg/spec';
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.ts';

const env = inject('hubTestEnv');
const image = env.fixtures.images['oci-single'];
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(env.kubeconfigPath);
const api = KubernetesObjectApi.makeApiClient(kubeConfig);
let work: string;
type Answer = { kubepkgs: Array<Record<string, unknown>> };

const KUBEPKG = { apiVersion: KUBEPKG_API_VERSION, kind: 'KubePkg' } as const;
const spec = (version: string) => ({
  version,
  images: { [image.reference]: '' },
  manifests: {
    'settings.configmap': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } },
  },
});

async function archive(name: string, version: string): Promise<string> {
  const output = join(work, `${name}-${version}.kubepkg.tgz`);
  await exportKubePkg({
    input: { ...KUBEPKG, metadata: { name }, spec: spec(version) },
    output,
    client: { plainHttp: [env.registry], auth: false },
  });
  return output;
}

async function kubepkgObject(name: string, namespace: string) {
  try {
    return (await api.read({ ...KUBEPKG, metadata: { name, namespace } })) as {
      spec: { version: string; images: Record<string, string> };
    };
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

async function namespace(name: string) {
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch(() => {});
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kubepkg-handoff-'));
  const crd = kubePkgCustomResourceDefinition();
  await api.patch(crd, undefined, undefined, 'kubepkg-test', true, 'application/apply-patch+yaml' as never);
  for (let i = 0; i < 100; i++) {
    const live = (await api.read(crd)) as {
      status?: { conditions?: Array<{ type: string; status: string }> };
    };
    if (live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await namespace('handoff-agent');
  await namespace('handoff-apps');
  await namespace('handoff-cli');
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the import hand-off', () => {
  it('serve ?apply=true creates, then updates, the KubePkg object; a corrupt archive changes nothing', async () => {
    const server = createRegistryServer({
      dir: join(work, 'agent'),
      importToken: 'secret',
      kubeConfig,
      namespace: 'handoff-agent',
    });
    const host = await server.listen('127.0.0.1:0');
    const post = async (file: string, query = '') =>
      fetch(`http://${host}/api/kubepkg/import?apply=true${query}`, {
        method: 'POST',
        headers: { authorization: 'Bearer secret' },
        body: await readFile(file),
      });
    try {
      const v1 = await post(await archive('shop', '1.0.0'));
      expect(v1.status).toBe(200);
      expect(((await v1.json()) as Answer).kubepkgs).toEqual([
        { name: 'shop', namespace: 'handoff-agent', version: '1.0.0', action: 'created' },
      ]);
      const created = await kubepkgObject('shop', 'handoff-agent');
      expect(created?.spec.version).toBe('1.0.0');
      // export pinned the image: the object carries the digest the controller rewrites to.
      expect(created?.spec.images[image.reference]).toBe(image.digest);

      const v2 = await post(await archive('shop', '2.0.0'));
      expect(((await v2.json()) as Answer).kubepkgs[0]?.action).toBe('updated');
      expect((await kubepkgObject('shop', 'handoff-agent'))?.spec.version).toBe('2.0.0');

      const other = await post(await archive('shop', '1.0.0'), '&namespace=handoff-apps');
      expect(((await other.json()) as Answer).kubepkgs[0]).toMatchObject({
        namespace: 'handoff-apps',
        action: 'created',
      });

      const corrupt = join(work, 'corrupt.kubepkg.tgz');
      const bytes = await readFile(await archive('corrupt', '1.0.0'));
      await writeFile(corrupt, bytes.subarray(0, bytes.length - 200));
      expect((await post(corrupt)).status).toBe(400);
      expect(await kubepkgObject('corrupt', 'handoff-agent')).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('needs only get, create, update and patch on kubepkgs', async () => {
    const ns = 'handoff-rbac';
    await namespace(ns);
    const rbac = 'rbac.authorization.k8s.io/v1';
    const meta = { name: 'kubepkg-agent', namespace: ns };
    await api.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta }).catch(() => {});
    await api.create({
      apiVersion: rbac,
      kind: 'Role',
      metadata: meta,
      rules: [
        {
          apiGroups: ['octohelm.tech'],
          resources: ['kubepkgs'],
          verbs: ['get', 'create', 'update', 'patch'],
        },
      ],
    } as never);
    await api.create({
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: meta.name },
      subjects: [{ kind: 'ServiceAccount', name: meta.name, namespace: ns }],
    } as never);
    const token = await kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: meta.name,
      namespace: ns,
      body: { spec: { audiences: [] } },
    });
    const agentConfig = new KubeConfig();
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('no cluster in the test kubeconfig');
    agentConfig.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'agent', token: token.status?.token ?? '' }],
      contexts: [{ name: 'agent', cluster: cluster.name, user: 'agent', namespace: ns }],
      currentContext: 'agent',
    });
    const server = createRegistryServer({
      dir: join(work, 'rbac-agent'),
      importToken: 'secret',
      kubeConfig: agentConfig,
    });
    const host = await server.listen('127.0.0.1:0');
    try {
      for (const [version, action] of [
        ['1.0.0', 'created'],
        ['1.1.0', 'updated'],
      ] as const) {
        const res = await fetch(`http://${host}/api/kubepkg/import?apply=true`, {
          method: 'POST',
          headers: { authorization: 'Bearer secret' },
          body: await readFile(await archive('limited', version)),
        });
        const body = (await res.json()) as { kubepkgs: unknown[] };
        // The context's namespace is the agent's (in a cluster: its ServiceAccount's).
        expect(body.kubepkgs, JSON.stringify(body)).toEqual([
          { name: 'limited', namespace: ns, version, action },
        ]);
      }
    } finally {
      await server.close();
    }
  });

  it('kubepkg serve --apply finds the cluster by the kubeconfig rule ($KUBECONFIG here, in a Pod its account)', async () => {
    const stop = new AbortController();
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t) },
      env: { KUBECONFIG: env.kubeconfigPath, KUBEPKG_IMPORT_TOKEN: 'secret' },
      isTTY: false,
      signal: stop.signal,
    };
    const dir = join(work, 'serve-cli');
    const serving = runCli(
      ['serve', '--dir', dir, '--addr', '127.0.0.1:0', '--apply', '--namespace', 'handoff-cli'],
      io,
    );
    try {
      let host: string | undefined;
      for (let i = 0; i < 100 && !host; i++) {
        host = /on http:\/\/(\S+) /.exec(stderr)?.[1];
        if (!host) await new Promise((r) => setTimeout(r, 50));
      }
      const res = await fetch(`http://${host}/api/kubepkg/import?apply=true`, {
        method: 'POST',
        headers: { authorization: 'Bearer secret' },
        body: await readFile(await archive('served', '1.0.0')),
      });
      expect(res.status, stderr).toBe(200);
      expect((await kubepkgObject('served', 'handoff-cli'))?.spec.version).toBe('1.0.0');
    } finally {
      stop.abort();
      expect(await serving).toBe(0);
    }
  });

  it('kubepkg import --apply does the same from the CLI', async () => {
    const out = { stdout: '', stderr: '' };
    const io = {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env: {},
      isTTY: false,
    };
    const file = await archive('cli', '1.0.0');
    const args = [
      'import',
      file,
      '--dir',
      join(work, 'cli-dir'),
      '--apply',
      '--kubeconfig',
      env.kubeconfigPath,
    ];
    expect(await runCli([...args, '-n', 'handoff-cli'], io), out.stderr).toBe(0);
    expect(out.stderr).toContain('created KubePkg handoff-cli/cli (1.0.0)');
    expect((await kubepkgObject('cli', 'handoff-cli'))?.spec.version).toBe('1.0.0');
  });
});
