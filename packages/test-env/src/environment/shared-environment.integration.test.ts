import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { kubeConfigFromString, startRegistry, TestEnvError } from '@hub/test-env';
import { jsonBlob, pushBlob } from '@hub/test-env/fixtures';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';

const env = inject('hubTestEnv');
const kc = kubeConfigFromString(readFileSync(env.kubeconfigPath, 'utf8'));

function skopeo(args: string[]): Buffer {
  return execFileSync('skopeo', args, { maxBuffer: 64 * 1024 * 1024 });
}

describe('the shared control plane of the run', () => {
  it('lists namespaces through the provided kubeconfig', async () => {
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('kube-system');
  });

  it('has the hub CRDs: a DataPack with type foo is rejected, a valid one accepted', async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const target = { group: 'imagehub.sealos.io', version: 'v1', plural: 'datapacks' };
    const error = await api
      .createClusterCustomObject({
        ...target,
        body: {
          apiVersion: 'imagehub.sealos.io/v1',
          kind: 'DataPack',
          metadata: { name: 'bad-type' },
          spec: { type: 'foo', names: ['library/nginx:1.27'] },
        },
      })
      .catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(422);
    expect(String((error as { body?: string }).body)).toContain('spec.type');
    const name = `ok-${Date.now()}`;
    await api.createClusterCustomObject({
      ...target,
      body: {
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'DataPack',
        metadata: { name },
        spec: { type: 'grid', names: ['library/nginx:1.27'] },
      },
    });
    await api.deleteClusterCustomObject({ ...target, name });
  });
});

describe('the shared registry and fixture corpus', () => {
  it('round-trips every fixture: skopeo sees the digest the fixtures computed', () => {
    for (const image of Object.values(env.fixtures.images)) {
      const raw = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${image.reference}`]);
      expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`, image.key).toBe(image.digest);
      expect(JSON.parse(raw.toString()).mediaType, image.key).toBe(image.mediaType);
    }
  });

  it('serves the documented image with its labels and a per-arch child of the OCI index', () => {
    const documented = JSON.parse(
      skopeo([
        'inspect',
        '--tls-verify=false',
        `docker://${env.fixtures.images.documented.reference}`,
      ]).toString(),
    );
    expect(documented.Labels['org.opencontainers.image.title']).toBe('documented');
    expect(documented.Layers).toContain(env.fixtures.sharedLayer);
    const arm = JSON.parse(
      skopeo([
        'inspect',
        '--tls-verify=false',
        '--override-arch=arm',
        '--override-variant=v7',
        `docker://${env.fixtures.images['oci-multiarch'].reference}`,
      ]).toString(),
    );
    expect(arm.Architecture).toBe('arm');
    expect(env.fixtures.images['oci-multiarch'].platforms).toEqual([
      'linux/amd64',
      'linux/arm64/v8',
      'linux/arm/v7',
    ]);
    expect(env.fixtures.images.attested.platforms.filter((p) => p === 'unknown/unknown')).toHaveLength(2);
  });

  it('serves an existing storage directory read-only', async () => {
    await using ro = await startRegistry({ storageDir: env.registryStorageDir, readOnly: true });
    const image = env.fixtures.images['deep-path'];
    const raw = skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${ro.host}/${image.repository}:${image.tag}`,
    ]);
    expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(image.digest);
    const push = await pushBlob(
      ro.host,
      'readonly/test',
      jsonBlob({ n: Date.now() }, 'application/json'),
    ).catch((e: unknown) => e);
    expect(push).toBeInstanceOf(TestEnvError);
    expect((push as TestEnvError).code).toBe('PUSH_FAILED');
  });
});
