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
import { fixedChunks } from './fixed-chunks.ts';

/** Size of every write into gzip (see fixedChunks). Part of the byte-identity guarantee: changing it changes archives. */
const GZIP_INPUT_CHUNK = 64 * 1024;

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
  open(): Promise<Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>>;
  /** What the blob belongs to (an image reference), named in errors. */
  source?: string;
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

  // Fixed-size chunks make the gzip stream independent of how sources chunked their bytes.
  const tar = fixedChunks(
    { [Symbol.asyncIterator]: () => pack[Symbol.asyncIterator]() } as AsyncIterable<Uint8Array>,
    GZIP_INPUT_CHUNK,
  );
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
    // The producer's error is the real one; the pipeline then only reports the destroyed pack.
    const [produced, piped] = await Promise.allSettled([producing, piping]);
    if (produced.status === 'rejected') throw produced.reason;
    if (piped.status === 'rejected') throw piped.reason;
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
    await addEntry(pack, blobEntryName(blob.digest), blob.size, verified(blob, await blob.open()));
    options.onBlob?.({ digest: blob.digest, size: blob.size });
  }
  pack.finalize();
}

/**
 * Passes a blob's bytes through, checking size and digest. It throws before its last chunk is
 * consumed, so a bad blob fails while its tar entry is still open: the entry is never completed and the
 * archive never renamed into place.
 */
async function* verified(
  blob: ArchiveBlob,
  source: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const [alg] = splitDigest(blob.digest);
  const hash = createHash(alg);
  const what = `${blob.source ? `Image ${blob.source}: blob` : 'Blob'} ${blob.digest}`;
  let size = 0;
  let held: Uint8Array | undefined;
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > blob.size) {
      throw new KubePkgError(
        'BLOB_SIZE_MISMATCH',
        `${what}: the source gave more bytes than its listed size ${blob.size}.`,
        { subject: blob.digest },
      );
    }
    hash.update(chunk);
    // Hold one chunk back: the last one is released only after the digest matched.
    if (held) yield held;
    held = chunk;
  }
  if (size !== blob.size) {
    throw new KubePkgError(
      'BLOB_SIZE_MISMATCH',
      `${what}: the source gave ${size} bytes, fewer than its listed size ${blob.size}.`,
      { subject: blob.digest },
    );
  }
  const actual = `${alg}:${hash.digest('hex')}`;
  if (actual !== blob.digest) {
    throw new KubePkgError('BLOB_DIGEST_MISMATCH', `${what}: the source content hashes to ${actual}.`, {
      subject: blob.digest,
    });
  }
  if (held) yield held;
}

async function addEntry(
  pack: Pack,
  name: string,
  size: number,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<void> {
  const { promise: finished, resolve, reject } = Promise.withResolvers<void>();
  const sink = pack.entry({ ...HEADER, name, size }, (error) => (error ? reject(error) : resolve()));
  const emitter = sink as unknown as NodeJS.EventEmitter;
  // Errors reach us through the callback; without a listener a destroyed sink's 'error' would crash the process.
  emitter.on('error', () => undefined);
  finished.catch(() => undefined);
  try {
    for await (const chunk of chunks) {
      if (!sink.write(chunk)) await once(emitter, 'drain');
    }
  } catch (error) {
    (sink as unknown as { destroy(error: Error): void }).destroy(error as Error);
    throw error;
  }
  (sink as unknown as { end(): void }).end();
  await finished;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
