import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type SaveEvent, saveImages } from '@hub/image-save';
import { digestBytes, RegistryStorage } from '@hub/image-save/storage';
import { type Registry, startFaultProxy, startRegistry } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorpusBuilder, type PushedImage } from './corpus.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
const node = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'node');

let source: Registry;
let app: PushedImage;
let chart: PushedImage;
let single: PushedImage;
let big: PushedImage;
let chartBytes: Uint8Array;
const dirs: string[] = [];

async function tempDir(prefix: string) {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  source = await startRegistry();
  const b = new CorpusBuilder(source.host);
  const shared = randomBytes(300_000);
  app = await b.multiArch('team/app', 'v1', shared, 200_000);
  chartBytes = randomBytes(20_000);
  chart = await b.chart('charts/demo', '0.1.0', chartBytes);
  single = await b.single('library/tool', 'latest', [shared, randomBytes(3000)]);
  big = await b.single('team/big', '1', [randomBytes(48 * 1024 * 1024)]);
  await b.close();
});

afterAll(async () => {
  await source?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function skopeo(...args: string[]) {
  return run('skopeo', args, { maxBuffer: 64 * 1024 * 1024 });
}

describe('saveImages round trip through a stock docker-registry', () => {
  it('serves every saved tag with the source digest, pulls the selected platform, keeps the chart byte-exact', async () => {
    const dir = await tempDir('hub-save-rt-');
    const result = await saveImages({
      images: [
        `${source.host}/team/app:v1`,
        `${source.host}/charts/demo:0.1.0`,
        `${source.host}/library/tool`,
      ],
      dir,
      plainHttp: [source.host],
      platforms: ['linux/arm64/v8'],
      auth: false,
    });
    expect(result.images.map((r) => r.status)).toEqual(['saved', 'saved', 'saved']);
    expect(result.images.map((r) => r.digest)).toEqual([app.digest, chart.digest, single.digest]);
    // The shared layer was fetched once although two repositories use it.
    expect(result.summary.blobsFetched).toBe(
      new Set([
        ...(app.blobs['linux/arm64/v8'] ?? []),
        ...(chart.blobs.artifact ?? []),
        ...(single.blobs['linux/amd64'] ?? []),
      ]).size,
    );

    const served = await startRegistry({ storageDir: dir, readOnly: true });
    try {
      for (const [repo, tag, digest] of [
        ['team/app', 'v1', app.digest],
        ['charts/demo', '0.1.0', chart.digest],
        ['library/tool', 'latest', single.digest],
      ] as const) {
        const { stdout } = await skopeo(
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${served.host}/${repo}:${tag}`,
        );
        expect(digestBytes(new TextEncoder().encode(stdout))).toBe(digest);
      }
      const out = await tempDir('hub-save-pull-');
      await skopeo(
        'copy',
        '--src-tls-verify=false',
        '--override-arch',
        'arm64',
        `docker://${served.host}/team/app:v1`,
        `dir:${join(out, 'arm64')}`,
      );
      const pulled = await readdir(join(out, 'arm64'));
      for (const blob of app.blobs['linux/arm64/v8'] ?? []) expect(pulled).toContain(blob.slice(7));
      // The unselected platforms take no space.
      const storage = new RegistryStorage(dir);
      for (const key of ['linux/amd64', 'linux/arm/v7']) {
        expect(await storage.hasBlob(app.children[key] as string)).toBe(false);
        // (the amd64 config is byte-identical to library/tool's, which was saved)
        const kept = new Set([
          ...(app.blobs['linux/arm64/v8'] ?? []),
          ...(single.blobs['linux/amd64'] ?? []),
        ]);
        const own = (app.blobs[key] ?? []).filter((d) => !kept.has(d));
        expect(own.length).toBeGreaterThan(0);
        for (const d of own) expect(await storage.hasBlob(d)).toBe(false);
      }
      await expect(
        skopeo(
          'inspect',
          '--tls-verify=false',
          '--override-arch',
          'amd64',
          `docker://${served.host}/team/app:v1`,
        ),
      ).rejects.toThrow();
      // The chart's content layer comes back byte-identical.
      await skopeo(
        'copy',
        '--src-tls-verify=false',
        `docker://${served.host}/charts/demo:0.1.0`,
        `dir:${join(out, 'chart')}`,
      );
      const layer = chart.blobs.artifact?.[1] as string;
      const { readFile } = await import('node:fs/promises');
      expect(Buffer.compare(await readFile(join(out, 'chart', layer.slice(7))), chartBytes)).toBe(0);
    } finally {
      await served.stop();
    }
  });

  it('writes a filtered index when asked, recording the source index digest', async () => {
    const dir = await tempDir('hub-save-filtered-');
    const result = await saveImages({
      images: [`${source.host}/team/app:v1`],
      dir,
      plainHttp: [source.host],
      platforms: ['linux/amd64'],
      filteredIndex: true,
      auth: false,
    });
    expect(result.images[0]?.status).toBe('saved');
    const storage = new RegistryStorage(dir);
    const tagged = (await storage.resolveTag('team/app', 'v1')) as string;
    expect(tagged).not.toBe(app.digest);
    const index = JSON.parse(new TextDecoder().decode(await storage.readBlobBytes(tagged)));
    expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([app.children['linux/amd64']]);
    expect(index.annotations['dev.hub.image-save.source-index.digest']).toBe(app.digest);
    const again = await saveImages({
      images: [`${source.host}/team/app:v1`],
      dir,
      plainHttp: [source.host],
      platforms: ['linux/amd64'],
      filteredIndex: true,
      auth: false,
    });
    expect(again.images[0]?.upToDate).toBe(true);
  });
});

describe('re-runs and faults', () => {
  it('a second run of a finished save only HEADs manifests: zero blob GETs', async () => {
    const proxy = await startFaultProxy(source.host);
    try {
      const dir = await tempDir('hub-save-idem-');
      const images = [`${proxy.host}/team/app:v1`, `${proxy.host}/charts/demo:0.1.0`];
      const first = await saveImages({
        images,
        dir,
        plainHttp: [proxy.host],
        allPlatforms: true,
        auth: false,
      });
      expect(first.summary.failed).toBe(0);
      expect(proxy.blobGets).toBeGreaterThan(0);
      proxy.blobGets = 0;
      proxy.manifestGets = 0;
      proxy.manifestHeads = 0;
      const second = await saveImages({
        images,
        dir,
        plainHttp: [proxy.host],
        allPlatforms: true,
        auth: false,
      });
      expect(second.summary).toMatchObject({ saved: 2, upToDate: 2, bytesFetched: 0, blobsFetched: 0 });
      expect(proxy.blobGets).toBe(0);
      expect(proxy.manifestGets).toBe(0);
      expect(proxy.manifestHeads).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('resumes with Range after a connection drops mid-blob', async () => {
    const proxy = await startFaultProxy(source.host, {
      fault: { kind: 'reset' },
      on: 'blob',
      times: 1,
      // The 48 MiB layer: a tiny config cut after a few hundred bytes may fail before any byte is on disk.
      minBytes: 1024 * 1024,
    });
    try {
      const dir = await tempDir('hub-save-drop-');
      const events: SaveEvent[] = [];
      const r = await saveImages({
        images: [`${proxy.host}/team/big:1`],
        dir,
        plainHttp: [proxy.host],
        auth: false,
        onEvent: (e) => events.push(e),
      });
      expect(r.images[0]?.status).toBe('saved');
      expect(proxy.rangeRequests.length).toBeGreaterThan(0);
      expect(events.some((e) => e.type === 'blob-retry')).toBe(true);
      const layer = big.blobs['linux/amd64']?.[1] as string;
      expect(await new RegistryStorage(dir).blobSize(layer)).toBe(48 * 1024 * 1024);
    } finally {
      await proxy.close();
    }
  });

  it('retries 429 (honouring Retry-After) and 500', async () => {
    for (const mode of [
      { kind: 'status', status: 429, retryAfter: '1' },
      { kind: 'status', status: 500 },
    ] as const) {
      const proxy = await startFaultProxy(source.host, { fault: mode, on: 'blob', times: 2 });
      try {
        const dir = await tempDir('hub-save-status-');
        const started = Date.now();
        const events: SaveEvent[] = [];
        const r = await saveImages({
          images: [`${proxy.host}/charts/demo:0.1.0`],
          dir,
          plainHttp: [proxy.host],
          auth: false,
          concurrency: 1,
          onEvent: (e) => events.push(e),
        });
        expect(r.images[0]?.status).toBe('saved');
        // Blob requests are retried by the blob fetcher (resuming from the last byte): blob-retry events.
        const retries = events.filter((e) => e.type === 'blob-retry');
        expect(retries.length).toBe(2);
        if (mode.status === 429) {
          expect(retries.every((e) => e.type === 'blob-retry' && e.delayMs === 1000)).toBe(true);
          expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
        }
      } finally {
        await proxy.close();
      }
    }
  });

  it('rejects corrupted bytes and keeps nothing of the blob', async () => {
    const proxy = await startFaultProxy(source.host, { fault: { kind: 'corrupt' }, on: 'blob' });
    try {
      const dir = await tempDir('hub-save-corrupt-');
      const r = await saveImages({
        images: [`${proxy.host}/charts/demo:0.1.0`],
        dir,
        plainHttp: [proxy.host],
        auth: false,
      });
      expect(r.images[0]?.status).toBe('failed');
      expect(r.images[0]?.error?.message).toMatch(/hashes to/);
      const storage = new RegistryStorage(dir);
      for (const d of chart.blobs.artifact ?? []) expect(await storage.hasBlob(d)).toBe(false);
      expect(await storage.resolveTag('charts/demo', '0.1.0')).toBeUndefined();
      const partials = await readdir(join(dir, '.hub-save', 'partial')).catch(() => []);
      expect(partials).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('hub-save CLI', () => {
  it('resumes a large blob after kill -9', async () => {
    const proxy = await startFaultProxy(source.host, { fault: { kind: 'throttle', tickMs: 20 }, on: 'blob' });
    const dir = await tempDir('hub-save-kill-');
    try {
      // The same command twice: killed part-way, then re-run to finish.
      const args = ['--conditions=@hub/source', cli, '--dir', dir, '--plain-http', proxy.host, '--json'];
      const child = spawn(node, [...args, `${proxy.host}/team/big:1`], { stdio: 'ignore' });
      const partialDir = join(dir, '.hub-save', 'partial');
      const deadline = Date.now() + 60_000;
      let size = 0;
      while (Date.now() < deadline) {
        const names = await readdir(partialDir).catch(() => [] as string[]);
        const big = names.find((n) => n.endsWith('.partial'));
        if (big) size = (await stat(join(partialDir, big)).catch(() => ({ size: 0 }))).size;
        if (size > 4 * 1024 * 1024) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(size).toBeGreaterThan(4 * 1024 * 1024);
      const layer = big.blobs['linux/amd64']?.[1] as string;
      const storage = new RegistryStorage(dir);
      expect(await storage.hasBlob(layer)).toBe(false);
      expect(await storage.resolveTag('team/big', '1')).toBeUndefined();

      proxy.rules = [];
      const { stdout } = await run(node, [...args, `${proxy.host}/team/big:1`]);
      const events = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const start = events.find((e) => e.type === 'blob-start' && e.digest === layer);
      expect(start.offset).toBeGreaterThan(0);
      expect(events.at(-1)).toMatchObject({ type: 'summary', saved: 1, failed: 0 });
      expect(proxy.rangeRequests.some((r) => r.startsWith('bytes='))).toBe(true);
      expect(await storage.blobSize(layer)).toBe(48 * 1024 * 1024);
      expect(await storage.resolveTag('team/big', '1')).toBe(big.digest);
    } finally {
      await proxy.close();
    }
  });

  it('reports bad input clearly, saves the rest, exits non-zero', async () => {
    const dir = await tempDir('hub-save-bad-');
    const result = await run(node, [
      '--conditions=@hub/source',
      cli,
      '--dir',
      dir,
      '--plain-http',
      source.host,
      '--json',
      'Not/Valid:Ref!',
      'no-such-host.invalid/x/y:1',
      `${source.host}/team/missing:1`,
      `${source.host}/charts/demo:0.1.0`,
    ]).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1) as string);
    const byRef = Object.fromEntries(summary.images.map((i: { reference: string }) => [i.reference, i]));
    expect(byRef['Not/Valid:Ref!'].error.code).toBe('INVALID_REFERENCE');
    expect(byRef['no-such-host.invalid/x/y:1'].error.message).toMatch(/no-such-host\.invalid/);
    expect(byRef[`${source.host}/team/missing:1`].error.code).toBe('NOT_FOUND');
    expect(byRef[`${source.host}/team/missing:1`].error.message).toContain('team/missing');
    expect(byRef[`${source.host}/charts/demo:0.1.0`].status).toBe('saved');
  });

  it('prints help with examples and rejects conflicting platform flags', async () => {
    const { stdout } = await run(node, ['--conditions=@hub/source', cli, '--help']);
    expect(stdout).toContain('Examples:');
    const bad = await run(node, [
      '--conditions=@hub/source',
      cli,
      '--dir',
      '/tmp/x',
      '--arch',
      'amd64',
      '--all-platforms',
      'a:1',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
  });
});
