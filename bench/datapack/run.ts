// A detail DataPack of 100 names with 10,000 Images cached, read two ways on one real apiserver:
//   direct: POST /datapacks through createHubHandler over createCatalogue (the watch cache);
//   cr:     createDataPackClient({ mode: 'cr' }): create the DataPack, hub-controller's DataPack
//           reconciler fills its status, the client sees it through its watch.
// Prints p50/p99 of each, the ratio, and the RSS of a process holding the catalogue of 10,000 Images.
// Usage: node --conditions=@hub/source --expose-gc bench/datapack/run.ts [--images N] [--iterations N]
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DATA_PACK_CODES, imageLabels, imageMetadataName, type Repository } from '@hub/api-types';
import {
  collectionPath,
  createCatalogue,
  createDataPackClient,
  createHubHandler,
  createKubeTransport,
  KUBE_RESOURCES,
  type KubeTransport,
} from '@hub/datapack';
import { freePort, peakRssBytes, startHubTestEnv } from '@hub/test-env';

const root = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '10000' },
    'tags-per-repo': { type: 'string', default: '10' },
    iterations: { type: 'string', default: '500' },
    'cr-iterations': { type: 'string', default: '40' },
    'child-rss': { type: 'string' },
  },
});

// Child mode: hold a catalogue of the cluster and report memory once synced.
if (values['child-rss'] !== undefined) {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(values['child-rss']);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const catalogue = createCatalogue({ kubeConfig });
  await catalogue.ready(AbortSignal.timeout(300_000));
  gc?.();
  const after = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ size: catalogue.size(), rssBefore: before.rss, rssAfter: after.rss, heapDelta: after.heapUsed - before.heapUsed, peak: await peakRssBytes(process.pid) })}\n`,
  );
  await catalogue.close();
  process.exit(0);
}

const IMAGES = Number(values.images);
const TAGS = Number(values['tags-per-repo']);
const ITERATIONS = Number(values.iterations);
const CR_ITERATIONS = Number(values['cr-iterations']);
const REPOS = Math.ceil(IMAGES / TAGS);
const say = (line: string) => process.stderr.write(`${line}\n`);
const mb = (bytes: number | undefined) =>
  bytes === undefined ? '?' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function imageName(i: number): string {
  const repo = Math.floor(i / TAGS);
  return `org${repo % 20}/app${repo}:v${i % TAGS}.0`;
}

// Repositories are private unless their Organization says otherwise, and the packs measured here
// read public ones: the 20 Organizations are created public before any Image.
async function createPublicOrganizations(transport: KubeTransport): Promise<void> {
  for (let org = 0; org < 20; org++) {
    await transport.request(collectionPath(KUBE_RESOURCES.Organization), {
      verb: 'create',
      method: 'POST',
      body: {
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'Organization',
        metadata: { name: `org${org}` },
        spec: { name: `org${org}`, defaultPrivate: false },
      },
    });
  }
}

async function createImages(transport: KubeTransport): Promise<void> {
  let done = 0;
  let next = 0;
  // 16 workers pulling indexes: the apiserver sees 16 concurrent creates.
  const worker = async () => {
    for (let i = next++; i < IMAGES; i = next++) await createOne(i);
  };
  const createOne = async (i: number) => {
    const name = imageName(i);
    const [repoPart = '', tag = ''] = name.split(':');
    const [organization = '', repository = ''] = repoPart.split('/');
    const parsed = { organization, repository, tag };
    await transport.request(collectionPath(KUBE_RESOURCES.Image), {
      verb: 'create',
      method: 'POST',
      body: {
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'Image',
        metadata: { name: imageMetadataName(parsed), labels: imageLabels(parsed).labels },
        spec: {
          name,
          type: 'cluster-image',
          detail: {
            description: `Application ${repository}, tag ${tag}`,
            keywords: ['Database', 'bench'],
            icon: 'data:image/svg+xml;base64,PHN2Zy8+',
            docs: `# ${repository}\n\n${'Lorem ipsum dolor sit amet. '.repeat(20)}\n`,
            size: 1000 + i,
            ID: `sha256:${String(i).padStart(64, '0')}`,
            arch: 'amd64',
            creatTime: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().replace('.000Z', 'Z'),
          },
        },
      },
    });
    done += 1;
    if (done % 2000 === 0) say(`  ${done}/${IMAGES} Images`);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function waitForRepositories(transport: KubeTransport): Promise<void> {
  const deadline = Date.now() + 900_000;
  for (;;) {
    // A CRD's storage answers 429 while it (re)initializes: try again.
    const list = await transport
      .request<{ items: Repository[] }>(collectionPath(KUBE_RESOURCES.Repository), { verb: 'list' })
      .catch((error: unknown) => {
        if ((error as { retryable?: boolean }).retryable) return { items: [] as Repository[] };
        throw error;
      });
    const complete = list.items.filter((r) => (r.status?.tags?.length ?? 0) === TAGS).length;
    if (complete >= REPOS) return;
    if (Date.now() > deadline) throw new Error(`only ${complete}/${REPOS} Repositories complete`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function randomNames(): string[] {
  const names = new Set<string>();
  while (names.size < 100) names.add(imageName(Math.floor(Math.random() * IMAGES)));
  return [...names];
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // gone
  }
}

await using env = await startHubTestEnv();
const kubeconfigPath = env.controlPlane.kubeconfigPath;
const transport = await createKubeTransport(env.controlPlane.kubeConfig);
say(`control plane ${env.controlPlane.server}; creating ${IMAGES} Images in ${REPOS} repositories`);

const probe = await freePort();
const controller = spawn(
  process.execPath,
  [
    '--conditions=@hub/source',
    join(root, 'packages/controller/src/cli.ts'),
    '--kubeconfig',
    kubeconfigPath,
    '--webhook-port',
    '0',
    '--metrics-bind-address',
    '0',
    '--health-probe-bind-address',
    `127.0.0.1:${probe}`,
    '--concurrency',
    '8',
  ],
  { stdio: ['ignore', 'ignore', 'ignore'], detached: true },
);
process.on('exit', () => killGroup(controller, 'SIGKILL'));

let t = performance.now();
await createPublicOrganizations(transport);
await createImages(transport);
say(
  `  created in ${((performance.now() - t) / 1000).toFixed(1)} s; waiting for hub-controller to build the Repositories`,
);
t = performance.now();
await waitForRepositories(transport);
say(`  ${REPOS} Repositories with ${TAGS} tags each after ${((performance.now() - t) / 1000).toFixed(1)} s`);

// Direct mode: the watch cache + the Web-standard handler, in this process.
const catalogue = createCatalogue({ kubeConfig: env.controlPlane.kubeConfig });
await catalogue.ready(AbortSignal.timeout(300_000));
const handler = createHubHandler({ catalogue, basePath: '/hub' });
const post = (names: string[]) =>
  handler(
    new Request('http://bench/hub/datapacks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'detail', names }),
    }),
  );
for (let i = 0; i < 50; i++) await (await post(randomNames())).arrayBuffer(); // warm up
const direct: number[] = [];
let bytes = 0;
for (let i = 0; i < ITERATIONS; i++) {
  const names = randomNames();
  const start = performance.now();
  const response = await post(names);
  const body = await response.text();
  direct.push(performance.now() - start);
  bytes = body.length;
  if (i === 0 && (JSON.parse(body) as { codes: number }).codes !== DATA_PACK_CODES.OK)
    throw new Error('direct pack not OK');
}

// CR round trip: a fresh pack every time (new names, new spec hash), so the controller computes it.
const client = createDataPackClient({ mode: 'cr', transport, timeoutMs: 60_000 });
const cr: number[] = [];
for (let i = 0; i < CR_ITERATIONS + 3; i++) {
  const start = performance.now();
  const result = await client.get({ type: 'detail', names: randomNames() });
  if (result.codes !== DATA_PACK_CODES.OK) throw new Error(`cr pack not OK: ${result.message}`);
  if (i >= 3) cr.push(performance.now() - start);
}
await catalogue.close();

// RSS of a process that holds only the catalogue.
const child = spawn(
  process.execPath,
  [
    '--conditions=@hub/source',
    '--expose-gc',
    join(import.meta.dirname, 'run.ts'),
    '--child-rss',
    kubeconfigPath,
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let childOut = '';
child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
  childOut += chunk;
});
await new Promise((done) => child.once('exit', done));
const rss = JSON.parse(childOut) as {
  size: object;
  rssBefore: number;
  rssAfter: number;
  heapDelta: number;
  peak?: number;
};

const p = (samples: number[], q: number) => percentile(samples, q).toFixed(2);
const ratio50 = percentile(cr, 50) / percentile(direct, 50);
const ratio99 = percentile(cr, 99) / percentile(direct, 99);
console.log(
  `\ndetail DataPack, 100 names, ${IMAGES} Images in ${REPOS} repositories (response ${(bytes / 1024).toFixed(0)} KiB)`,
);
console.log(
  `  direct (handler over the watch cache): p50 ${p(direct, 50)} ms  p99 ${p(direct, 99)} ms  (${direct.length} requests)`,
);
console.log(
  `  cr (DataPack object round trip):       p50 ${p(cr, 50)} ms  p99 ${p(cr, 99)} ms  (${cr.length} packs)`,
);
console.log(`  ratio cr/direct: p50 ${ratio50.toFixed(0)}x  p99 ${ratio99.toFixed(0)}x`);
console.log(
  `catalogue process with ${JSON.stringify(rss.size)}: RSS ${mb(rss.rssBefore)} → ${mb(rss.rssAfter)} (+${mb(rss.rssAfter - rss.rssBefore)}), heap +${mb(rss.heapDelta)}, peak ${mb(rss.peak)}`,
);
console.log(`bench process peak RSS ${mb(await peakRssBytes(process.pid))}`);

await client.close();
await transport.close();
const exited = new Promise((done) => controller.once('exit', done));
killGroup(controller, 'SIGTERM');
await exited;
