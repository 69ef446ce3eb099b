// hub-save behind a flaky link: a fault-injecting proxy (@hub/test-env) in front of a stock registry.
// Every run is checked independently of hub-save: each stored blob hashes to its name, a read-only stock
// docker-registry over the saved dir serves every saved tag at the source digest (skopeo), and a failed
// image leaves no tag and nothing the registry would serve.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type SaveEvent, type SaveImagesOptions, saveImages } from '@hub/image-save';
import { digestBytes, RegistryStorage } from '@hub/image-save/storage';
import { type FaultRule, type Registry, startFaultProxy, startRegistry } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorpusBuilder, type PushedImage } from './corpus.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
const node = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'node');
const MiB = 1024 * 1024;

let source: Registry;
let app: PushedImage;
let big: PushedImage;
const dirs: string[] = [];

beforeAll(async () => {
  source = await startRegistry();
  const b = new CorpusBuilder(source.host);
  app = await b.multiArch('faults/app', 'v1', randomBytes(50_000), 20_000);
  big = await b.single('faults/big', '1', [randomBytes(4 * MiB)]);
  await b.close();
});

afterAll(async () => {
  await source?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'hub-save-faults-'));
  dirs.push(d);
  return d;
}

/** Every file under blobs/ hashes to the digest its path names. Returns how many there are. */
async function everyBlobHashesToItsName(dir: string): Promise<number> {
  const root = join(dir, 'docker', 'registry', 'v2', 'blobs', 'sha256');
  let count = 0;
  for (const prefix of await readdir(root).catch(() => [] as string[])) {
    for (const hex of await readdir(join(root, prefix))) {
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(join(root, prefix, hex, 'data')))
        hash.update(chunk as Buffer);
      expect(hash.digest('hex'), `blob ${hex}`).toBe(hex);
      count++;
    }
  }
  return count;
}

/** What a stock registry over `dir` serves for each tag: the manifest digest, or undefined when it serves none. */
async function servedDigests(dir: string, tags: readonly string[]): Promise<(string | undefined)[]> {
  const served = await startRegistry({ storageDir: dir, readOnly: true });
  try {
    const out: (string | undefined)[] = [];
    for (const tag of tags) {
      const raw = await run(
        'skopeo',
        ['inspect', '--raw', '--tls-verify=false', `docker://${served.host}/${tag}`],
        {
          maxBuffer: 16 * MiB,
        },
      ).catch(() => undefined);
      out.push(raw ? digestBytes(new TextEncoder().encode(raw.stdout)) : undefined);
    }
    return out;
  } finally {
    await served.stop();
  }
}

async function saveThrough(rules: FaultRule[], extra: Partial<SaveImagesOptions> = {}) {
  const proxy = await startFaultProxy(source.host, rules);
  const dir = await tempDir();
  const events: SaveEvent[] = [];
  try {
    const result = await saveImages({
      images: [`${proxy.host}/faults/app:v1`, `${proxy.host}/faults/big:1`],
      dir,
      plainHttp: [proxy.host],
      allPlatforms: true,
      auth: false,
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      onEvent: (e) => events.push(e),
      ...extra,
    });
    return { result, events, dir, injected: proxy.injected };
  } finally {
    await proxy.close();
  }
}

async function expectSavedAndServed(dir: string) {
  expect(await everyBlobHashesToItsName(dir)).toBeGreaterThan(0);
  expect(await servedDigests(dir, ['faults/app:v1', 'faults/big:1'])).toEqual([app.digest, big.digest]);
}

const bigBody = { minBytes: MiB };
const cases: { name: string; rules: FaultRule[]; extra?: Partial<SaveImagesOptions> }[] = [
  { name: 'manifest reset mid-body', rules: [{ fault: { kind: 'reset' }, on: 'manifest', times: 2 }] },
  { name: 'manifest truncated mid-body', rules: [{ fault: { kind: 'truncate' }, on: 'manifest', times: 2 }] },
  { name: 'blob reset mid-body', rules: [{ fault: { kind: 'reset' }, on: 'blob', times: 2, ...bigBody }] },
  {
    name: 'blob truncated mid-body',
    rules: [{ fault: { kind: 'truncate' }, on: 'blob', times: 2, ...bigBody }],
  },
  {
    name: '429 with Retry-After on a manifest',
    rules: [{ fault: { kind: 'status', status: 429, retryAfter: '1' }, on: 'manifest', times: 1 }],
  },
  {
    name: '5xx on manifests and blobs',
    rules: [
      { fault: { kind: 'status', status: 503 }, on: 'manifest', times: 2 },
      { fault: { kind: 'status', status: 502 }, on: 'blob', times: 2 },
    ],
  },
  {
    name: 'a blob stalled longer than the idle timeout',
    rules: [{ fault: { kind: 'stall', ms: 3000 }, on: 'blob', times: 1, ...bigBody }],
    extra: { idleTimeoutMs: 800 },
  },
  {
    name: 'a manifest stalled longer than the idle timeout',
    rules: [{ fault: { kind: 'stall', ms: 3000 }, on: 'manifest', times: 1 }],
    extra: { idleTimeoutMs: 800 },
  },
  {
    name: 'everything mixed',
    rules: [
      { fault: { kind: 'reset' }, on: 'manifest', times: 1 },
      { fault: { kind: 'status', status: 503 }, on: 'manifest', times: 1 },
      { fault: { kind: 'truncate' }, on: 'manifest', times: 1 },
      { fault: { kind: 'status', status: 429, retryAfter: '0' }, on: 'blob', times: 1 },
      { fault: { kind: 'reset' }, on: 'blob', times: 1, ...bigBody },
      { fault: { kind: 'truncate' }, on: 'blob', times: 1, ...bigBody },
    ],
  },
];

describe('hub-save rides out each fault, alone and mixed', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const wanted = c.rules.reduce((n, r) => n + (r.times ?? 0), 0);
      const { result, events, dir, injected } = await saveThrough(c.rules, c.extra);
      // The faults really happened, and every one of them shows as a retry event.
      expect(injected.length).toBe(wanted);
      const retries = events.filter((e) => e.type === 'retry' || e.type === 'blob-retry');
      expect(retries.length).toBe(wanted);
      expect(result.images.map((r) => [r.status, r.error?.message])).toEqual([
        ['saved', undefined],
        ['saved', undefined],
      ]);
      await expectSavedAndServed(dir);
    });
  }

  it('reports a manifest retry with the digest being fetched', async () => {
    const { events } = await saveThrough([{ fault: { kind: 'reset' }, on: 'manifest', times: 1 }]);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', attempt: 1, error: { code: 'NETWORK' } });
    // Both top manifests are fetched by digest after the tag HEAD, concurrently: either may be the one cut.
    expect([app.digest, big.digest]).toContain(retry?.type === 'retry' ? retry.reference : undefined);
  });
});

describe('hub-save fails cleanly when the faults do not stop', () => {
  it('corrupted manifests: the image fails naming the digest and the tries, and nothing is visible', async () => {
    const { result, dir } = await saveThrough([
      { fault: { kind: 'corrupt' }, on: 'manifest', path: /faults\/app/ },
    ]);
    const failed = result.images[0];
    expect(failed?.status).toBe('failed');
    expect(failed?.error?.code).toBe('DIGEST_MISMATCH');
    const message = failed?.error?.message ?? '';
    expect(message.split(failed?.reference ?? '\0').length - 1).toBe(1);
    expect(message).toContain(app.digest);
    expect(message).toMatch(/gave up after 5 tries/);
    // The other image is unaffected; the failed one has no tag and the registry serves nothing for it.
    expect(result.images[1]?.status).toBe('saved');
    expect(await new RegistryStorage(dir).resolveTag('faults/app', 'v1')).toBeUndefined();
    expect(await servedDigests(dir, ['faults/app:v1', 'faults/big:1'])).toEqual([undefined, big.digest]);
    await everyBlobHashesToItsName(dir);
  });

  it('corrupted blob bytes: nothing of the blob is kept', async () => {
    const { result, dir } = await saveThrough([{ fault: { kind: 'corrupt' }, on: 'blob', ...bigBody }]);
    expect(result.images.map((r) => r.status)).toEqual(['saved', 'failed']);
    expect(result.images[1]?.error?.code).toBe('DIGEST_MISMATCH');
    const layer = big.blobs['linux/amd64']?.[1] as string;
    expect(await new RegistryStorage(dir).hasBlob(layer)).toBe(false);
    expect(await servedDigests(dir, ['faults/app:v1', 'faults/big:1'])).toEqual([app.digest, undefined]);
    await everyBlobHashesToItsName(dir);
  });
});

describe('hub-save CLI under faults', () => {
  it('--json lists the retries as events and ends with the summary', async () => {
    const proxy = await startFaultProxy(source.host, [
      { fault: { kind: 'truncate' }, on: 'manifest', times: 1 },
    ]);
    try {
      const dir = await tempDir();
      const args = ['--conditions=@hub/source', cli, '--dir', dir, '--plain-http', proxy.host, '--json'];
      const { stdout } = await run(node, [...args, '--all-platforms', `${proxy.host}/faults/app:v1`]);
      const events = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string });
      expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
      expect(events.at(-1)).toMatchObject({ type: 'summary', saved: 1, failed: 0 });
      await expect(servedDigests(dir, ['faults/app:v1'])).resolves.toEqual([app.digest]);
    } finally {
      await proxy.close();
    }
  });

  it('a failure line names the reference once, the digest, what the server did and the tries', async () => {
    const proxy = await startFaultProxy(source.host, [
      { fault: { kind: 'status', status: 503 }, on: 'manifest', path: /\/manifests\/sha256:/ },
    ]);
    try {
      const dir = await tempDir();
      const ref = `${proxy.host}/faults/big:1`;
      const failed = await run(node, [
        '--conditions=@hub/source',
        cli,
        '--dir',
        dir,
        '--plain-http',
        proxy.host,
        ref,
      ])
        .then(() => undefined)
        .catch((e: { code: number; stderr: string }) => e);
      expect(failed?.code).toBe(1);
      const line = failed?.stderr.split('\n').find((l) => l.startsWith('hub-save: FAILED')) ?? '';
      expect(line.split(ref).length - 1).toBe(1);
      expect(line).toContain(big.digest);
      expect(line).toMatch(/answered HTTP 503/);
      expect(line).toMatch(/gave up after 5 tries/);
      expect(line).toMatch(/\[SERVER_ERROR\]$/);
    } finally {
      await proxy.close();
    }
  });
});
