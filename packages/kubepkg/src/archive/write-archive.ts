import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { pack as createPack, type Pack } from 'tar-stream';
import { KubePkgError } from '../errors.ts';
import type { KubePkg, KubePkgList } from '../spec/kubepkg-schema.ts';
import { blobEntryName, SPEC_ENTRY, splitDigest } from './archive-layout.ts';

/**
 * gzip level used by default: 0, gzip framing with stored blocks. Layers are already gzip/zstd
 * compressed, so deflating them again gains nothing and costs a lot of CPU: on a 1 GiB package
 * (bench/kubepkg) level 1 took 45 s and was 0.02% *larger* than level 0, which took 9.3 s; level 6 took
 * 40 s for the same size. Pass a higher level for packages with uncompressed layers.
 */
export const DEFAULT_GZIP_LEVEL = 0;

/** A blob to put in the archive; `open` is called once, when its entry is written. */
export interface ArchiveBlob {
  digest: string;
  size: number;
  open(): Promise<Readable | AsyncIterable<Uint8Array>>;
}

/** Options for {@link writeKubePkgArchive}. */
export interface WriteArchiveOptions {
  /** The `kubepkg.json` document (KubePkg or KubePkgList). */
  document: KubePkg | KubePkgList;
  /** Blobs to carry; duplicates (same digest) are written once. */
  blobs: Iterable<ArchiveBlob>;
  /** A file path (written to `<path>.partial`, then renamed) or a writable stream. */
  output: string | Writable;
  /** `false` for a plain tar, or a gzip level 0-9 (default {@link DEFAULT_GZIP_LEVEL}). */
  gzip?: false | number;
  signal?: AbortSignal;
  /** Called after each blob entry is complete. */
  onBlob?: (blob: { digest: string; size: number }) => void;
}

const HEADER = {
  mode: 0o644,
  mtime: new Date(0),
  uid: 0,
  gid: 0,
  uname: '',
  gname: '',
  type: 'file' as const,
};

/**
 * Writes a deterministic kubepkg archive: `kubepkg.json` first, then each blob once at `blobs/<alg>/<hex>`
 * in digest order, every entry mode 0644 / mtime 0 / uid 0 / gid 0, gzip-compressed unless `gzip: false`.
 * Blobs are streamed (never buffered whole) and their digest and size verified on the way.
 * Returns the number of bytes written and the blobs carried.
 */
export async function writeKubePkgArchive(
  options: WriteArchiveOptions,
): Promise<{ blobs: Array<{ digest: string; size: number }> }> {
  const unique = new Map<string, ArchiveBlob>();
  for (const blob of options.blobs) {
    splitDigest(blob.digest);
    const seen = unique.get(blob.digest);
    if (seen && seen.size !== blob.size) {
      throw new KubePkgError(
        'INVALID_ARGUMENT',
        `Blob ${blob.digest} is listed with two sizes (${seen.size}, ${blob.size}).`,
        {
          subject: blob.digest,
        },
      );
    }
    unique.set(blob.digest, blob);
  }
  const blobs = [...unique.values()].sort((a, b) =>
    compare(blobEntryName(a.digest), blobEntryName(b.digest)),
  );
  const spec = Buffer.from(`${JSON.stringify(options.document, null, 2)}\n`);

  const pack = createPack();
  const producing = produce(pack, spec, blobs, options).catch((error: unknown) => {
    pack.destroy(error as Error);
    throw error;
  });

  // A plain async iterable: node's pipeline must not mistake tar-stream's streamx stream for a Node stream.
  const tar = { [Symbol.asyncIterator]: () => pack[Symbol.asyncIterator]() } as AsyncIterable<Uint8Array>;
  const target = typeof options.output === 'string' ? `${options.output}.partial` : undefined;
  const out = target ? createWriteStream(target) : (options.output as Writable);
  const signal = options.signal ? { signal: options.signal } : {};
  try {
    const piping =
      options.gzip === false
        ? pipeline(tar, out, signal)
        : pipeline(
            tar,
            createGzip({
              level: options.gzip ?? DEFAULT_GZIP_LEVEL,
              strategy: zlibConstants.Z_DEFAULT_STRATEGY,
            }),
            out,
            signal,
          );
    await Promise.all([producing, piping]);
    if (target) await rename(target, options.output as string);
  } catch (error) {
    if (target) await rm(target, { force: true });
    if (options.signal?.aborted)
      throw new KubePkgError('ABORTED', 'Archive writing was aborted.', { cause: error });
    throw error;
  }
  return { blobs: blobs.map(({ digest, size }) => ({ digest, size })) };
}

async function produce(
  pack: Pack,
  spec: Buffer,
  blobs: ArchiveBlob[],
  options: WriteArchiveOptions,
): Promise<void> {
  await addEntry(pack, SPEC_ENTRY, spec.length, [spec]);
  for (const blob of blobs) {
    options.signal?.throwIfAborted();
    const [alg] = splitDigest(blob.digest);
    const hash = createHash(alg);
    let size = 0;
    const source = await blob.open();
    async function* hashed(): AsyncIterable<Uint8Array> {
      for await (const chunk of source as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > blob.size) break;
        hash.update(chunk);
        yield chunk;
      }
    }
    const sizeError = (cause?: unknown) =>
      new KubePkgError(
        'ARCHIVE_DIGEST_MISMATCH',
        `Blob ${blob.digest}: the source gave ${size > blob.size ? 'more' : 'fewer'} bytes than its size ${blob.size}.`,
        { subject: blob.digest, cause },
      );
    try {
      await addEntry(pack, blobEntryName(blob.digest), blob.size, hashed());
    } catch (error) {
      throw size !== blob.size ? sizeError(error) : error;
    }
    if (size !== blob.size) throw sizeError();
    const actual = `${alg}:${hash.digest('hex')}`;
    if (actual !== blob.digest) {
      throw new KubePkgError(
        'ARCHIVE_DIGEST_MISMATCH',
        `Blob ${blob.digest}: source content hashes to ${actual}.`,
        {
          subject: blob.digest,
        },
      );
    }
    options.onBlob?.({ digest: blob.digest, size: blob.size });
  }
  pack.finalize();
}

async function addEntry(
  pack: Pack,
  name: string,
  size: number,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<void> {
  const { promise: finished, resolve, reject } = Promise.withResolvers<void>();
  const sink = pack.entry({ ...HEADER, name, size }, (error) => (error ? reject(error) : resolve()));
  for await (const chunk of chunks) {
    if (!sink.write(chunk)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
  }
  (sink as unknown as { end(): void }).end();
  await finished;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
