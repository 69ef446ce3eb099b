import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createDigester, type Digester } from '../digest/digest.ts';
import type { StorageLayout } from './layout.ts';
import { mustDigest } from './layout.ts';
import { StorageError } from './storage-error.ts';

/** Result of committing a blob: its size and whether this call put the bytes in place. */
export interface BlobCommit {
  size: number;
  written: boolean;
}

/** Options for {@link BlobUpload} creation. */
export interface BlobUploadOptions {
  /** Expected size in bytes; checked at commit and used to discard over-long partial files. */
  size?: number;
  /** Keep and continue an existing `*.partial` file (default true). */
  resume?: boolean;
}

// Batch small network chunks into larger writes: fewer syscalls, same memory bound.
const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * A blob being written into storage: bytes go to `<root>/.hub-save/partial/<alg>-<hex>.partial`
 * (same filesystem as `blobs/`), are hashed as they arrive, and only `commit()` — after verifying
 * digest and size and fsyncing — renames them to `blobs/<alg>/<xx>/<hex>/data`.
 *
 * A resumed upload re-hashes the bytes already in the partial file, so `offset` says where an
 * HTTP `Range` request should continue; the full digest is still verified at commit.
 */
export class BlobUpload {
  readonly digest: string;
  readonly expectedSize: number | undefined;
  #layout: StorageLayout;
  #path: string;
  #fh: FileHandle;
  #hash: Digester;
  #offset: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #closed = false;
  #release: () => void;

  private constructor(
    layout: StorageLayout,
    digest: string,
    path: string,
    fh: FileHandle,
    hash: Digester,
    offset: number,
    expectedSize: number | undefined,
    release: () => void,
  ) {
    this.#layout = layout;
    this.digest = digest;
    this.#path = path;
    this.#fh = fh;
    this.#hash = hash;
    this.#offset = offset;
    this.expectedSize = expectedSize;
    this.#release = release;
  }

  /** @internal Opens (or resumes) the partial file for `digest`. Use `RegistryStorage.beginBlob`. */
  static async open(
    layout: StorageLayout,
    digest: string,
    opts: BlobUploadOptions,
    release: () => void,
  ): Promise<BlobUpload> {
    const { algorithm } = mustDigest(digest);
    const path = layout.partial(digest);
    await mkdir(dirname(path), { recursive: true });
    const hash = createDigester(algorithm);
    let offset = 0;
    const resume = opts.resume ?? true;
    const existing = await stat(path).catch(() => undefined);
    const usable =
      resume && existing?.isFile() && (opts.size === undefined || existing.size <= opts.size)
        ? existing
        : undefined;
    if (usable && usable.size > 0) {
      // Re-hash the prefix: the hash state is not persisted, the bytes are.
      for await (const chunk of createReadStream(path, { highWaterMark: WRITE_BATCH_BYTES })) {
        hash.update(chunk as Buffer);
        offset += (chunk as Buffer).byteLength;
      }
    }
    const fh = await open(path, usable ? 'a' : 'w');
    return new BlobUpload(layout, digest, path, fh, hash, offset, opts.size, release);
  }

  /** Bytes already in the partial file (resume point). */
  get offset(): number {
    return this.#offset + this.#pendingBytes;
  }

  /** Appends a chunk: hashed now, written in batches. */
  async write(chunk: Uint8Array): Promise<void> {
    this.#assertOpen();
    if (chunk.byteLength === 0) return;
    this.#hash.update(chunk);
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    if (this.expectedSize !== undefined && this.offset > this.expectedSize) {
      await this.abort();
      throw new StorageError(
        'SIZE_MISMATCH',
        `Blob ${this.digest} is longer than its descriptor size ${this.expectedSize}; nothing of it was kept.`,
        { digest: this.digest },
      );
    }
    if (this.#pendingBytes >= WRITE_BATCH_BYTES) await this.#flush();
  }

  /** Writes every chunk of `source`, calling `onBytes` with each chunk's length. */
  async writeAll(source: AsyncIterable<Uint8Array>, onBytes?: (n: number) => void): Promise<void> {
    for await (const chunk of source) {
      await this.write(chunk);
      onBytes?.(chunk.byteLength);
    }
  }

  /** Discards what was written so far (e.g. the server ignored a Range request). */
  async restart(): Promise<void> {
    this.#assertOpen();
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#fh.truncate(0);
    await this.#fh.close();
    this.#fh = await open(this.#path, 'w');
    this.#hash = createDigester(this.#hash.algorithm);
    this.#offset = 0;
  }

  /** Flushes and keeps the partial file for a later resume (e.g. after a network error). */
  async suspend(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#flush();
    } finally {
      await this.#close();
    }
  }

  /** Deletes the partial file; nothing of this blob is kept. */
  async abort(): Promise<void> {
    if (!this.#closed) await this.#close().catch(() => undefined);
    await rm(this.#path, { force: true });
  }

  /** Verifies digest and size, fsyncs, and renames into `blobs/`. On mismatch nothing is kept. */
  async commit(): Promise<BlobCommit> {
    this.#assertOpen();
    await this.#flush();
    const size = this.#offset;
    const actual = this.#hash.digest();
    if (this.expectedSize !== undefined && size !== this.expectedSize) {
      await this.abort();
      throw new StorageError(
        'SIZE_MISMATCH',
        `Blob ${this.digest} has ${size} bytes but its descriptor says ${this.expectedSize}; nothing of it was kept.`,
        { digest: this.digest },
      );
    }
    if (actual !== this.digest) {
      await this.abort();
      throw new StorageError(
        'DIGEST_MISMATCH',
        `Blob content hashes to ${actual}, not the expected ${this.digest}; nothing of it was kept.`,
        { digest: this.digest },
      );
    }
    await this.#fh.sync();
    await this.#close();
    const data = this.#layout.blobData(this.digest);
    const existed = await stat(data).then(
      () => true,
      () => false,
    );
    await mkdir(dirname(data), { recursive: true });
    await rename(this.#path, data);
    return { size, written: !existed };
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const buffers = this.#pending;
    const bytes = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#fh.writev(buffers);
    this.#offset += bytes;
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#fh.close();
    } finally {
      this.#release();
    }
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new StorageError('IO', `Upload of ${this.digest} is already finished.`, { digest: this.digest });
    }
  }
}
