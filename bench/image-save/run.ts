// Benchmark (not a test): hub-save vs skopeo vs a raw copy of the same bytes, side by side in one run.
//   node_modules/.bin/node --conditions=@hub/source bench/image-save/run.ts [--images 20] [--shared-mib 128] [--own-mib 32]
// Needs docker-registry, skopeo and /usr/bin/time (Debian packages docker-registry, skopeo, time).
import { execFile } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { MediaType, RegistryClient } from '@hub/image-save/registry';
import { digestBytes } from '@hub/image-save/storage';
import { startRegistry } from '@hub/test-env';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '20' },
    'shared-mib': { type: 'string', default: '128' },
    'shared-layers': { type: 'string', default: '4' },
    'own-mib': { type: 'string', default: '32' },
    concurrency: { type: 'string', default: '6' },
  },
});
const IMAGES = Number(values.images);
const SHARED_MIB = Number(values['shared-mib']);
const SHARED_LAYERS = Number(values['shared-layers']);
const OWN_MIB = Number(values['own-mib']);
const MiB = 1024 * 1024;
const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');
// The built CLI is what users run (no TypeScript stripping at start-up); fall back to the source.
const builtCli = join(root, 'packages', 'image-save', 'dist', 'cli.js');
const cli =
  existsSync(builtCli) && existsSync(join(root, 'packages', 'api-types', 'dist', 'index.js'))
    ? builtCli
    : join(root, 'packages', 'image-save', 'src', 'cli.ts');
const cliArgs = cli === builtCli ? [cli] : ['--conditions=@hub/source', cli];

/** Deterministic incompressible bytes: AES-CTR keystream of a seed, streamed in 1 MiB chunks. */
async function* layerBytes(seed: string, size: number): AsyncIterable<Uint8Array> {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(MiB);
  for (let left = size; left > 0; left -= MiB)
    yield cipher.update(left >= MiB ? zeros : zeros.subarray(0, left));
}

async function layerDigest(seed: string, size: number): Promise<string> {
  const h = createHash('sha256');
  for await (const c of layerBytes(seed, size)) h.update(c);
  return `sha256:${h.digest('hex')}`;
}

async function timed(label: string, cmd: string, args: string[]) {
  const out = join(tmpdir(), `hub-bench-time-${process.pid}-${label.replace(/\W/g, '')}`);
  const started = process.hrtime.bigint();
  await run('/usr/bin/time', ['-f', '%e %M', '-o', out, cmd, ...args], { maxBuffer: 256 * MiB });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const [, rssKiB] = (await readFile(out, 'utf8')).trim().split('\n').at(-1)?.split(' ') ?? [];
  await rm(out, { force: true });
  return { label, seconds, peakRssMiB: Number(rssKiB) / 1024 };
}

async function duBytes(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sb', dir]);
  return Number(stdout.split('\t')[0]);
}

const work = await mkdtemp(join(tmpdir(), 'hub-bench-'));
const source = await startRegistry();
const skopeoDest = await startRegistry({ storageDir: join(work, 'skopeo-registry') });
try {
  console.log(`hub-save: ${cli === builtCli ? 'built dist/cli.js' : 'source src/cli.ts'}`);
  console.log(
    `corpus: ${IMAGES} images, ${SHARED_LAYERS} shared layers x ${SHARED_MIB} MiB, one own layer x ${OWN_MIB} MiB each`,
  );
  const client = new RegistryClient({ plainHttp: [source.host], auth: false });
  const pushed = new Map<string, { digest: string; repository: string }>();
  const push = async (repository: string, seed: string, size: number) => {
    const known = pushed.get(seed);
    const digest = known?.digest ?? (await layerDigest(seed, size));
    const loc = { registry: source.host, repository };
    // Shared layers: a cross-repository mount instead of a second upload.
    if (!known || !(await client.mountBlob(loc, digest, known.repository))) {
      await client.putBlob(loc, digest, layerBytes(seed, size), { size });
    }
    pushed.set(seed, { digest, repository });
    return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size };
  };
  const refs: string[] = [];
  const t0 = Date.now();
  for (let i = 0; i < IMAGES; i++) {
    const repository = `bench/app-${String(i).padStart(2, '0')}`;
    const layers = [];
    // Every image shares two of the base layers, so blobs repeat across repositories.
    for (const s of [i % SHARED_LAYERS, (i + 1) % SHARED_LAYERS])
      layers.push(await push(repository, `shared-${s}`, SHARED_MIB * MiB));
    layers.push(await push(repository, `own-${i}`, OWN_MIB * MiB));
    const config = new TextEncoder().encode(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, i }),
    );
    const cd = digestBytes(config);
    await client.putBlob({ registry: source.host, repository }, cd, config);
    const manifest = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: cd, size: config.byteLength },
        layers,
      }),
    );
    await client.putManifest({ registry: source.host, repository }, 'v1', manifest, MediaType.OciManifest);
    refs.push(`${source.host}/${repository}:v1`);
  }
  await client.close();
  const corpusBytes = await duBytes(join(source.storageDir, 'docker'));
  console.log(
    `pushed ${(corpusBytes / MiB).toFixed(0)} MiB of unique content in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const imagesFile = join(work, 'images.txt');
  await writeFile(imagesFile, `${refs.join('\n')}\n`);
  const syncYaml = join(work, 'sync.yaml');
  await writeFile(
    syncYaml,
    `${source.host}:\n  tls-verify: false\n  images:\n${refs.map((r) => `    ${r.slice(source.host.length + 1).split(':')[0]}: [v1]`).join('\n')}\n`,
  );
  await run('sync');
  const results = [];
  results.push(
    await timed('hub-save', node, [
      ...cliArgs,
      '--dir',
      join(work, 'hub-save'),
      '--plain-http',
      source.host,
      '--concurrency',
      String(values.concurrency),
      '--all-platforms',
      '--images-file',
      imagesFile,
    ]),
  );
  results.push(
    await timed('skopeo sync -> registry', 'skopeo', [
      'sync',
      '--all',
      '--src',
      'yaml',
      '--dest',
      'docker',
      '--dest-tls-verify=false',
      syncYaml,
      `${skopeoDest.host}/mirror`,
    ]),
  );
  results.push(
    await timed('skopeo sync -> dir:', 'skopeo', [
      'sync',
      '--all',
      '--src',
      'yaml',
      '--dest',
      'dir',
      syncYaml,
      join(work, 'skopeo-dir'),
    ]),
  );
  results.push(
    await timed('raw copy (cp -r)', 'cp', ['-r', join(source.storageDir, 'docker'), join(work, 'raw-copy')]),
  );

  const again = await timed('hub-save re-run', node, [
    ...cliArgs,
    '--dir',
    join(work, 'hub-save'),
    '--plain-http',
    source.host,
    '--all-platforms',
    '--images-file',
    imagesFile,
  ]);
  const sizes: Record<string, number> = {
    'hub-save': await duBytes(join(work, 'hub-save')),
    'skopeo sync -> registry': await duBytes(join(work, 'skopeo-registry')),
    'skopeo sync -> dir:': await duBytes(join(work, 'skopeo-dir')),
    'raw copy (cp -r)': await duBytes(join(work, 'raw-copy')),
  };
  const hub = results[0] as (typeof results)[number];
  console.log('\n| run | seconds | vs hub-save | peak RSS MiB | output MiB |\n|---|---|---|---|---|');
  for (const r of [...results, again]) {
    const size = sizes[r.label];
    console.log(
      `| ${r.label} | ${r.seconds.toFixed(2)} | ${(r.seconds / hub.seconds).toFixed(2)}x | ${r.peakRssMiB.toFixed(0)} | ${size === undefined ? '-' : (size / MiB).toFixed(0)} |`,
    );
  }
  const floor = results[3] as (typeof results)[number];
  console.log(
    `\nskopeo->registry / hub-save = ${((results[1]?.seconds ?? 0) / hub.seconds).toFixed(2)} (target >= 2), hub-save / raw copy = ${(hub.seconds / floor.seconds).toFixed(2)} (target <= 1.5), hub-save peak RSS ${hub.peakRssMiB.toFixed(0)} MiB (target < 200)`,
  );
} finally {
  await skopeoDest.stop();
  await source.stop();
  await rm(work, { recursive: true, force: true });
}
