// A Docker Hub official image carried in a kubepkg (as an export of docker.io/library/mysql names it:
// stored as library/mysql) is pulled as mysql:1.0 and library/mysql:1.0 from the stock registry serving
// the imported directory and from kubepkg serve (checked with skopeo).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRegistryServer, importKubePkg, writeKubePkgArchive } from '@hub/kubepkg';
import { KUBEPKG_API_VERSION, type KubePkg } from '@hub/kubepkg/spec';
import { startRegistry } from '@hub/test-env';
import { imageManifestBytes } from '@hub/test-env/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skopeoDigest } from './skopeo-digest.ts';

const run = promisify(execFile);
const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kubepkg-short-names-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function dockerHubArchive(path: string) {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const layer = randomBytes(50_000);
  const manifest = imageManifestBytes(config, [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length },
  ]);
  const name = 'library/mysql';
  const document: KubePkg = {
    apiVersion: KUBEPKG_API_VERSION,
    kind: 'KubePkg',
    metadata: { name: 'db' },
    spec: { version: '1.0.0', images: { 'docker.io/library/mysql:1.0': sha(manifest) }, manifests: {} },
    status: {
      digests: [
        { type: 'blob', digest: sha(config), name, size: config.length },
        { type: 'blob', digest: sha(layer), name, size: layer.length },
        {
          type: 'manifest',
          digest: sha(manifest),
          name,
          size: manifest.length,
          tag: '1.0',
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
        },
      ],
    },
  };
  const { createWriteStream } = await import('node:fs');
  await writeKubePkgArchive({
    document,
    blobs: [config, layer, manifest].map((bytes) => ({
      digest: sha(bytes),
      size: bytes.length,
      open: async () => [bytes] as unknown as AsyncIterable<Uint8Array>,
    })),
    output: createWriteStream(path),
  });
  return { manifest: sha(manifest), layer: sha(layer) };
}

describe('a Docker Hub image imported into a directory', () => {
  it('is pulled by its short name and its library/ name from the stock registry and from kubepkg serve', async () => {
    const archive = join(work, 'db.kubepkg.tgz');
    const image = await dockerHubArchive(archive);
    const dir = join(work, 'registry');
    await importKubePkg(archive, { dir });

    const stock = await startRegistry({ storageDir: dir, readOnly: true });
    const agent = createRegistryServer({ dir });
    const agentHost = await agent.listen('127.0.0.1:0');
    try {
      for (const host of [stock.host, agentHost])
        for (const name of ['mysql', 'library/mysql']) {
          expect(await skopeoDigest(`${host}/${name}:1.0`), `${host}/${name}`).toBe(image.manifest);
          const to = await mkdtemp(join(work, 'pull-'));
          await run('skopeo', [
            'copy',
            '--src-tls-verify=false',
            `docker://${host}/${name}:1.0`,
            `dir:${to}`,
          ]);
          expect(await readdir(to)).toContain(image.layer.slice(7));
        }
    } finally {
      await agent.close();
      await stock.stop();
    }
  });
});
