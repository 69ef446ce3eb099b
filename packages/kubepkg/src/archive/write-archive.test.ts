import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArchiveBlob, type KubePkgError, writeKubePkgArchive } from '@hub/kubepkg';
import { type DigestMeta, KUBEPKG_API_VERSION, type KubePkg } from '@hub/kubepkg/spec';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const layers = [randomBytes(300_000), randomBytes(70_001), randomBytes(5)];
const document: KubePkg = {
  apiVersion: KUBEPKG_API_VERSION,
  kind: 'KubePkg',
  metadata: { name: 'demo' },
  spec: { version: '1.0.0', images: {}, manifests: {} },
  status: {
    digests: layers.map(
      (b): DigestMeta => ({ type: 'blob', digest: sha(b), name: 'acme/web', size: b.length }),
    ),
  },
};

/** Yields `bytes` cut at the given sizes (cycled), as a network would. */
async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length] as number;
    yield bytes.subarray(offset, offset + size);
    offset += size;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function write(blobs: ArchiveBlob[], gzip?: number | false): Promise<{ path: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kubepkg-write-'));
  dirs.push(dir);
  const path = join(dir, 'out.kubepkg.tgz');
  await writeKubePkgArchive({ document, blobs, output: path, ...(gzip !== undefined ? { gzip } : {}) });
  return { path, dir };
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 8 });

describe('writeKubePkgArchive output is independent of how sources chunk their bytes', () => {
  for (const gzip of [0, 6] as const) {
    it(`gzip level ${gzip}: same bytes for any chunking`, async () => {
      const whole = await write(
        layers.map((b) => ({ digest: sha(b), size: b.length, open: async () => [b] })),
        gzip,
      );
      const reference = await readFile(whole.path);
      await fc.assert(
        fc.asyncProperty(fc.array(chunkSizes, { minLength: 3, maxLength: 3 }), async (sizes) => {
          const { path } = await write(
            layers.map((b, i) => ({
              digest: sha(b),
              size: b.length,
              open: async () => chunked(b, sizes[i] as number[]),
            })),
            gzip,
          );
          expect((await readFile(path)).equals(reference)).toBe(true);
        }),
        { numRuns: 8 },
      );
    }, 30_000);
  }
});

describe('writeKubePkgArchive never leaves a partial archive', () => {
  const failing: Array<[string, string, (b: Uint8Array) => AsyncIterable<Uint8Array>]> = [
    [
      'a source that breaks mid-blob',
      'ECONNRESET',
      async function* (b) {
        yield b.subarray(0, 1000);
        throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      },
    ],
    [
      'a short source',
      'BLOB_SIZE_MISMATCH',
      async function* (b) {
        yield b.subarray(0, b.length - 1);
      },
    ],
    [
      'a long source',
      'BLOB_SIZE_MISMATCH',
      async function* (b) {
        yield b;
        yield Buffer.from('x');
      },
    ],
    [
      'corrupted bytes',
      'BLOB_DIGEST_MISMATCH',
      async function* (b) {
        const copy = Buffer.from(b);
        copy[0] = (copy[0] ?? 0) ^ 0xff;
        yield copy;
      },
    ],
  ];
  for (const [what, code, source] of failing) {
    it(`${what} → ${code}, no output file and no .partial`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kubepkg-write-'));
      dirs.push(dir);
      const path = join(dir, 'out.kubepkg.tgz');
      const [big, ...rest] = layers as [Buffer, ...Buffer[]];
      const blobs: ArchiveBlob[] = [
        {
          digest: sha(big),
          size: big.length,
          source: 'example.com/acme/web:1',
          open: async () => source(big),
        },
        ...rest.map((b) => ({ digest: sha(b), size: b.length, open: async () => [b] })),
      ];
      const error = (await writeKubePkgArchive({
        document,
        blobs,
        output: path,
      }).catch((e: unknown) => e)) as KubePkgError;
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      if (code.startsWith('BLOB_'))
        expect(error.message).toContain(`example.com/acme/web:1: blob ${sha(big)}`);
      expect(await readdir(dir)).toEqual([]);
    });
  }
});
