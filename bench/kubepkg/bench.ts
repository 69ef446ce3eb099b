// kubepkg benchmark: import vs `tar -xzf` of the same archive, export vs hub-save, peak RSS of each.
// Run: node_modules/.bin/node --conditions=@hub/source bench/kubepkg/bench.ts
// Env: BENCH_LAYERS (default 8) x BENCH_LAYER_MIB (default 128) of incompressible layers (1 GiB).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubePkgArchive } from '@hub/kubepkg';
import { type DigestMeta, KUBEPKG_API_VERSION } from '@hub/kubepkg/spec';
import { startRegistry } from '@hub/test-env';
import { imageManifestBytes } from '@hub/test-env/fixtures';
import { randomFile } from './corpus.ts';
import { bundleChild, type Measured, measure, node } from './measure.ts';

const LAYERS = Number(process.env.BENCH_LAYERS ?? 8);
const LAYER_MIB = Number(process.env.BENCH_LAYER_MIB ?? 128);

const work = await mkdtemp(join(tmpdir(), 'kubepkg-bench-'));
const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

// The measured operations run from one esbuild bundle, as an installed CLI would (dist JS, not TS source
// through Node's type stripping, which alone costs ~2 s and ~140 MiB). BENCH_KUBEPKG_SOURCE measures another
// packages/kubepkg directory (e.g. an older commit) instead of the working tree's.
const child = join(work, 'child.mjs');
await bundleChild(child, process.env.BENCH_KUBEPKG_SOURCE);
const fmt = (m: Measured) =>
  `${m.seconds.toFixed(2)} s wall, ${m.cpuSeconds.toFixed(2)} s CPU, peak RSS ${m.rssMiB.toFixed(0)} MiB`;

try {
  console.log(`building a ${LAYERS} x ${LAYER_MIB} MiB package in ${work}`);
  const layers = [];
  for (let i = 0; i < LAYERS; i++) {
    const path = join(work, `layer-${i}`);
    layers.push({
      path,
      ...(await randomFile(path, LAYER_MIB * 1024 * 1024)),
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    });
  }
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const manifest = imageManifestBytes(config, layers);
  const name = 'bench/big';
  const digests: DigestMeta[] = [
    { type: 'blob', digest: sha(config), name, size: config.length },
    ...layers.map((l): DigestMeta => ({ type: 'blob', digest: l.digest, name, size: l.size })),
    {
      type: 'manifest',
      digest: sha(manifest),
      name,
      size: manifest.length,
      tag: '1',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    },
  ];
  const pkgPath = join(work, 'big.kubepkg.tgz');
  const started = performance.now();
  await writeKubePkgArchive({
    document: {
      apiVersion: KUBEPKG_API_VERSION,
      kind: 'KubePkg',
      metadata: { name: 'bench' },
      spec: { version: '1.0.0', images: {}, manifests: {} },
      status: { digests },
    },
    blobs: [
      {
        digest: sha(config),
        size: config.length,
        open: async () => [config] as unknown as AsyncIterable<Uint8Array>,
      },
      {
        digest: sha(manifest),
        size: manifest.length,
        open: async () => [manifest] as unknown as AsyncIterable<Uint8Array>,
      },
      ...layers.map((l) => ({
        digest: l.digest,
        size: l.size,
        open: async () => createReadStream(l.path, { highWaterMark: 1024 * 1024 }),
      })),
    ],
    output: pkgPath,
  });
  const archiveBytes = (await stat(pkgPath)).size;
  console.log(
    `archive: ${(archiveBytes / 1024 ** 3).toFixed(3)} GiB, written in ${((performance.now() - started) / 1000).toFixed(1)} s (default gzip level, from local files)`,
  );
  for (const { path } of layers) await rm(path);

  // Import vs tar -xzf (the physical floor: gunzip + write, no hashing, no fsync).
  const tarDir = join(work, 'tar-out');
  await mkdir(tarDir);
  const tar = await measure('tar', ['-xzf', pkgPath, '-C', tarDir]);
  await rm(tarDir, { recursive: true });
  const imp = await measure(node, [child, 'import', pkgPath, join(work, 'import-out')]);
  console.log(`tar -xzf:       ${fmt(tar)}`);
  console.log(`kubepkg import: ${fmt(imp)}  → ${(imp.seconds / tar.seconds).toFixed(2)}x tar`);

  // Export vs hub-save, both from a real registry serving the imported storage.
  const registry = await startRegistry({ storageDir: join(work, 'import-out'), readOnly: true });
  try {
    const ref = `${registry.host}/${name}:1`;
    const exp0 = await measure(node, [child, 'export', ref, join(work, 'export-0.tgz'), '0']);
    const save = await measure(node, [child, 'save', ref, join(work, 'save-out')]);
    console.log(
      `kubepkg export (gzip 0): ${fmt(exp0)}, ${(await stat(join(work, 'export-0.tgz'))).size} bytes`,
    );
    console.log(
      `hub-save to dir:         ${fmt(save)}  → export ${(exp0.seconds / save.seconds).toFixed(2)}x hub-save`,
    );
    if (process.env.BENCH_GZIP6 !== '0') {
      const exp6 = await measure(node, [child, 'export', ref, join(work, 'export-6.tgz'), '6']);
      console.log(
        `kubepkg export (gzip 6): ${exp6.seconds.toFixed(2)} s, ${(await stat(join(work, 'export-6.tgz'))).size} bytes`,
      );
      const exp1 = await measure(node, [child, 'export', ref, join(work, 'export-1.tgz'), '1']);
      console.log(
        `kubepkg export (gzip 1): ${fmt(exp1)}, ${(await stat(join(work, 'export-1.tgz'))).size} bytes`,
      );
    }
  } finally {
    await registry.stop();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
