// The README's main job, end to end against real servers:
//   1. a real control plane (kube-apiserver + etcd, hub CRDs) and a source registry with fixture images;
//   2. hub-save: save images and a Helm chart into a directory, serve it with the stock docker-registry,
//      and check every digest with skopeo;
//   3. kubepkg: export an app with its images, import it "inside the air gap", serve it with the pull-only
//      agent, check with skopeo, and server-side apply it to the cluster with images rewritten;
//   4. the catalogue: Image objects named by @hub/api-types, shown with `kubectl get` columns.
// Usage: node --conditions=@hub/source scripts/demo.ts [--out <dir>] [--keep]
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { imageLabels, imageMetadataName, mustParseImageHubName, validateImage } from '@hub/api-types';
import { reviewKubePkg } from '@hub/kubepkg/reconcile';
import { freePort, startHubTestEnv, startRegistry } from '@hub/test-env';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
// The CLIs as a user runs them: the linked bins (bin/<cli>.js → the built dist/cli.js).
const bin = (name: string) => join(root, 'node_modules/.bin', name);

const { values } = parseArgs({ options: { out: { type: 'string' }, keep: { type: 'boolean' } } });
const out = values.out ? resolve(values.out) : await mkdtemp(join(tmpdir(), 'hub-demo-'));
await mkdir(out, { recursive: true });

const step = (title: string) => console.log(`\n\x1b[1m▶ ${title}\x1b[0m`);
const ok = (line: string) => console.log(`  ✓ ${line}`);

/**
 * Runs a CLI in the output directory, shown as a user types it (`$ hub-save --dir saved-registry …`),
 * with its own output (progress lines) shown; fails the demo when it fails.
 */
function show(cli: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  console.log(`  $ ${[cli, ...args].map(quote).join(' ')}`);
  return new Promise((done, fail) => {
    const child = spawn(bin(cli), args, { cwd: out, stdio: ['ignore', 'inherit', 'inherit'], env });
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${cli} ${args[0]} exited with ${code}`)),
    );
  });
}

async function skopeoDigest(reference: string): Promise<string> {
  const { stdout } = await run(
    'skopeo',
    ['inspect', '--tls-verify=false', '--raw', `docker://${reference}`],
    {
      encoding: 'buffer',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const { createHash } = await import('node:crypto');
  return `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
}

async function waitFor(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

step('Starting a real control plane (kube-apiserver + etcd, hub CRDs) and a source registry with fixtures');
// Setup has already built or found the binaries, so the builder's "cached" lines would be noise here.
const progress = (line: string) => line.startsWith('[build-binaries]') || console.log(`  … ${line}`);
await using env = await startHubTestEnv({ fixtures: true, onProgress: progress });
const fixtures = env.fixtures;
if (!fixtures) throw new Error('the fixture corpus was not pushed');
const source = env.registry.host;
ok(`KUBECONFIG=${env.controlPlane.kubeconfigPath}`);
ok(`REGISTRY=${source} with ${Object.keys(fixtures.images).length} fixture images`);
const kubectlEnv = { ...process.env, KUBECONFIG: env.controlPlane.kubeconfigPath };

// ── 2. hub-save ─────────────────────────────────────────────────────────────────────────────────
step('hub-save: images and a Helm chart into a registry-servable directory');
const picked = ['oci-multiarch', 'docker-manifest-list', 'deep-path', 'helm-chart', 'documented'] as const;
const saved = join(out, 'saved-registry');
await show('hub-save', [
  '--dir',
  'saved-registry',
  '--plain-http',
  source,
  '--platform',
  'linux/amd64',
  '--platform',
  'linux/arm64',
  ...picked.map((key) => fixtures.images[key].reference),
]);
{
  await using served = await startRegistry({ storageDir: saved, readOnly: true });
  for (const key of picked) {
    const image = fixtures.images[key];
    const digest = await skopeoDigest(`${served.host}/${image.repository}:${image.tag}`);
    if (digest !== image.digest) throw new Error(`${key}: served ${digest}, source has ${image.digest}`);
    ok(
      `docker-registry serves ${image.repository}:${image.tag} at the source digest ${digest.slice(0, 19)}…`,
    );
  }
}

// ── 3. kubepkg ──────────────────────────────────────────────────────────────────────────────────
step('kubepkg: export an app with its images, carry it across, import, serve and apply');
const appImage = fixtures.images['oci-multiarch'];
const pkg = {
  apiVersion: 'octohelm.tech/v1alpha1',
  kind: 'KubePkg',
  metadata: { name: 'demo' },
  spec: {
    version: '1.0.0',
    images: { [appImage.reference]: '' },
    manifests: {
      'demo.namespace': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
      'web-config.demo.configmap': {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web-config', namespace: 'demo' },
        data: { greeting: 'hello from the air gap' },
      },
      'web.demo.deployment': {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'demo' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: appImage.reference }] },
          },
        },
      },
    },
  },
};
// The keys follow the rule the KubePkg webhook enforces: <name>.<namespace>.<kind>, <name>.<kind> without one.
const review = reviewKubePkg(pkg);
if (!review.allowed) throw new Error(`the demo KubePkg breaks the key rule: ${review.message}`);
await writeFile(join(out, 'kubepkg.json'), `${JSON.stringify(pkg, null, 2)}\n`);
await show('kubepkg', [
  'export',
  'kubepkg.json',
  '-o',
  'demo.kubepkg.tgz',
  '--plain-http',
  source,
  '--platform',
  'linux/amd64',
]);
await show('kubepkg', ['import', 'demo.kubepkg.tgz', '--dir', 'airgap-registry']);

const port = await freePort();
console.log(`  $ kubepkg serve --dir airgap-registry --addr 127.0.0.1:${port} &`);
const agent = spawn(bin('kubepkg'), ['serve', '--dir', 'airgap-registry', '--addr', `127.0.0.1:${port}`], {
  cwd: out,
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  await waitFor(`http://127.0.0.1:${port}/readyz`);
  const digest = await skopeoDigest(`127.0.0.1:${port}/${appImage.repository}:${appImage.tag}`);
  if (digest !== appImage.digest)
    throw new Error(`kubepkg serve answered ${digest}, source has ${appImage.digest}`);
  ok(`kubepkg serve (pull-only agent) serves ${appImage.repository}:${appImage.tag} at the source digest`);
} finally {
  agent.kill('SIGTERM');
}
await show('kubepkg', ['apply', 'demo.kubepkg.tgz', '--registry-rewrite', `127.0.0.1:${port}`], kubectlEnv);
const { stdout: deployed } = await run(
  'kubectl',
  ['get', 'deployment', 'web', '-n', 'demo', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'],
  { env: kubectlEnv },
);
ok(`Deployment demo/web pulls ${deployed}`);

// ── 4. the catalogue ────────────────────────────────────────────────────────────────────────────
step('The catalogue: Image objects named and labelled by @hub/api-types');
const entries = [
  { name: 'labring/mysql:v8.0.31', size: 512_000_000, keywords: ['Database', 'Storage'] },
  { name: 'labring/mysql:v8.0.25', size: 498_000_000, keywords: ['Database'] },
  { name: 'a.b/c:d', size: 1_000, keywords: [] },
  { name: 'a/b.c:d', size: 2_000, keywords: [] },
];
for (const entry of entries) {
  const hubName = mustParseImageHubName(entry.name);
  const { labels, annotations } = imageLabels(hubName);
  const object = {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Image',
    metadata: { name: imageMetadataName(hubName), labels, annotations },
    spec: {
      name: entry.name,
      type: 'cluster-image',
      detail: { keywords: entry.keywords, size: entry.size, creatTime: new Date().toISOString() },
    },
  };
  const checked = validateImage(object);
  if (!checked.success) throw new Error(`demo Image ${entry.name} is invalid`);
  const file = join(out, `${object.metadata.name}.json`);
  await writeFile(file, JSON.stringify(object));
  await run('kubectl', ['apply', '--server-side', '-f', file], { env: kubectlEnv });
}
ok('a.b/c:d and a/b.c:d get distinct metadata.names (the original collided on a.b.c.d)');
const { stdout: table } = await run('kubectl', ['get', 'images'], { env: kubectlEnv });
console.log(table.replace(/^/gm, '    '));

step('Done');
console.log(`  outputs in ${out}`);
if (!values.keep && !values.out) await rm(out, { recursive: true, force: true });
