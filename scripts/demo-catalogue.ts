// `npm run demo`: the image hub, end to end on real servers, left running for people to click through.
//   1. a control plane (kube-apiserver + etcd; or the cluster of $KUBECONFIG) and a local registry;
//   2. hub-controller (CRDs installed, admission webhooks registered);
//   3. sample images pushed to the registry (README.md inside, OCI labels for description, icon and
//      keywords, several tags and organizations), catalogued with hub-index;
//   4. the Next.js example on http://localhost:3000 (PORT overrides), printed once it answers,
//      with KUBECONFIG=<path> on its own line for `kubectl get repo` beside it, and HUB_ORG=<org>
//      HUB_TOKEN=<token>: a manager of that organization, to sign in at /login and edit.
// Ctrl-C stops everything; nothing is left running.
// Usage: node --conditions=@hub/source scripts/demo-catalogue.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DATA_PACK_CODES, organizationMetadataName, type Repository } from '@hub/api-types';
import {
  collectionPath,
  createDataPackClient,
  createKubeTransport,
  KUBE_RESOURCES,
  type KubeTransport,
} from '@hub/datapack';
import { freePort, type Registry, startControlPlane, startRegistry } from '@hub/test-env';
import { buildImage, MediaType, pushImage, tarGzipLayer } from '@hub/test-env/fixtures';
import { KubeConfig } from '@kubernetes/client-node';
import {
  buildIfStale,
  type NextServer,
  startNextServer,
} from '../examples/nextjs-imagehub/server/start-next.ts';
import { SAMPLE_IMAGES } from './demo-catalogue-samples.ts';
import { createDemoManager } from './demo-manager.ts';

const root = resolve(import.meta.dirname, '..');
const say = (line: string) => process.stderr.write(`${line}\n`);
const step = (line: string) => say(`\x1b[1m▶ ${line}\x1b[0m`);
const cleanups: (() => Promise<void>)[] = [];
const children: ChildProcess[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  say('stopping…');
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      say(`  (while stopping: ${(error as Error).message})`);
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('exit', () => {
  for (const child of children) if (child.pid && child.exitCode === null) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // gone already
  }
}

/** A hub CLI from source (Node 24 strips the types), in its own process group. */
function hubCli(entry: string, args: string[], output: 'inherit' | 'quiet'): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@hub/source', join(root, entry), ...args], {
    cwd: root,
    stdio: ['ignore', output === 'inherit' ? 'inherit' : 'ignore', output === 'inherit' ? 'inherit' : 'pipe'],
    detached: true,
  });
  children.push(child);
  return child;
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((done) => child.once('exit', (code) => done(code ?? 1)));
}

async function waitForHttp(url: string, what: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function pushSamples(registry: Registry): Promise<number> {
  let count = 0;
  for (const sample of SAMPLE_IMAGES) {
    for (const tag of sample.tags) {
      const layer = await tarGzipLayer(
        [
          { path: 'README.md', content: sample.readme(tag.tag) },
          { path: `opt/${sample.repository.split('/')[1]}/VERSION`, content: `${tag.tag}\n` },
        ],
        MediaType.ociLayerGzip,
      );
      const labels = {
        'org.opencontainers.image.title': sample.repository,
        'org.opencontainers.image.description': sample.description,
        'org.opencontainers.image.version': tag.tag,
        'org.opencontainers.image.source': `https://example.invalid/${sample.repository}`,
        'io.sealos.imagehub.icon': sample.icon,
        'io.sealos.imagehub.keywords': sample.keywords.join(','),
        'io.sealos.imagehub.type': 'cluster-image',
      };
      const node = buildImage({
        layers: [layer],
        annotations: labels,
        config: {
          created: tag.created,
          architecture: 'amd64',
          os: 'linux',
          config: { Labels: labels, Cmd: ['/bin/sh'] },
          rootfs: { type: 'layers', diff_ids: [layer.diffId] },
        },
      });
      await pushImage(registry.host, sample.repository, tag.tag, node);
      count += 1;
    }
  }
  return count;
}

async function createPublicOrganizations(transport: KubeTransport): Promise<string[]> {
  const names = [...new Set(SAMPLE_IMAGES.map((sample) => sample.repository.split('/')[0] ?? ''))];
  for (const name of names) {
    await transport.request(collectionPath(KUBE_RESOURCES.Organization), {
      verb: 'create',
      method: 'POST',
      body: {
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'Organization',
        metadata: { name: organizationMetadataName(name) },
        spec: { name, defaultPrivate: false },
      },
    });
  }
  return names;
}

async function waitForRepositories(
  transport: KubeTransport,
  expected: number,
  timeoutMs: number,
): Promise<Repository[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await transport.request<{ items: Repository[] }>(collectionPath(KUBE_RESOURCES.Repository), {
      verb: 'list',
    });
    const ready = list.items.filter((r) => r.status?.latestTag);
    if (ready.length >= expected) return ready;
    if (Date.now() > deadline) {
      throw new Error(
        `hub-controller made ${ready.length} of ${expected} Repositories with tags in ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    say(`demo: PORT=${process.env.PORT} is not a port number`);
    process.exit(2);
  }

  step('control plane and registry');
  let kubeconfigPath = process.env.KUBECONFIG;
  let kubeConfig: KubeConfig;
  if (kubeconfigPath) {
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    say(`  using the cluster of $KUBECONFIG (${kubeconfigPath})`);
  } else {
    say('  starting kube-apiserver + etcd (the first run builds them from Go modules: about 15 minutes)');
    const cp = await startControlPlane({ onProgress: (line) => say(`  ${line}`) });
    cleanups.push(() => cp.stop());
    kubeconfigPath = cp.kubeconfigPath;
    kubeConfig = cp.kubeConfig;
    say(`  ✓ control plane ${cp.server} (${cp.startMs} ms)`);
  }
  const registry = await startRegistry();
  cleanups.push(() => registry.stop());
  say(`  ✓ registry ${registry.host}`);

  step('hub-controller (CRDs, webhooks, reconcilers)');
  const [webhookPort, probePort] = [await freePort(), await freePort()];
  const controller = hubCli(
    'packages/controller/src/cli.ts',
    [
      '--kubeconfig',
      kubeconfigPath,
      '--install-crds',
      '--webhook-port',
      String(webhookPort),
      '--webhook-url',
      `https://127.0.0.1:${webhookPort}`,
      '--metrics-bind-address',
      '0',
      '--health-probe-bind-address',
      `127.0.0.1:${probePort}`,
    ],
    'quiet',
  );
  const controllerLog: string[] = [];
  controller.stderr?.setEncoding('utf8');
  controller.stderr?.on('data', (chunk: string) => controllerLog.push(...chunk.split('\n').filter(Boolean)));
  cleanups.push(async () => {
    const exited = exitOf(controller);
    killGroup(controller, 'SIGTERM');
    const timer = setTimeout(() => killGroup(controller, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  });
  try {
    await waitForHttp(`http://127.0.0.1:${probePort}/readyz`, 'hub-controller', controller, 120_000);
  } catch (error) {
    say(controllerLog.slice(-15).join('\n'));
    throw error;
  }
  say(`  ✓ hub-controller ready (webhooks on :${webhookPort})`);

  const transport = await createKubeTransport(kubeConfig);
  cleanups.push(() => transport.close());
  // Repositories are private unless their Organization says otherwise, and hub-index catalogues
  // before any Organization exists: so the demo's organizations are made public first.
  const organizations = await createPublicOrganizations(transport);
  say(`  ✓ public Organizations ${organizations.join(', ')} (spec.defaultPrivate: false)`);

  step('sample images');
  const pushed = await pushSamples(registry);
  say(`  ✓ pushed ${pushed} images in ${SAMPLE_IMAGES.length} repositories to ${registry.host}`);
  say(`  $ hub-index --registry ${registry.host} --plain-http ${registry.host}`);
  const index = hubCli(
    'packages/controller/src/hub-index/cli.ts',
    ['--kubeconfig', kubeconfigPath, '--registry', registry.host, '--plain-http', registry.host],
    'inherit',
  );
  const indexCode = await exitOf(index);
  if (indexCode !== 0) throw new Error(`hub-index exited with ${indexCode}`);

  const repos = await waitForRepositories(transport, SAMPLE_IMAGES.length, 60_000);
  say(`  ✓ hub-controller made ${repos.length} Repositories with their tags and latest tag`);
  const client = createDataPackClient({ mode: 'cr', transport, timeoutMs: 30_000 });
  const names = repos.map((r) => `${r.spec.name}:${r.status?.latestTag?.name}`);
  try {
    const pack = await client.get({ type: 'grid', names });
    say(
      `  ✓ DataPack (grid, ${names.length} names): ${pack.codes === DATA_PACK_CODES.OK ? 'OK' : `ERROR ${pack.message}`}`,
    );
  } catch (error) {
    say(`  ! DataPack round trip failed: ${(error as Error).message}`);
  }

  // A manager to sign in as: the hub-user role lets it write, and the webhooks let it edit its organization.
  const managedOrganization = organizations[0] ?? 'labring';
  const managerToken = await createDemoManager(transport, managedOrganization);

  step(`the image hub (Next.js) on port ${port}`);
  const built = await buildIfStale((line) => say(`  ${line}`));
  say(built === 'fresh' ? '  ✓ using the existing build' : '  ✓ built');
  const server: NextServer = await startNextServer({
    port,
    hostname: '127.0.0.1',
    env: {
      KUBECONFIG: kubeconfigPath,
      HUB_REGISTRY: registry.host,
      // Deleting a tag in the hub deletes its manifest in the demo's registry too.
      HUB_REGISTRY_URL: `http://${registry.host}`,
      // One secret per run: sessions end with the demo.
      HUB_SESSION_SECRET: process.env.HUB_SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    } as NodeJS.ProcessEnv,
  });
  cleanups.push(() => server.stop());

  process.stdout.write(`\nThe image hub is running: http://localhost:${port}\n`);
  process.stdout.write(`KUBECONFIG=${kubeconfigPath}\n`);
  process.stdout.write(`HUB_ORG=${managedOrganization}\n`);
  process.stdout.write(`HUB_TOKEN=${managerToken}\n`);
  process.stdout.write(
    `Sign in at http://localhost:${port}/login with HUB_TOKEN: a manager of ${managedOrganization}.\n`,
  );
  process.stdout.write('Try: kubectl get repo,img,org   ·   Ctrl-C stops everything.\n');
  controller.once('exit', (code) => {
    if (!stopping) {
      say(`hub-controller exited with ${code}:\n${controllerLog.slice(-15).join('\n')}`);
      void stopAll(1);
    }
  });
  // Keep running until a signal arrives.
  await new Promise<never>(() => {});
}

main().catch(async (error: unknown) => {
  say(`demo: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
