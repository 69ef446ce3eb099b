import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRegistryServer, exportKubePkg, importKubePkg, kubePkgFromManifests } from '@hub/kubepkg';
import type { KubePkg } from '@hub/kubepkg/spec';
import { startRegistry } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { skopeoDigest } from './skopeo-digest.ts';

const run = promisify(execFile);
const env = inject('hubTestEnv');
const KEYS = [
  'oci-multiarch',
  'docker-manifest-list',
  'oci-single',
  'docker-single',
  'deep-path',
  'attested',
  'helm-chart',
] as const;

let work: string;
let pkg: KubePkg;
let archivePath: string;
let exported: Awaited<ReturnType<typeof exportKubePkg>>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kubepkg-it-'));
  const images = KEYS.map((key) => env.fixtures.images[key].reference);
  pkg = kubePkgFromManifests(
    [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'demo' },
        spec: {
          template: {
            spec: {
              initContainers: [{ name: 'init', image: images[0] }],
              containers: images.slice(1).map((image, i) => ({ name: `c${i}`, image })),
            },
          },
        },
      },
    ],
    { name: 'demo', version: '1.0.0' },
  );
  archivePath = join(work, 'demo.kubepkg.tgz');
  exported = await exportKubePkg({
    input: pkg,
    platforms: ['linux/amd64', 'linux/arm64'],
    output: archivePath,
    client: { plainHttp: [env.registry], auth: false },
  });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('export', () => {
  it('pins every image to the digest the source registry serves', () => {
    const document = exported.document as KubePkg;
    for (const key of KEYS) {
      expect(document.spec.images[env.fixtures.images[key].reference]).toBe(env.fixtures.images[key].digest);
    }
    expect(exported.blobs.length).toBeGreaterThan(KEYS.length);
  });

  it('is byte-identical when exported again', async () => {
    const again = join(work, 'again.kubepkg.tgz');
    await exportKubePkg({
      input: pkg,
      platforms: ['linux/amd64', 'linux/arm64'],
      output: again,
      client: { plainHttp: [env.registry], auth: false },
    });
    expect((await readFile(again)).equals(await readFile(archivePath))).toBe(true);
  });

  it('leaves out blobs the target inventory has', async () => {
    const patch = join(work, 'patch.kubepkg.tgz');
    const result = await exportKubePkg({
      input: pkg,
      output: patch,
      since: exported.document,
      client: { plainHttp: [env.registry], auth: false },
    });
    expect(result.skipped.length).toBeGreaterThan(0);
    expect(result.blobs.every((b) => !result.skipped.some((s) => s.digest === b.digest))).toBe(true);
  });
});

describe('import to a directory, served by docker-registry and kubepkg serve', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(work, 'storage');
    await importKubePkg(archivePath, { dir });
  });

  it('docker-registry serves every image with the source digest (skopeo)', async () => {
    const registry = await startRegistry({ storageDir: dir, readOnly: true });
    try {
      for (const key of KEYS) {
        const fixture = env.fixtures.images[key];
        expect(await skopeoDigest(`${registry.host}/${fixture.repository}:${fixture.tag}`)).toBe(
          fixture.digest,
        );
      }
      const single = env.fixtures.images['oci-single'];
      await run('skopeo', [
        'copy',
        '--src-tls-verify=false',
        `docker://${registry.host}/${single.repository}:${single.tag}`,
        `dir:${join(work, 'copy-a')}`,
      ]);
    } finally {
      await registry.stop();
    }
  });

  it('kubepkg serve serves every image with the source digest (skopeo) and rejects pushes', async () => {
    const server = createRegistryServer({ dir });
    const host = await server.listen('127.0.0.1:0');
    try {
      for (const key of KEYS) {
        const fixture = env.fixtures.images[key];
        expect(await skopeoDigest(`${host}/${fixture.repository}:${fixture.tag}`)).toBe(fixture.digest);
      }
      const multi = env.fixtures.images['oci-multiarch'];
      await run('skopeo', [
        'copy',
        '--src-tls-verify=false',
        `docker://${host}/${multi.repository}:${multi.tag}`,
        `dir:${join(work, 'copy-b')}`,
      ]);
      const push = await fetch(`http://${host}/v2/${multi.repository}/blobs/uploads/`, { method: 'POST' });
      expect(push.status).toBe(405);
      const traversal = await fetch(`http://${host}/v2/..%2f..%2fetc/manifests/latest`);
      expect(traversal.status).toBe(404);
      const catalog = await fetch(`http://${host}/v2/_catalog?n=2`);
      expect(catalog.headers.get('link')).toContain('last=');
      expect(((await catalog.json()) as { repositories: string[] }).repositories).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('re-import is idempotent', async () => {
    const again = await importKubePkg(archivePath, { dir });
    expect(again.written).toBe(0);
  });
});

describe('import to a live registry', () => {
  it('explains that a validating registry needs every index child', async () => {
    const registry = await startRegistry({});
    try {
      const error = await importKubePkg(archivePath, {
        registry: registry.host,
        client: { plainHttp: [registry.host], auth: false },
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'PUSH_INDEX_INCOMPLETE',
        message: expect.stringContaining('--platform all'),
      });
    } finally {
      await registry.stop();
    }
  });

  it('pushes a full package; skopeo sees the source digests', async () => {
    const full = join(work, 'full.kubepkg.tgz');
    await exportKubePkg({
      input: pkg,
      platforms: 'all',
      attestations: true,
      output: full,
      client: { plainHttp: [env.registry], auth: false },
    });
    const registry = await startRegistry({});
    try {
      await importKubePkg(full, {
        registry: registry.host,
        client: { plainHttp: [registry.host], auth: false },
      });
      for (const key of KEYS) {
        const fixture = env.fixtures.images[key];
        expect(await skopeoDigest(`${registry.host}/${fixture.repository}:${fixture.tag}`)).toBe(
          fixture.digest,
        );
      }
      const again = await importKubePkg(full, {
        registry: registry.host,
        client: { plainHttp: [registry.host], auth: false },
      });
      expect(again.written).toBe(0);
    } finally {
      await registry.stop();
    }
  });
});

describe('kubepkg serve HTTP behaviour', () => {
  it('imports over the authenticated endpoint, then serves Range, HEAD, tags pagination and Accept negotiation', async () => {
    const dir = join(work, 'served');
    const server = createRegistryServer({ dir, importToken: 's3cret' });
    const host = await server.listen('127.0.0.1:0');
    try {
      const body = await readFile(archivePath);
      const denied = await fetch(`http://${host}/api/kubepkg/import`, {
        method: 'POST',
        body,
        headers: { authorization: 'Bearer nope' },
      });
      expect(denied.status).toBe(401);
      const imported = await fetch(`http://${host}/api/kubepkg/import`, {
        method: 'POST',
        body,
        headers: { authorization: 'Bearer s3cret' },
      });
      expect(imported.status).toBe(200);
      expect(((await imported.json()) as { tags: string[] }).tags.length).toBe(KEYS.length);
      const hostile = await fetch(`http://${host}/api/kubepkg/import`, {
        method: 'POST',
        body: body.subarray(0, 1000),
        headers: { authorization: 'Bearer s3cret' },
      });
      expect(hostile.status).toBe(400);
      expect(((await hostile.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe(
        'ARCHIVE_TRUNCATED',
      );

      const single = env.fixtures.images['oci-single'];
      const layer = single.blobs[single.blobs.length - 1] as string;
      const head = await fetch(`http://${host}/v2/${single.repository}/blobs/${layer}`, { method: 'HEAD' });
      expect(head.headers.get('docker-content-digest')).toBe(layer);
      const size = Number(head.headers.get('content-length'));
      const ranged = await fetch(`http://${host}/v2/${single.repository}/blobs/${layer}`, {
        headers: { range: 'bytes=2-9' },
      });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-range')).toBe(`bytes 2-9/${size}`);
      expect((await ranged.arrayBuffer()).byteLength).toBe(8);

      const oci = await fetch(`http://${host}/v2/${single.repository}/manifests/${single.tag}`, {
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      expect(oci.status).toBe(404);
      const ok = await fetch(`http://${host}/v2/${single.repository}/manifests/${single.tag}`, {
        headers: { accept: single.mediaType },
      });
      expect(ok.headers.get('content-type')).toBe(single.mediaType);
      expect(ok.headers.get('docker-content-digest')).toBe(single.digest);

      const list = env.fixtures.images['docker-manifest-list'];
      const child = await fetch(`http://${host}/v2/${list.repository}/manifests/${list.tag}`, {
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      expect(child.status).toBe(200);
      expect(child.headers.get('content-type')).toBe('application/vnd.docker.distribution.manifest.v2+json');
      expect(child.headers.get('docker-content-digest')).not.toBe(list.digest);

      const mirror = await fetch(
        `http://${host}/v2/${single.repository}/manifests/${single.tag}?ns=${env.registry}`,
        { method: 'HEAD' },
      );
      expect(mirror.headers.get('docker-content-digest')).toBe(single.digest);
      const encoded = await fetch(`http://${host}/v2/fixtures%2F..%2F../manifests/${single.tag}`);
      expect(encoded.status).toBe(404);
      expect((await fetch(`http://${host}/healthz`)).status).toBe(200);
      expect((await fetch(`http://${host}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('kubepkg CLI', () => {
  const cli = (...args: string[]) =>
    run(
      join(import.meta.dirname, '../../../node_modules/.bin/node'),
      ['--conditions=@hub/source', join(import.meta.dirname, '../src/cli.ts'), ...args],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );

  // --json is NDJSON: events, then the summary as the last line.
  const summary = (stdout: string) => {
    const lines = stdout.trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1] as string);
    expect(last.type).toBe('summary');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    return last;
  };

  it('export → import → inventory → incremental export with --inventory carries no layers', async () => {
    const input = join(work, 'cli-input.json');
    await writeFile(input, JSON.stringify(pkg));
    const out = join(work, 'cli.kubepkg.tgz');
    const exportedCli = summary(
      (
        await cli(
          'export',
          input,
          '-o',
          out,
          '--platform',
          'linux/amd64',
          '--plain-http',
          env.registry,
          '--json',
        )
      ).stdout,
    );
    expect(exportedCli.blobs).toBeGreaterThan(0);
    const dir = join(work, 'cli-storage');
    const imported = summary((await cli('import', out, '--dir', dir, '--json')).stdout);
    expect(imported.tags.length).toBe(KEYS.length);
    const inventory = join(work, 'inventory.json');
    await writeFile(inventory, (await cli('inventory', '--dir', dir, '--json')).stdout);
    const patch = summary(
      (
        await cli(
          'export',
          input,
          '-o',
          join(work, 'cli-patch.tgz'),
          '--platform',
          'linux/amd64',
          '--inventory',
          inventory,
          '--plain-http',
          env.registry,
          '--json',
        )
      ).stdout,
    );
    expect(patch.skipped).toBeGreaterThan(0);
    const blobsInPatch = patch.blobs;
    expect(blobsInPatch).toBeLessThan(exportedCli.blobs);
    const failure = await cli('import', join(work, 'missing.tgz'), '--dir', dir).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure).toMatchObject({ code: 1 });
  });
});

describe('kubepkg serve as a pull-through cache', () => {
  it('fetches missing manifests and blobs from the upstream registry and keeps them', async () => {
    const dir = join(work, 'cache');
    const server = createRegistryServer({
      dir,
      upstream: { registry: env.registry, client: { plainHttp: [env.registry], auth: false } },
    });
    const host = await server.listen('127.0.0.1:0');
    try {
      const single = env.fixtures.images['docker-single'];
      expect(await skopeoDigest(`${host}/${single.repository}:${single.tag}`)).toBe(single.digest);
      await run('skopeo', [
        'copy',
        '--src-tls-verify=false',
        `docker://${host}/${single.repository}:${single.tag}`,
        `dir:${join(work, 'copy-cache')}`,
      ]);
    } finally {
      await server.close();
    }
    // Served again from the directory alone, without upstream.
    const offline = createRegistryServer({ dir });
    const offlineHost = await offline.listen('127.0.0.1:0');
    try {
      const single = env.fixtures.images['docker-single'];
      expect(await skopeoDigest(`${offlineHost}/${single.repository}:${single.tag}`)).toBe(single.digest);
    } finally {
      await offline.close();
    }
  });
});
