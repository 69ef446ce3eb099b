import { createHash } from 'node:crypto';
import {
  DEFAULT_RETRY,
  type RegistryClient,
  type RepositoryLocation,
  withRetry,
} from '@hub/image-save/registry';
import { isKubePkgError, KubePkgError } from '../errors.ts';
import { handOver, Stopped } from './hand-over.ts';

/** A retry of a blob body, reported as a progress event. */
export interface BlobRetry {
  reference: string;
  digest: string;
  attempt: number;
  offset: number;
  delayMs: number;
  reason: string;
}

/** Options of {@link blobBody}. */
export interface BlobBodyOptions {
  /** The image the blob belongs to, for messages. */
  reference: string;
  /** Total tries including the first (default the registry client's default, 5). */
  attempts?: number;
  signal?: AbortSignal;
  onRetry?: (retry: BlobRetry) => void;
}

/**
 * A blob's bytes from a registry, surviving dropped connections: when the body breaks off (reset,
 * truncation, idle timeout, a retryable status), it asks again with `Range: bytes=<received>-` and goes
 * on from there (a source that ignores Range is re-read and the bytes already given are skipped), within
 * the retry budget. It never repeats or reorders bytes, so the caller can hash the stream as it flows.
 * Failing for good, it throws one BLOB_FETCH_FAILED naming the image, the blob, what happened and the tries.
 */
export async function* blobBody(
  client: RegistryClient,
  loc: RepositoryLocation,
  digest: string,
  size: number,
  options: BlobBodyOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const signal = options.signal ? { signal: options.signal } : {};
  let offset = 0;
  let tries = 0;
  // One try: ask from `offset` and hand each new chunk on; a body that breaks off throws a retryable error.
  const readFrom = async (emit: (chunk: Uint8Array) => Promise<void>, attempt: number): Promise<void> => {
    tries = attempt;
    // The request itself (status 429/5xx, connect errors) is retried inside the client with its own
    // budget; an error from it is final. Only a body that breaks off is retried here.
    const res = await client.getBlob(loc, digest, { offset, ...signal }).catch((error: unknown) => {
      throw new GiveUp(error);
    });
    try {
      // A source that answers 200 to a Range request restarts at 0: skip what was already given.
      let skip = offset - res.start;
      if (skip < 0) throw new Error(`the registry resumed at byte ${res.start}, not ${offset}`);
      for await (const raw of res.body as AsyncIterable<Uint8Array>) {
        let chunk = raw;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.byteLength);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.byteLength === 0) continue;
        }
        offset += chunk.byteLength;
        await emit(chunk);
        if (offset > size) return; // the consumer reports the size mismatch
      }
      if (offset >= size) return;
      throw new Error(`the body ended at byte ${offset} of ${size}`);
    } catch (error) {
      res.body.destroy();
      if (error instanceof GiveUp) throw error;
      throw bodyBroken(error);
    }
  };
  const fetchAll = (emit: (chunk: Uint8Array) => Promise<void>) =>
    withRetry((attempt) => readFrom(emit, attempt), {
      policy: { attempts: options.attempts ?? DEFAULT_RETRY.attempts },
      signal: options.signal,
      onRetry: ({ attempt, delayMs, error }) =>
        options.onRetry?.({
          reference: options.reference,
          digest,
          attempt,
          offset,
          delayMs,
          reason: describe(causeOf(error)),
        }),
    }).catch((error: unknown) => {
      const cause = causeOf(error);
      if (options.signal?.aborted || error instanceof Stopped) throw cause;
      throw new KubePkgError(
        'BLOB_FETCH_FAILED',
        `Image ${options.reference}: blob ${digest} from ${loc.registry}/${loc.repository} failed after ${triesText(tries)} at byte ${offset} of ${size}: ${describe(cause)}.`,
        { subject: digest, cause, retryable: (cause as { retryable?: unknown }).retryable === true },
      );
    });
  yield* handOver(fetchAll);
}

/** Blobs up to this size are fetched whole and verified before any byte of them enters the archive. */
export const BUFFERED_BLOB_BYTES = 4 * 1024 * 1024;

/**
 * A small blob (configs, small layers), fetched whole into memory and checked against its digest before it
 * is handed on, so corrupted bytes are fetched again (within the same tries) instead of failing the export.
 */
export async function verifiedSmallBlob(
  client: RegistryClient,
  loc: RepositoryLocation,
  digest: string,
  size: number,
  options: BlobBodyOptions,
): Promise<Uint8Array[]> {
  const [alg] = digest.split(':') as [string];
  const attempts = options.attempts ?? DEFAULT_RETRY.attempts;
  let reason = '';
  return withRetry(
    async (attempt) => {
      const chunks: Uint8Array[] = [];
      const hash = createHash(alg);
      let length = 0;
      try {
        for await (const chunk of blobBody(client, loc, digest, size, options)) {
          length += chunk.byteLength;
          if (length > size) break;
          hash.update(chunk);
          chunks.push(chunk);
        }
      } catch (error) {
        throw new GiveUp(error); // blobBody has spent its own tries on this blob
      }
      const actual = `${alg}:${hash.digest('hex')}`;
      if (length === size && actual === digest) return chunks;
      reason = length !== size ? `it gave ${length} of ${size} bytes` : `its bytes hash to ${actual}`;
      throw new KubePkgError(
        length !== size ? 'BLOB_SIZE_MISMATCH' : 'BLOB_DIGEST_MISMATCH',
        `Image ${options.reference}: blob ${digest} from ${loc.registry}/${loc.repository}: ${reason}, ${triesText(attempt)}.`,
        // The last mismatch is final.
        { subject: digest, retryable: attempt < attempts },
      );
    },
    {
      policy: { attempts },
      signal: options.signal,
      onRetry: ({ attempt, delayMs }) =>
        options.onRetry?.({ reference: options.reference, digest, attempt, offset: 0, delayMs, reason }),
    },
  ).catch((error: unknown) => {
    throw error instanceof GiveUp ? error.error : error;
  });
}

/** A failure {@link withRetry} must not retry (it is not a HubError); `error` is what the caller sees. */
class GiveUp extends Error {
  readonly error: unknown;
  constructor(error: unknown) {
    super('give up');
    this.error = error;
  }
}

/** A body that broke off, as a retryable error for {@link withRetry}, carrying the registry's Retry-After. */
function bodyBroken(error: unknown): KubePkgError & { retryAfterSeconds?: number } {
  const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return Object.assign(
    new KubePkgError('BLOB_FETCH_FAILED', 'the blob body broke off', {
      cause: error,
      retryable: (error as { retryable?: unknown }).retryable !== false,
    }),
    typeof retryAfter === 'number' ? { retryAfterSeconds: retryAfter } : {},
  );
}

/** What actually went wrong: the error inside our retry wrappers. */
function causeOf(error: unknown): unknown {
  if (error instanceof GiveUp) return error.error;
  if (isKubePkgError(error) && error.message === 'the blob body broke off') return error.cause;
  return error;
}

function triesText(tries: number): string {
  return `${tries} ${tries === 1 ? 'try' : 'tries'}`;
}

function describe(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
