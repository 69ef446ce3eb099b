// A realistic package for the import benchmark: 16 images sharing base layers, plus one large image.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ArchiveBlob, writeKubePkgArchive } from '@hub/kubepkg';
import { type DigestMeta, KUBEPKG_API_VERSION } from '@hub/kubepkg/spec';
import { imageManifestBytes } from '@hub/test-env/fixtures';

const MiB = 1024 * 1024;
const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Writes `bytes` random bytes to `path`; returns their digest and size. */
export async function randomFile(path: string, bytes: number): Promise<{ digest: string; size: number }> {
  const out = createWriteStream(path);
  const hash = createHash('sha256');
  for (let left = bytes; left > 0; left -= MiB) {
    const chunk = randomBytes(Math.min(MiB, left));
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { digest: `sha256:${hash.digest('hex')}`, size: bytes };
}

/**
 * Writes `<work>/corpus.kubepkg.tgz` (default gzip level, as `kubepkg export` writes it): 16 images on 3 shared
 * base layers (30 + 12 + 4 MiB) with 2 own layers each (1-3 MiB, 64-512 KiB), and one image with a
 * `largeMiB` layer on top of the first base layer. Returns the archive path and its size.
 */
export async function writeCorpus(work: string, largeMiB = 560): Promise<{ path: string; bytes: number }> {
  const layerFiles = new Map<string, { path: string; size: number }>();
  const addLayer = async (name: string, bytes: number) => {
    const path = join(work, `layer-${name}`);
    const { digest, size } = await randomFile(path, bytes);
    layerFiles.set(digest, { path, size });
    return { digest, size, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' };
  };
  const bases = [
    await addLayer('base0', 30 * MiB),
    await addLayer('base1', 12 * MiB),
    await addLayer('base2', 4 * MiB),
  ];
  const memory = new Map<string, Buffer>();
  const digests: DigestMeta[] = [];
  const image = (name: string, layers: Array<{ digest: string; size: number; mediaType: string }>) => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', name }));
    const manifest = imageManifestBytes(config, layers);
    memory.set(sha(config), config);
    memory.set(sha(manifest), manifest);
    digests.push({ type: 'blob', digest: sha(config), name, size: config.length });
    for (const l of layers) digests.push({ type: 'blob', digest: l.digest, name, size: l.size });
    digests.push({
      type: 'manifest',
      digest: sha(manifest),
      name,
      size: manifest.length,
      tag: '1.0',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
  };
  for (let i = 0; i < 16; i++) {
    const own = [
      await addLayer(`app${i}-a`, (1 + (i % 3)) * MiB),
      await addLayer(`app${i}-b`, (64 << (i % 4)) * 1024),
    ];
    image(`corpus/app${i}`, [...bases.slice(0, 1 + (i % 3)), ...own]);
  }
  if (largeMiB > 0)
    image('corpus/large', [bases[0] as (typeof bases)[0], await addLayer('large', largeMiB * MiB)]);

  const blobs: ArchiveBlob[] = [
    ...[...memory].map(([digest, bytes]) => ({ digest, size: bytes.length, open: async () => [bytes] })),
    ...[...layerFiles].map(([digest, f]) => ({
      digest,
      size: f.size,
      open: async () => createReadStream(f.path, { highWaterMark: MiB }),
    })),
  ];
  const path = join(work, 'corpus.kubepkg.tgz');
  await writeKubePkgArchive({
    document: {
      apiVersion: KUBEPKG_API_VERSION,
      kind: 'KubePkg',
      metadata: { name: 'corpus' },
      spec: { version: '1.0.0', images: {}, manifests: {} },
      status: { digests },
    },
    blobs,
    output: path,
  });
  for (const f of layerFiles.values()) await rm(f.path);
  const { size } = await import('node:fs/promises').then((fs) => fs.stat(path));
  return { path, bytes: size };
}
