import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as createExtract, type Header } from 'tar-stream';
import { isKubePkgError, KubePkgError } from '../errors.ts';
import type { KubePkg, KubePkgList } from '../spec/kubepkg-schema.ts';
import { safeParseKubePkgDocument } from '../spec/safe-parse.ts';
import { digestOfEntryName, SPEC_ENTRY } from './archive-layout.ts';

/** Limits that bound what a (possibly hostile) archive can make the reader do. */
export interface ArchiveLimits {
  /** Largest `kubepkg.json` accepted (default 64 MiB). */
  maxSpecBytes?: number;
  /** Largest single blob entry (default 32 GiB). */
  maxBlobBytes?: number;
  /** Most entries (default 100 000). */
  maxEntries?: number;
}

/** A blob entry as handed to {@link ReadArchiveHandlers.onBlob}; consume `content` fully or throw. */
export interface ArchiveBlobEntry {
  digest: string;
  size: number;
  /** The entry's bytes, as they stream out of the archive. The reader hashes them too. */
  content: AsyncIterable<Uint8Array>;
  /**
   * The same bytes with only their count checked, for a sink that hashes them itself and refuses a
   * mismatch (RegistryStorage.writeBlob does): one SHA pass instead of two. Consume `content` or this, not both.
   */
  sinkVerified: AsyncIterable<Uint8Array>;
}

/** Callbacks of {@link readKubePkgArchive}. */
export interface ReadArchiveHandlers {
  /**
   * Called with the validated `kubepkg.json` before any blob; returns the blob digests the archive may
   * carry with their sizes (normally every `status.digests` entry), or throws to stop.
   */
  onSpec(document: KubePkg | KubePkgList): Promise<ReadonlyMap<string, number>> | ReadonlyMap<string, number>;
  /** Called once per blob entry, in archive order. Must consume `content` (or throw). */
  onBlob(entry: ArchiveBlobEntry): Promise<void>;
}

/** What an archive held. */
export interface ReadArchiveResult {
  document: KubePkg | KubePkgList;
  blobs: Array<{ digest: string; size: number }>;
  compressed: boolean;
}

// Extra files other writers add (octohelm HEAD: an OCI layout view); tolerated, drained and ignored.
const IGNORED_ENTRIES = new Set(['index.json', 'oci-layout', 'manifest.json']);
const IGNORED_MAX_BYTES = 64 * 1024 * 1024;

/** One entry as tar-stream's extract yields it: a header and its bytes. */
type TarEntry = AsyncIterable<Uint8Array> & { header: Header; resume(): unknown };

/** What the reader has learnt so far from the entries it read. */
interface ReadState {
  document: KubePkg | KubePkgList | undefined;
  /** Blobs the spec lists (`onSpec`), with their sizes. */
  allowed: ReadonlyMap<string, number>;
  /** Entry names read so far, with their sizes (to tell an identical repeat from a conflicting one). */
  seen: Map<string, number>;
  blobs: Array<{ digest: string; size: number }>;
  count: number;
}

/**
 * Streams a kubepkg archive once, gzip or plain tar (detected by magic bytes). `kubepkg.json` must come
 * first and be a valid document; every other entry must be a regular file named `blobs/<alg>/<hex>`,
 * listed by `onSpec`, unique, within the limits, and hash to its name. Anything else fails with a
 * KubePkgError (`ARCHIVE_*` code) naming the entry. Nothing is buffered beyond one chunk of a blob.
 */
export async function readKubePkgArchive(
  source: Readable | AsyncIterable<Uint8Array>,
  handlers: ReadArchiveHandlers,
  options: ArchiveLimits & { signal?: AbortSignal } = {},
): Promise<ReadArchiveResult> {
  const limits = limitsOf(options);
  const archive = await openArchive(source, options.signal);
  const state: ReadState = { document: undefined, allowed: new Map(), seen: new Map(), blobs: [], count: 0 };
  try {
    for await (const entry of archive.entries) await readEntry(entry as TarEntry, state, handlers, limits);
  } catch (error) {
    archive.destroy();
    throw translate(isKubePkgError(error) ? error : (archive.streamError() ?? error), options.signal);
  } finally {
    archive.release();
  }
  if (state.document === undefined)
    fail('ARCHIVE_MISSING_SPEC', `The archive is empty; it must start with ${SPEC_ENTRY}.`, SPEC_ENTRY);
  return { document: state.document, blobs: state.blobs, compressed: archive.compressed };
}

function limitsOf(options: ArchiveLimits): Required<ArchiveLimits> {
  return {
    maxSpecBytes: options.maxSpecBytes ?? 64 * 1024 * 1024,
    maxBlobBytes: options.maxBlobBytes ?? 32 * 1024 ** 3,
    maxEntries: options.maxEntries ?? 100_000,
  };
}

/** The source as tar entries (gunzipped when it is gzip), aborted by `signal`. */
async function openArchive(source: Readable | AsyncIterable<Uint8Array>, signal: AbortSignal | undefined) {
  const { stream, compressed } = await sniff(source);
  const tar = compressed ? stream.pipe(createGunzip()) : stream;
  const extract = createExtract();
  // The first low-level failure (gunzip, source) explains the STREAM_DESTROYED errors that follow it.
  let streamError: unknown;
  const onStreamError = (error: unknown) => {
    streamError ??= error;
    extract.destroy(error as Error);
  };
  if (compressed) stream.on('error', onStreamError);
  tar.on('error', onStreamError);
  tar.pipe(extract as unknown as NodeJS.WritableStream);
  const onAbort = () => extract.destroy(new KubePkgError('ABORTED', 'Reading the archive was aborted.'));
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    entries: extract,
    compressed,
    streamError: () => streamError,
    destroy() {
      extract.destroy();
      tar.destroy();
      stream.destroy();
    },
    release: () => signal?.removeEventListener('abort', onAbort),
  };
}

/** Checks one entry against the format and hands it on: the spec to `onSpec`, a blob to `onBlob`. */
async function readEntry(
  entry: TarEntry,
  state: ReadState,
  handlers: ReadArchiveHandlers,
  limits: Required<ArchiveLimits>,
): Promise<void> {
  const { header } = entry;
  const name = checkName(header);
  state.count += 1;
  if (state.count > limits.maxEntries)
    fail(
      'ARCHIVE_TOO_MANY_ENTRIES',
      `The archive has more than ${limits.maxEntries} entries; raise maxEntries if it is genuine.`,
      name,
    );
  if (header.type === 'directory' && (name === 'blobs' || /^blobs\/(sha256|sha512)$/.test(name))) {
    entry.resume();
    return;
  }
  if (header.type !== 'file' && header.type !== 'contiguous-file')
    fail(
      'ARCHIVE_UNSUPPORTED_ENTRY',
      `Entry "${name}" is a ${header.type}; only regular files are allowed.`,
      name,
    );
  if (await skipRepeat(entry, state, name)) return;
  state.seen.set(name, header.size);
  if (state.document === undefined) {
    state.document = await readSpec(entry, name, limits.maxSpecBytes);
    state.allowed = await handlers.onSpec(state.document);
    return;
  }
  if (IGNORED_ENTRIES.has(name)) {
    if (header.size > IGNORED_MAX_BYTES)
      fail('ARCHIVE_OVERSIZE_ENTRY', `Entry "${name}" is too large.`, name);
    await drain(entry);
    return;
  }
  const digest = checkBlobEntry(name, header.size, state.allowed, limits.maxBlobBytes);
  await handOverBlob(entry, digest, name, handlers);
  state.blobs.push({ digest, size: header.size });
}

/**
 * True when `name` was read before and this is an identical repeat, verified again and skipped: octohelm
 * kubepkg writes a blob once per repository using it (and its OCI-layout files once per package). A
 * different repeat is refused.
 */
async function skipRepeat(entry: TarEntry, state: ReadState, name: string): Promise<boolean> {
  const before = state.seen.get(name);
  if (before === undefined) return false;
  const digest = digestOfEntryName(name);
  if ((digest || IGNORED_ENTRIES.has(name)) && before === entry.header.size) {
    if (digest) await verifyDuplicate(entry, digest, name);
    else await drain(entry);
    return true;
  }
  fail(
    'ARCHIVE_DUPLICATE_ENTRY',
    `Entry "${name}" appears twice with different content (${before} and ${entry.header.size} bytes).`,
    name,
  );
}

/** The first entry: it must be `kubepkg.json`, within its limit, and a valid document. */
async function readSpec(entry: TarEntry, name: string, maxSpecBytes: number): Promise<KubePkg | KubePkgList> {
  if (name !== SPEC_ENTRY)
    fail(
      'ARCHIVE_MISSING_SPEC',
      `The first entry is "${name}"; a kubepkg archive starts with ${SPEC_ENTRY}.`,
      name,
    );
  if (entry.header.size > maxSpecBytes)
    fail(
      'ARCHIVE_OVERSIZE_ENTRY',
      `${SPEC_ENTRY} is ${entry.header.size} bytes, over the ${maxSpecBytes}-byte limit.`,
      name,
    );
  return parseSpec(await collect(entry));
}

/** The digest a blob entry's name gives, once its size is within the limit and what the spec lists. */
function checkBlobEntry(
  name: string,
  size: number,
  allowed: ReadonlyMap<string, number>,
  maxBlobBytes: number,
): string {
  const digest = digestOfEntryName(name);
  if (!digest)
    fail('ARCHIVE_UNSAFE_PATH', `Entry "${name}" is not ${SPEC_ENTRY} or blobs/<alg>/<hex>.`, name);
  if (size > maxBlobBytes)
    fail(
      'ARCHIVE_OVERSIZE_ENTRY',
      `Entry "${name}" is ${size} bytes, over the ${maxBlobBytes}-byte limit.`,
      name,
    );
  const listed = allowed.get(digest);
  if (listed === undefined)
    fail('ARCHIVE_UNLISTED_BLOB', `Blob ${digest} is not listed in ${SPEC_ENTRY} status.digests.`, name);
  if (listed !== size)
    fail(
      'ARCHIVE_SIZE_MISMATCH',
      `Blob ${digest} is ${size} bytes in the archive but ${listed} in ${SPEC_ENTRY}.`,
      name,
    );
  return digest;
}

/**
 * Hands a blob entry to `onBlob` as `content` (hashed and size-checked here) or `sinkVerified` (only
 * counted), whichever it iterates; an entry it left unread is still verified, so no corrupt blob passes.
 */
async function handOverBlob(
  entry: TarEntry,
  digest: string,
  name: string,
  handlers: ReadArchiveHandlers,
): Promise<void> {
  const size = entry.header.size;
  let read = 0;
  const checkSize = () => {
    if (read !== size)
      fail('ARCHIVE_SIZE_MISMATCH', `Entry "${name}" gave ${read} of its ${size} bytes.`, name);
  };
  const [alg] = digest.split(':') as [string];
  const hash = createHash(alg);
  async function* content(): AsyncIterable<Uint8Array> {
    for await (const chunk of entry) {
      read += chunk.length;
      hash.update(chunk);
      yield chunk;
    }
    const actual = `${alg}:${hash.digest('hex')}`;
    // Fail inside the iteration, so a sink that streams to disk sees the error before committing.
    checkSize();
    if (actual !== digest)
      fail(
        'ARCHIVE_DIGEST_MISMATCH',
        `Entry "${name}" hashes to ${actual}; the archive is corrupt or tampered with.`,
        name,
      );
  }
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const chunk of entry) {
      read += chunk.length;
      yield chunk;
    }
    checkSize();
  }
  let consumed = false;
  const once = (make: () => AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> => ({
    [Symbol.asyncIterator]: () => {
      consumed = true;
      return make()[Symbol.asyncIterator]();
    },
  });
  await handlers.onBlob({ digest, size, content: once(content), sinkVerified: once(counted) });
  if (!consumed) await drain(content());
}

function fail(code: ConstructorParameters<typeof KubePkgError>[0], message: string, subject: string): never {
  throw new KubePkgError(code, message, { subject });
}

function checkName(header: Header): string {
  const raw = header.name;
  // A leading "./" is what `tar -C dir .` writes; accept it, but nothing else that could be a path trick.
  const name = raw.startsWith('./') ? raw.slice(2).replace(/\/$/, '') : raw.replace(/\/$/, '');
  if (
    name === '' ||
    name.startsWith('/') ||
    /^[a-zA-Z]:/.test(name) ||
    name.includes('\\') ||
    name.includes('\0') ||
    name.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')
  ) {
    fail(
      'ARCHIVE_UNSAFE_PATH',
      `Entry "${raw}" has an unsafe path (absolute, "..", or odd separators).`,
      raw,
    );
  }
  if ((header.type === 'symlink' || header.type === 'link') && header.linkname) {
    fail(
      'ARCHIVE_UNSUPPORTED_ENTRY',
      `Entry "${raw}" is a ${header.type} to "${header.linkname}"; links are not allowed.`,
      raw,
    );
  }
  return name;
}

function parseSpec(bytes: Buffer) {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new KubePkgError('ARCHIVE_INVALID', `${SPEC_ENTRY} is not valid JSON.`, {
      subject: SPEC_ENTRY,
      cause,
    });
  }
  const result = safeParseKubePkgDocument(json);
  if (!result.success) {
    throw new KubePkgError('ARCHIVE_INVALID', `${SPEC_ENTRY} is invalid: ${result.error.message}`, {
      subject: SPEC_ENTRY,
      issues: result.error.issues,
      cause: result.error,
    });
  }
  return result.data;
}

async function collect(entry: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of entry) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function verifyDuplicate(
  entry: AsyncIterable<Uint8Array>,
  digest: string,
  name: string,
): Promise<void> {
  const [alg] = digest.split(':') as [string];
  const hash = createHash(alg);
  for await (const chunk of entry) hash.update(chunk);
  if (`${alg}:${hash.digest('hex')}` !== digest) {
    fail(
      'ARCHIVE_DUPLICATE_ENTRY',
      `Entry "${name}" appears twice and the repeat does not hash to its name; the archive is corrupt or tampered with.`,
      name,
    );
  }
}

async function drain(entry: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of entry) void _;
}

function translate(error: unknown, signal: AbortSignal | undefined): unknown {
  if (isKubePkgError(error)) return error;
  if (signal?.aborted)
    return new KubePkgError('ABORTED', 'Reading the archive was aborted.', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (
    message === 'Unexpected end of data' ||
    code === 'Z_BUF_ERROR' ||
    /unexpected end of file/i.test(message)
  ) {
    return new KubePkgError(
      'ARCHIVE_TRUNCATED',
      'The archive ends early (truncated download or copy?). Transfer it again.',
      {
        cause: error,
      },
    );
  }
  if (/header|gzip|incorrect|invalid/i.test(message) || (typeof code === 'string' && code.startsWith('Z_'))) {
    return new KubePkgError('ARCHIVE_INVALID', `The archive is not a valid tar or tar.gz: ${message}`, {
      cause: error,
    });
  }
  return error;
}

/** Peeks the first bytes: gzip starts with 1f 8b. Returns a stream that still yields every byte. */
async function sniff(
  source: Readable | AsyncIterable<Uint8Array>,
): Promise<{ stream: Readable; compressed: boolean }> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < 2) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = Buffer.from(next.value as Uint8Array);
    head.push(chunk);
    length += chunk.length;
  }
  const first = Buffer.concat(head);
  if (ended && first.length === 0) {
    throw new KubePkgError(
      'ARCHIVE_MISSING_SPEC',
      `The archive is empty; it must start with ${SPEC_ENTRY}.`,
      { subject: SPEC_ENTRY },
    );
  }
  async function* rest(): AsyncIterable<Uint8Array> {
    yield first;
    if (ended) return;
    while (true) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value as Uint8Array;
    }
  }
  const stream = Readable.from(rest(), { objectMode: false, highWaterMark: 1024 * 1024 });
  stream.on('close', () => {
    // Releases the upstream source (e.g. closes a file) when the reader stops early.
    void iterator.return?.();
  });
  return { stream, compressed: first[0] === 0x1f && first[1] === 0x8b };
}
