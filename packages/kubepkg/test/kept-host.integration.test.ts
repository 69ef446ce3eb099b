// One naming rule for kept registry hosts (keptHostRepository): hub-save --keep-registry-host and
// kubepkg export --keep-host store the same name, the stock registry serves it (checked with skopeo), and
// kubepkg serve maps containerd's mirror `?ns=<host>` onto it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keptHostRepository, saveImages } from '@hub/image-save';
import { createRegistryServer, exportKubePkg, importKubePkg } from '@hub/kubepkg';
import { KUBEPKG_API_VERSION } from '@hub/kubepkg/spec';
import { startRegistry } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { skopeoDigest } from './skopeo-digest.ts';

const env = inject('hubTestEnv');
const image = env.fixtures.images['oci-single'];
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kubepkg-kept-host-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kept registry hosts', () => {
  const name = keptHostRepository(env.registry, image.repository);

  it('hub-save --keep-registry-host and kubepkg export --keep-host store one name the stock registry serves', async () => {
    expect(name).toBe(`${env.registry.replace(':', '_')}/${image.repository}`);
    const savedDir = join(work, 'saved');
    const saved = await saveImages({
      images: [image.reference],
      dir: savedDir,
      keepRegistryHost: true,
      plainHttp: [env.registry],
      auth: false,
    });
    expect(saved.images[0]?.repository).toBe(name);

    const archive = join(work, 'kept.kubepkg.tgz');
    const exported = await exportKubePkg({
      input: {
        apiVersion: KUBEPKG_API_VERSION,
        kind: 'KubePkg',
        metadata: { name: 'kept' },
        spec: { version: '1.0.0', images: { [image.reference]: '' }, manifests: {} },
      },
      output: archive,
      keepHost: true,
      client: { plainHttp: [env.registry], auth: false },
    });
    expect(
      new Set(
        exported.document.kind === 'KubePkg' ? exported.document.status?.digests?.map((d) => d.name) : [],
      ),
    ).toEqual(new Set([name]));
    const importedDir = join(work, 'imported');
    await importKubePkg(archive, { dir: importedDir });

    for (const dir of [savedDir, importedDir]) {
      const registry = await startRegistry({ storageDir: dir, readOnly: true });
      try {
        expect(await skopeoDigest(`${registry.host}/${name}:${image.tag}`)).toBe(image.digest);
      } finally {
        await registry.stop();
      }
    }
  });

  it('kubepkg serve answers the containerd mirror form ?ns=<host> from the kept-host name', async () => {
    const dir = join(work, 'serve');
    await saveImages({
      images: [image.reference],
      dir,
      keepRegistryHost: true,
      plainHttp: [env.registry],
      auth: false,
    });
    const server = createRegistryServer({ dir });
    const host = await server.listen('127.0.0.1:0');
    try {
      const mirror = await fetch(
        `http://${host}/v2/${image.repository}/manifests/${image.tag}?ns=${env.registry}`,
        { method: 'HEAD', headers: { accept: image.mediaType } },
      );
      expect(mirror.status).toBe(200);
      expect(mirror.headers.get('docker-content-digest')).toBe(image.digest);
      expect(await skopeoDigest(`${host}/${name}:${image.tag}`)).toBe(image.digest);
    } finally {
      await server.close();
    }
  });
});
