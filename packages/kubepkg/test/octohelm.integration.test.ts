// Archives written by octohelm kubepkg v0.1.x (in its exact format, see octohelm-v01-archive.ts) import into a
// directory and a live registry, `kubepkg serve` answers a containerd node's mirror request for them, and
// `kubepkg apply --registry-rewrite` writes references that serve then serves.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryStorage } from '@hub/image-save/storage';
import { applyKubePkg, createRegistryServer, exportKubePkg, importKubePkg } from '@hub/kubepkg';
import type { KubePkg } from '@hub/kubepkg/spec';
import { KUBEPKG_API_VERSION } from '@hub/kubepkg/spec';
import { startRegistry } from '@hub/test-env';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeOctohelmV01Archive } from './octohelm-v01-archive.ts';
import { skopeoDigest } from './skopeo-digest.ts';

const env = inject('hubTestEnv');
const multi = env.fixtures.images['oci-multiarch'];
const single = env.fixtures.images['oci-single'];
const NAME = 'docker.io/team/group/single';
const OTHER = 'docker.io/team/group/other';
let work: string;
let archive: string;
let pinned: Record<string, string>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kubepkg-octohelm-'));
  archive = join(work, 'kubepkg.tgz');
  ({ pinned } = await writeOctohelmV01Archive(
    archive,
    {
      name: 'demo',
      version: 'v0.0.2',
      // Nested, as octohelm's testdata/demo.yaml writes them.
      manifests: {
        deployments: {
          web: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'web' },
            spec: {
              selector: { matchLabels: { app: 'web' } },
              template: {
                metadata: { labels: { app: 'web' } },
                spec: { containers: [{ name: 'web', image: `${NAME}:v2` }] },
              },
            },
          },
        },
      },
    },
    [
      {
        source: { registry: env.registry, repository: multi.repository, reference: multi.tag },
        name: NAME,
        tag: 'v2',
      },
      // Shares the corpus' common layer with the first: the original writes that blob's entry twice.
      {
        source: { registry: env.registry, repository: single.repository, reference: single.tag },
        name: OTHER,
        tag: 'v1',
      },
    ],
    [env.registry],
  ));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('archives written by octohelm kubepkg v0.1.x', () => {
  it('import into a directory (duplicate entries, host-kept names, tagged children) and serve the mirror form', async () => {
    const dir = join(work, 'dir');
    const result = await importKubePkg(archive, { dir });
    expect(result.tags.sort()).toEqual([`${OTHER}:v1`, `${NAME}:v2`]);
    // The child manifests carry the tag too; the index, written last, is what it names.
    expect(await new RegistryStorage(dir).resolveTag(NAME, 'v2')).toBe(pinned[`${NAME}:v2`]);

    const server = createRegistryServer({ dir });
    const host = await server.listen('127.0.0.1:0');
    try {
      // A containerd node pulling docker.io/team/group/single:v2 through this mirror.
      const res = await fetch(`http://${host}/v2/team/group/single/manifests/v2?ns=docker.io`, {
        headers: { accept: 'application/vnd.oci.image.index.v1+json' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(pinned[`${NAME}:v2`]);
    } finally {
      await server.close();
    }
  });

  it('imports into a live registry, which then serves the pinned digests', async () => {
    const registry = await startRegistry();
    try {
      await importKubePkg(archive, {
        registry: registry.host,
        client: { plainHttp: [registry.host], auth: false },
      });
      expect(await skopeoDigest(`${registry.host}/${NAME}:v2`)).toBe(pinned[`${NAME}:v2`]);
      expect(await skopeoDigest(`${registry.host}/${OTHER}:v1`)).toBe(pinned[`${OTHER}:v1`]);
    } finally {
      await registry.stop();
    }
  });

  it('apply --registry-rewrite writes references that kubepkg serve serves', async () => {
    const dir = join(work, 'agent');
    const imported = await importKubePkg(archive, { dir });
    const pkg = imported.document as KubePkg;
    const server = createRegistryServer({ dir });
    const host = await server.listen('127.0.0.1:0');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(env.kubeconfigPath);
    try {
      await applyKubePkg(pkg, { kubeConfig, namespace: 'octohelm-compat', registryRewrite: host });
      const api = KubernetesObjectApi.makeApiClient(kubeConfig);
      const deployment = (await api.read({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'octohelm-compat' },
      })) as { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
      const image = deployment.spec.template.spec.containers[0]?.image as string;
      expect(image).toBe(`${host}/${NAME}@${pinned[`${NAME}:v2`]}`);
      expect(await skopeoDigest(image)).toBe(pinned[`${NAME}:v2`]);
    } finally {
      await server.close();
    }
  });

  it('honours the octohelm.tech/platforms and octohelm.tech/platform annotations as export defaults', async () => {
    for (const annotation of ['octohelm.tech/platforms', 'octohelm.tech/platform']) {
      const exported = await exportKubePkg({
        input: {
          apiVersion: KUBEPKG_API_VERSION,
          kind: 'KubePkg',
          metadata: { name: 'arm-only', annotations: { [annotation]: 'linux/arm64' } },
          spec: { version: 'v1.0.0', images: { [multi.reference]: '' }, manifests: {} },
        },
        output: join(work, `arm-${annotation.replace(/\W/g, '-')}.tgz`),
        client: { plainHttp: [env.registry], auth: false },
      });
      const platforms = (exported.document as KubePkg).status?.digests
        ?.filter((d) => d.type === 'manifest' && d.platform)
        .map((d) => d.platform);
      expect(platforms, annotation).toEqual(['linux/arm64/v8']);
    }
  });
});
