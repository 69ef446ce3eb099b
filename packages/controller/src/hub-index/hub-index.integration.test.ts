// hub-index against a real registry, a real apiserver and the real controller (in-process): the
// controller creates the Repositories and Organizations from the Images hub-index applies.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { zstdCompressSync } from 'node:zlib';
import { buildCustomResourceDefinitions } from '@hub/api-types';
import {
  collectionPath,
  createKubeTransport,
  KUBE_RESOURCES,
  type KubeTransport,
  objectPath,
} from '@hub/datapack';
import { HUB_ICON_LABEL, HUB_KEYWORDS_LABEL } from '@hub/image-save';
import { type ControlPlane, type Registry, startControlPlane, startRegistry } from '@hub/test-env';
import {
  buildHelmChart,
  buildImage,
  bytesBlob,
  type Layer,
  type LayerFile,
  type ManifestNode,
  MediaType,
  pushManifestTree,
  sha256,
  tarBytes,
  tarGzipLayer,
} from '@hub/test-env/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager } from '../../test/harness.ts';
import { createImageStore, createPeriodicIndexer, type Manager, runHubIndexCli } from '../index.ts';

type Obj = {
  metadata: { name: string; resourceVersion: string; labels?: Record<string, string> };
  spec: Record<string, unknown> & { name: string; detail?: Record<string, unknown> };
  status?: Record<string, unknown>;
};

let cp: ControlPlane;
let registry: Registry;
let admin: KubeTransport;
let manager: Manager | undefined;
let work: string;
const pushed = new Map<string, ManifestNode>();

async function layer(files: LayerFile[], compression: 'gzip' | 'zstd' = 'gzip'): Promise<Layer> {
  if (compression === 'gzip') return tarGzipLayer(files, MediaType.ociLayerGzip);
  const tar = await tarBytes(files);
  return {
    ...bytesBlob(zstdCompressSync(tar), 'application/vnd.oci.image.layer.v1.tar+zstd'),
    diffId: sha256(tar),
  };
}

async function push(
  repo: string,
  tag: string,
  layers: Layer[],
  labels: Record<string, string> = {},
  created?: string,
) {
  const node = buildImage({
    layers,
    config: {
      ...(created ? { created } : {}),
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: labels },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    },
  });
  await pushManifestTree(registry.host, repo, tag, node);
  pushed.set(`${repo}:${tag}`, node);
  return node;
}

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runHubIndexCli(
    ['--kubeconfig', cp.kubeconfigPath, '--plain-http', registry.host, ...args],
    {
      stdout: sink((s) => {
        stdout += s;
      }),
      stderr: sink((s) => {
        stderr += s;
      }),
      env: {},
      isTTY: false,
    },
  );
  const lines = stdout.trim().split('\n');
  const summary = args.includes('--json') ? JSON.parse(lines.at(-1) ?? '{}') : undefined;
  return { code, stdout, stderr, summary };
}

async function list(kind: 'Image' | 'Repository' | 'Organization'): Promise<Obj[]> {
  const res = await admin.request<{ items: Obj[] }>(collectionPath(KUBE_RESOURCES[kind]), { verb: 'list' });
  return res.items;
}

async function get(kind: 'Image' | 'Repository' | 'Organization', name: string): Promise<Obj | undefined> {
  return admin.request<Obj>(objectPath(KUBE_RESOURCES[kind], name), { verb: 'get' }).catch(() => undefined);
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  seen: () => Promise<unknown> = async () => undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(await seen())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const versions = async () =>
  new Map((await list('Image')).map((i) => [i.metadata.name, i.metadata.resourceVersion]));

beforeAll(async () => {
  // A control plane and registry of our own: the controller's reconcilers act cluster-wide, and
  // `_catalog` must list only these fixtures.
  [cp, registry] = await Promise.all([startControlPlane(), startRegistry()]);
  await cp.installCRDs(buildCustomResourceDefinitions() as unknown as Record<string, unknown>[]);
  admin = await createKubeTransport(cp.kubeConfig);
  manager = await startTestManager(cp.kubeConfig);
  work = await mkdtemp(join(tmpdir(), 'hub-index-'));
  const base = await layer([{ path: 'bin/tool', content: 'binary' }]);
  const labels = {
    'org.opencontainers.image.description': 'A database operator',
    'org.opencontainers.image.url': 'https://example.com/app',
    [HUB_ICON_LABEL]: 'https://example.com/icon.png',
    [HUB_KEYWORDS_LABEL]: 'Database,operator',
  };
  for (const tag of ['v1', 'v2', 'v3']) {
    const top = await layer([{ path: 'README.md', content: `# app ${tag}\n` }]);
    await push('acme/app', tag, [base, top], labels, `2024-0${tag.slice(1)}-01T10:00:00Z`);
  }
  await push('tool', '1.0', [base]);
  const oldReadme = await layer([{ path: 'README.md', content: 'should be gone' }]);
  const whiteout = await layer([{ path: '.wh.README.md', content: '' }]);
  await push('acme/gone', '1', [oldReadme, whiteout]);
  await push('acme/zstd', '1', [await layer([{ path: 'README.md', content: 'zstd readme' }], 'zstd')]);
  await pushManifestTree(
    registry.host,
    'acme/chart',
    '0.1.0',
    await buildHelmChart({ name: 'c', version: '0.1.0', seed: 'x' }),
  );
}, 300_000);

afterAll(async () => {
  await manager?.stop();
  await admin?.close();
  await Promise.all([cp?.stop(), registry?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('hub-index', () => {
  it('indexes a registry into Images; the controller builds Repositories and Organizations from them', async () => {
    const readme = join(work, 'tool.md');
    await writeFile(readme, '# tool, from the command line\n');
    const run = await cli('--registry', registry.host, '--readme', `tool:1.0=${readme}`, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({
      type: 'summary',
      images: 7,
      created: 6,
      skipped: 1,
      failed: 0,
      changed: 6,
    });

    const app = await get('Image', 'acme.app.v1');
    const config = pushed.get('acme/app:v1');
    expect(app?.spec.name).toBe('acme/app:v1');
    expect(app?.spec.detail).toMatchObject({
      docs: '# app v1\n',
      description: 'A database operator',
      url: 'https://example.com/app',
      icon: 'https://example.com/icon.png',
      keywords: ['Database', 'operator'],
      ID: config?.blobs[0]?.digest,
      arch: 'amd64',
      // What the tag pointed at and its platforms, for the hub's pull-by-digest commands.
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      platforms: ['linux/amd64'],
      size: (config?.blobs[1]?.size ?? 0) + (config?.blobs[2]?.size ?? 0),
      creatTime: '2024-01-01T10:00:00Z',
    });
    expect(app?.metadata.labels).toMatchObject({
      'organization.imagehub.sealos.io': 'acme',
      'repository.imagehub.sealos.io': 'app',
      'tag.imagehub.sealos.io': 'v1',
    });
    // One-segment repositories go under library; --readme fills in for an image without README.
    const tool = await get('Image', 'library.tool.1.0');
    expect(tool?.spec.name).toBe('library/tool:1.0');
    expect(tool?.spec.detail?.docs).toBe('# tool, from the command line\n');
    expect(tool?.spec.detail?.creatTime).toBe('1970-01-01T00:00:00Z');
    // A README deleted by a whiteout in an upper layer is not used; a zstd layer is read.
    expect((await get('Image', 'acme.gone.1'))?.spec.detail?.docs).toBeUndefined();
    expect((await get('Image', 'acme.zstd.1'))?.spec.detail?.docs).toBe('zstd readme');
    expect(await get('Image', 'acme.chart.0.1.0')).toBeUndefined();

    const repo = await eventually(
      'Repository acme.app with three tags',
      async () => {
        const r = await get('Repository', 'acme.app');
        const tags = (r?.status?.tags as { name: string }[] | undefined)?.map((t) => t.name).sort();
        return tags?.join() === 'v1,v2,v3' ? r : undefined;
      },
      () => get('Repository', 'acme.app'),
    );
    expect(repo.spec.name).toBe('acme/app');
    expect((repo.status?.latestTag as { name?: string } | undefined)?.name).toBe('v3');
    await eventually('Organization acme and library', async () =>
      (await get('Organization', 'acme')) && (await get('Organization', 'library')) ? true : undefined,
    );
    await eventually('Repository library.tool', () => get('Repository', 'library.tool'));
  });

  it('a second run changes nothing and writes nothing', async () => {
    // The controller writes to Images too (owner references); stop it so resourceVersions only
    // move if hub-index writes.
    await manager?.stop();
    manager = undefined;
    const before = await versions();
    const readme = join(work, 'tool.md');
    const run = await cli('--registry', registry.host, '--readme', `tool:1.0=${readme}`);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0 changed');
    expect(run.stdout).toContain('6 unchanged');
    expect(await versions()).toEqual(before);
    // Unchanged tags are recognised by their digest alone: no layer is read again.
    const json = await cli('--registry', registry.host, '--readme', `tool:1.0=${readme}`, '--json');
    expect(json.summary).toMatchObject({ changed: 0, unchanged: 6, bytesRead: 0 });
    // Without --readme the tool image's docs would go: that is a change, and it is detected.
    const dry = await cli('--registry', registry.host, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('name: library/tool:1.0');
    expect(dry.stdout).not.toContain('name: acme/app:v1');
    expect(await versions()).toEqual(before);
  });

  it('reads a storage directory, filters repositories, and prunes tags that are gone', async () => {
    const v2 = pushed.get('acme/app:v2');
    const res = await fetch(`${registry.url}/v2/acme/app/manifests/${v2?.manifest.digest}`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(202);
    const keep = await versions();
    const run = await cli('--dir', registry.storageDir, '--repository', 'acme/ap*', '--prune', '--json');
    expect(run.code).toBe(0);
    // The source annotation now names the directory: both Images are updated once.
    expect(run.summary).toMatchObject({ images: 2, updated: 2, pruned: 1, changed: 3 });
    expect(await get('Image', 'acme.app.v2')).toBeUndefined();
    expect(await get('Image', 'acme.app.v1')).toBeDefined();
    // Other repositories were not indexed: nothing of theirs was pruned or written.
    const others = (m: Map<string, string>) => [...m].filter(([name]) => !name.startsWith('acme.app.'));
    expect(others(await versions())).toEqual(others(keep));
    expect(others(keep)).toHaveLength(3);
  });

  it('exits 1 naming each failed image while indexing the others, and 2 on bad usage', async () => {
    const run = await cli(
      `${registry.host}/acme/zstd:1`,
      `${registry.host}/acme/missing:1`,
      `${registry.host}/a/b/c:1`,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`FAILED ${registry.host}/acme/missing:1`);
    expect(run.stderr).toContain(`FAILED ${registry.host}/a/b/c:1`);
    expect(run.stdout).toContain('1 unchanged');
    expect((await cli('--registry', registry.host, 'x:1')).code).toBe(2);
    expect((await cli('x:1', '--prune')).code).toBe(2);
    expect((await cli('--registry', registry.host, '--type', 'bogus')).code).toBe(2);
  });

  it('the periodic indexer follows pushes, and only while it leads', async () => {
    await push('acme/zstd', '2', [await layer([{ path: 'README.md', content: 'pushed later' }], 'zstd')]);
    let leader = false;
    const runs: number[] = [];
    const errors: string[] = [];
    const indexer = createPeriodicIndexer({
      store: createImageStore(admin),
      registry: registry.host,
      repositories: ['acme/zstd'],
      plainHttp: [registry.host],
      intervalMs: 200,
      isLeader: () => leader,
      onRun: (r) => runs.push(r.summary.changed),
      log: { info: () => {}, error: (msg, fields) => errors.push(`${msg} ${JSON.stringify(fields)}`) },
    });
    try {
      expect(await indexer.runOnce()).toBeUndefined();
      expect(await get('Image', 'acme.zstd.2')).toBeUndefined();
      leader = true;
      const image = await eventually(
        'Image acme.zstd.2',
        () => get('Image', 'acme.zstd.2'),
        async () => ({ runs, errors }),
      );
      expect(image.spec.detail?.docs).toBe('pushed later');
      // The next turn finds nothing to do: an idempotent run writes nothing.
      await eventually('a run that changes nothing', async () => (runs.includes(0) ? true : undefined));
      expect(runs[0]).toBeGreaterThan(0);
    } finally {
      await indexer.stop();
    }
  });
});
