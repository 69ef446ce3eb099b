import { createReadStream, type Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isDigest } from '../digest/digest.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { type BlobCommit, BlobUpload, type BlobUploadOptions } from './blob-upload.ts';
import { StorageLayout } from './layout.ts';
import { StorageError } from './storage-error.ts';

/** Options for {@link RegistryStorage.writeBlob}. */
export interface WriteBlobOptions {
  /** Expected size in bytes; a different size is an error and nothing is kept. */
  size?: number;
  /** Cancels the write; the partial file is kept for a resume. */
  signal?: AbortSignal;
}

/**
 * Reader and writer of the distribution registry's filesystem layout
 * (`<root>/docker/registry/v2/...`), the directory a stock `docker-registry serve` uses as
 * its filesystem storage root.
 *
 * Blobs are streamed into a partial file, hashed in one pass, verified (digest and size),
 * fsynced and renamed into place; links are written afterwards and only to blobs that exist, so
 * a crash never exposes a corrupt blob or a link to a missing one.
 */
export class RegistryStorage {
  readonly root: string;
  readonly layout: StorageLayout;
  // One writer per digest in this process; a second caller waits and then sees the blob.
  #writers = new Map<string, Promise<void>>();

  constructor(root: string) {
    this.root = root;
    this.layout = new StorageLayout(root);
  }

  /** True when the blob's verified `data` file exists (data files appear only after verification). */
  async hasBlob(digest: string): Promise<boolean> {
    return (await this.blobSize(digest)) !== undefined;
  }

  /** Size of a stored blob, or undefined when it is not stored. */
  async blobSize(digest: string): Promise<number | undefined> {
    const st = await stat(this.layout.blobData(digest)).catch(() => undefined);
    return st?.isFile() ? st.size : undefined;
  }

  /**
   * Starts (or resumes) writing a blob. Only one upload per digest runs at a time in this
   * process: a second call waits until the first finishes. Check `hasBlob` after it returns.
   */
  async beginBlob(digest: string, opts: BlobUploadOptions = {}): Promise<BlobUpload> {
    this.layout.blobData(digest); // validates the digest before touching disk
    for (;;) {
      const running = this.#writers.get(digest);
      if (!running) break;
      await running;
    }
    let release!: () => void;
    this.#writers.set(
      digest,
      new Promise<void>((resolve) => {
        release = () => {
          this.#writers.delete(digest);
          resolve();
        };
      }),
    );
    try {
      return await BlobUpload.open(this.layout, digest, opts, release);
    } catch (error) {
      release();
      throw ioError(error, `Could not open a partial file for ${digest} under ${this.root}.`);
    }
  }

  /** Streams a blob in, hashing in one pass, verifying digest and size, then renaming into place. */
  async writeBlob(
    digest: string,
    source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
    opts: WriteBlobOptions = {},
  ): Promise<BlobCommit> {
    const existing = await this.blobSize(digest);
    if (existing !== undefined) {
      drain(source);
      if (opts.size !== undefined && opts.size !== existing) {
        throw new StorageError(
          'SIZE_MISMATCH',
          `Blob ${digest} is already stored with ${existing} bytes, not ${opts.size}.`,
          { digest },
        );
      }
      return { size: existing, written: false };
    }
    const upload = await this.beginBlob(digest, { ...sizeOpt(opts.size), resume: false });
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
        if (opts.signal?.aborted) throw new StorageError('ABORTED', `Writing blob ${digest} was cancelled.`);
        await upload.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      }
      return await upload.commit();
    } catch (error) {
      await upload.abort();
      throw error instanceof StorageError ? error : ioError(error, `Writing blob ${digest} failed.`);
    }
  }

  /** Writes a small blob (e.g. a manifest or config) from memory. */
  async writeBlobBytes(digest: string, bytes: Uint8Array): Promise<BlobCommit> {
    return this.writeBlob(
      digest,
      (async function* () {
        yield bytes;
      })(),
      { size: bytes.byteLength },
    );
  }

  /** Opens a stored blob for reading, optionally a byte range (`end` inclusive). */
  async openBlob(digest: string, range?: { start: number; end?: number }): Promise<Readable> {
    const path = this.layout.blobData(digest);
    if (!(await this.hasBlob(digest))) {
      throw new StorageError('BLOB_UNKNOWN', `Blob ${digest} is not stored under ${this.root}.`, { digest });
    }
    return createReadStream(
      path,
      range ? { start: range.start, ...(range.end === undefined ? {} : { end: range.end }) } : {},
    );
  }

  /** Reads a whole stored blob into memory (use for manifests and configs only). */
  async readBlobBytes(digest: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.layout.blobData(digest)));
    } catch (error) {
      throw new StorageError('BLOB_UNKNOWN', `Blob ${digest} is not stored under ${this.root}.`, {
        digest,
        cause: error,
      });
    }
  }

  /** Makes a stored blob (layer or config) available in `repo` (`_layers/<alg>/<hex>/link`). */
  async linkLayer(repo: string, digest: string): Promise<void> {
    await this.#writeLink(this.layout.layerLink(repo, digest), digest);
  }

  /** Makes a stored manifest available by digest in `repo` (`_manifests/revisions/<alg>/<hex>/link`). */
  async linkManifest(repo: string, digest: string): Promise<void> {
    await this.#writeLink(this.layout.revisionLink(repo, digest), digest);
  }

  /** Points `repo:tag` at a stored manifest: revision link, tag index link, then `current` last. */
  async tag(repo: string, tag: string, digest: string): Promise<void> {
    const current = this.layout.tagCurrentLink(repo, tag);
    await this.linkManifest(repo, digest);
    await this.#writeLink(this.layout.tagIndexLink(repo, tag, digest), digest);
    await this.#writeLink(current, digest);
  }

  /** The digest `repo:tag` points at, or undefined. */
  async resolveTag(repo: string, tag: string): Promise<string | undefined> {
    return readLink(this.layout.tagCurrentLink(repo, tag));
  }

  /** True when `repo` has a `_layers` link for `digest`. */
  async hasLayerLink(repo: string, digest: string): Promise<boolean> {
    return (await readLink(this.layout.layerLink(repo, digest))) === digest;
  }

  /** True when `repo` has a manifest revision link for `digest`. */
  async hasManifestLink(repo: string, digest: string): Promise<boolean> {
    return (await readLink(this.layout.revisionLink(repo, digest))) === digest;
  }

  /** Repository names, sorted, the way the registry's `_catalog` finds them. */
  async listRepositories(): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string, prefix: string[]): Promise<void> => {
      const entries = await readdirSafe(dir);
      if (prefix.length > 0 && entries.some((e) => e.isDirectory() && e.name === '_manifests')) {
        found.push(prefix.join('/'));
      }
      for (const entry of entries) {
        if (entry.isDirectory() && !entry.name.startsWith('_')) {
          await walk(join(dir, entry.name), [...prefix, entry.name]);
        }
      }
    };
    await walk(this.layout.repositories(), []);
    return found.sort();
  }

  /** Tags of `repo`, sorted (empty when the repository has none). */
  async listTags(repo: string): Promise<string[]> {
    const entries = await readdirSafe(this.layout.tagsDir(repo));
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  }

  /** Every stored blob with its size: the inventory an incremental export compares against. */
  async *listBlobs(): AsyncIterable<{ digest: string; size: number }> {
    const blobs = join(this.layout.v2, 'blobs');
    for (const alg of await readdirSafe(blobs)) {
      if (!alg.isDirectory()) continue;
      for (const prefix of await readdirSafe(join(blobs, alg.name))) {
        if (!prefix.isDirectory()) continue;
        for (const hex of await readdirSafe(join(blobs, alg.name, prefix.name))) {
          const digest = `${alg.name}:${hex.name}`;
          if (!hex.isDirectory() || !isDigest(digest)) continue;
          const st = await stat(join(blobs, alg.name, prefix.name, hex.name, 'data')).catch(() => undefined);
          if (st?.isFile()) yield { digest, size: st.size };
        }
      }
    }
  }

  async #writeLink(path: string, digest: string): Promise<void> {
    // Links only ever point at blobs that are already in place.
    if (!(await this.hasBlob(digest))) {
      throw new StorageError(
        'BLOB_UNKNOWN',
        `Refusing to link ${digest}: the blob is not stored under ${this.root}.`,
        {
          digest,
          path,
        },
      );
    }
    if ((await readLink(path)) === digest) return;
    try {
      await writeFileAtomic(path, digest);
    } catch (error) {
      throw ioError(error, `Could not write link ${path}.`);
    }
  }
}

async function readLink(path: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return isDigest(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

async function readdirSafe(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function sizeOpt(size: number | undefined): { size?: number } {
  return size === undefined ? {} : { size };
}

function drain(source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream): void {
  const s = source as { resume?: () => void };
  if (typeof s.resume === 'function') s.resume();
}

function ioError(error: unknown, message: string): StorageError {
  if (error instanceof StorageError) return error;
  return new StorageError('IO', message, { cause: error });
}
