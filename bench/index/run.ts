// Benchmark (not a test): hub-index over 500 tags in a local registry.
//   node_modules/.bin/node --conditions=@hub/source bench/index/run.ts [--repos 50] [--tags 10] [--base-mib 4] [--payload-kib 1024]
// Half the repositories are sealos-style (one top layer with README.md, metadata/config.yaml, then a
// large payload), half app-style (a large middle layer, README.md alone in a small top layer). Both
// sit on a shared base layer. The peer is pulling every image whole (what the original CLI did:
// buildah pull + mount), whose cost is the image size. Needs docker-registry and /usr/bin/time.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildCustomResourceDefinitions } from '@hub/api-types';
import { startControlPlane, startRegistry } from '@hub/test-env';
import {
  buildImage,
  type Layer,
  largeLayer,
  MediaType,
  pushManifestTree,
  seededBytes,
  tarGzipLayer,
} from '@hub/test-env/fixtures';
import { startCountingProxy } from './counting-proxy.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    repos: { type: 'string', default: '50' },
    tags: { type: 'string', default: '10' },
    'base-mib': { type: 'string', default: '4' },
    'payload-kib': { type: 'string', default: '1024' },
    concurrency: { type: 'string', default: '8' },
  },
});
const REPOS = Number(values.repos);
const TAGS = Number(values.tags);
const MiB = 1024 * 1024;
const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');
const built = join(root, 'packages', 'controller', 'dist', 'hub-index', 'cli.js');
const cliArgs = existsSync(built)
  ? [built]
  : ['--conditions=@hub/source', join(root, 'packages', 'controller', 'src', 'hub-index', 'cli.ts')];

const fmt = (bytes: number) =>
  bytes >= MiB ? `${(bytes / MiB).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;

async function main() {
  console.log(`corpus: ${REPOS} repositories x ${TAGS} tags = ${REPOS * TAGS} images`);
  const [cp, registry] = await Promise.all([startControlPlane(), startRegistry()]);
  const work = await mkdtemp(join(tmpdir(), 'hub-bench-index-'));
  const proxy = await startCountingProxy(registry.url, (path) =>
    path.includes('/sealos-') ? 'sealos' : path.includes('/app-') ? 'app' : 'other',
  );
  try {
    await cp.installCRDs(buildCustomResourceDefinitions() as unknown as Record<string, unknown>[]);
    const base = await largeLayer('bench-index-base', Number(values['base-mib']) * MiB);
    const payload = Number(values['payload-kib']) * 1024;
    const sizes = { sealos: 0, app: 0 };
    const topSizes = { sealos: 0, app: 0 };
    const started = Date.now();
    for (let r = 0; r < REPOS; r++) {
      const style = r % 2 === 0 ? 'sealos' : 'app';
      const repo = `bench/${style}-${r}`;
      const middle: Layer[] =
        style === 'app'
          ? [
              await tarGzipLayer(
                [{ path: 'opt/app/lib.bin', content: seededBytes('mid', repo, payload) }],
                MediaType.ociLayerGzip,
              ),
            ]
          : [];
      for (let t = 0; t < TAGS; t++) {
        const readme = `# ${repo} v${t}\n\n${'Some documentation. '.repeat(100)}\n`;
        const files =
          style === 'sealos'
            ? [
                { path: 'README.md', content: readme },
                { path: 'metadata/config.yaml', content: 'spec:\n  type: cluster-image\n' },
                { path: 'zz/payload.bin', content: seededBytes('top', `${repo}:${t}`, payload) },
              ]
            : [{ path: 'README.md', content: readme }];
        const top = await tarGzipLayer(files, MediaType.ociLayerGzip);
        const layers = [base, ...middle, top];
        const node = buildImage({
          layers,
          labels: { 'org.opencontainers.image.description': repo, 'io.sealos.imagehub.keywords': 'Database' },
        });
        await pushManifestTree(registry.host, repo, `v${t}`, node);
        sizes[style] += layers.reduce((s, l) => s + l.size, 0);
        topSizes[style] += top.size;
      }
    }
    const perStyle = (REPOS * TAGS) / 2;
    console.log(`pushed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const index = async (label: string) => {
      proxy.reset();
      const timeFile = join(work, `time-${label}`);
      const t0 = process.hrtime.bigint();
      const { stdout } = await run(
        '/usr/bin/time',
        [
          '-f',
          '%M',
          '-o',
          timeFile,
          node,
          ...cliArgs,
          '--kubeconfig',
          cp.kubeconfigPath,
          '--registry',
          proxy.host,
          '--plain-http',
          proxy.host,
          '--concurrency',
          String(values.concurrency),
          '--json',
        ],
        { maxBuffer: 64 * MiB },
      );
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const rssMiB = Number((await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)) / 1024;
      const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
      const counts = structuredClone(proxy.counts);
      return { label, seconds, rssMiB, summary, counts };
    };
    const images = REPOS * TAGS;
    const first = await index('first run');
    const second = await index('second run (unchanged)');
    for (const result of [first, second]) {
      const { counts, summary } = result;
      const requests = Object.values(counts.requests).reduce((a, b) => a + b, 0);
      console.log(
        `\nhub-index, ${result.label}: ${result.seconds.toFixed(1)} s wall, peak RSS ${result.rssMiB.toFixed(0)} MiB`,
      );
      console.log(
        `  ${summary.images} images: ${summary.changed} changed, ${summary.unchanged} unchanged, ${summary.failed} failed`,
      );
      console.log(
        `  registry requests: ${requests} (${(requests / images).toFixed(2)} per image) ${JSON.stringify(counts.requests)}`,
      );
      console.log(
        `  layer bytes the indexer consumed: ${fmt(summary.bytesRead / images)} per image; blob bytes the registry sent: ${fmt((counts.bytes.blob ?? 0) / images)} per image`,
      );
    }
    console.log(
      '\nper image, first run, against pulling it whole (the peer: buildah pull + mount, as the original CLI):',
    );
    for (const style of ['sealos', 'app'] as const) {
      const sent = (first.counts.blobBytesByGroup[style] ?? 0) / perStyle;
      console.log(
        `  ${style.padEnd(6)}: image ${fmt(sizes[style] / perStyle)} (top layer ${fmt(topSizes[style] / perStyle)}); registry sent ${fmt(sent)}: ${(sizes[style] / perStyle / Math.max(sent, 1)).toFixed(1)}x less than a whole pull`,
      );
    }
    const whole = (sizes.sealos + sizes.app) / images;
    const wire = (first.counts.bytes.blob ?? 0) / images;
    console.log(
      `  all   : whole pull ${fmt(whole)} vs ${fmt(wire)} sent (${(whole / Math.max(wire, 1)).toFixed(1)}x), ${fmt(first.summary.bytesRead / images)} consumed (${(whole / Math.max(first.summary.bytesRead / images, 1)).toFixed(0)}x)`,
    );
    console.log(
      '  (sent > consumed: loopback socket buffers take up to a few MiB a blob before the indexer closes it)',
    );
  } finally {
    await proxy.stop();
    await Promise.all([cp.stop(), registry.stop()]);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
