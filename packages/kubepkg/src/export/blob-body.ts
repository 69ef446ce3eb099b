import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_RETRY,
  type RegistryClient,
  type RepositoryLocation,
  retryDelay,
} from '@hub/image-save/registry';
import { KubePkgError } from '../errors.ts';

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
  const attempts = options.attempts ?? DEFAULT_RETRY.attempts;
  const signal = options.signal ? { signal: options.signal } : {};
  let offset = 0;
  for (let attempt = 1; ; attempt++) {
    let body: { destroy(): void } | undefined;
    try {
      // The request itself (status 429/5xx, connect errors) is retried inside the client with its own
      // budget; an error from it is final. Only a body that breaks off is retried here.
      const res = await client.getBlob(loc, digest, { offset, ...signal }).catch((error: unknown) => {
        throw Object.assign(new Error('request failed'), { final: error });
      });
      body = res.body;
      // A source that answers 200 to a Range request restarts at 0: skip what was already given.
      let skip = offset - res.start;
      if (skip < 0)
        throw Object.assign(new Error(`the registry resumed at byte ${res.start}, not ${offset}`), {
          retryable: true,
        });
      for await (const raw of res.body as AsyncIterable<Uint8Array>) {
        let chunk = raw;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.byteLength);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.byteLength === 0) continue;
        }
        offset += chunk.byteLength;
        yield chunk;
        if (offset > size) return; // the consumer reports the size mismatch
      }
      if (offset >= size) return;
      throw Object.assign(new Error(`the body ended at byte ${offset} of ${size}`), { retryable: true });
    } catch (error) {
      body?.destroy();
      if (options.signal?.aborted) throw error;
      const final = (error as { final?: unknown }).final;
      const cause = final ?? error;
      const retryable = final === undefined && (error as { retryable?: unknown }).retryable !== false;
      const reason = describe(cause);
      if (!retryable || attempt >= attempts) {
        const tries = `${attempt} ${attempt === 1 ? 'try' : 'tries'}`;
        throw new KubePkgError(
          'BLOB_FETCH_FAILED',
          `Image ${options.reference}: blob ${digest} from ${loc.registry}/${loc.repository} failed after ${tries} at byte ${offset} of ${size}: ${reason}.`,
          { subject: digest, cause, retryable: (cause as { retryable?: unknown }).retryable === true },
        );
      }
      const retryAfter = (cause as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      const delayMs = retryDelay(
        DEFAULT_RETRY,
        attempt,
        typeof retryAfter === 'number' ? retryAfter : undefined,
      );
      options.onRetry?.({ reference: options.reference, digest, attempt, offset, delayMs, reason });
      await sleep(delayMs, undefined, signal);
    }
  }
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
  const attempts = options.attempts ?? DEFAULT_RETRY.attempts;
  const [alg] = digest.split(':') as [string];
  for (let attempt = 1; ; attempt++) {
    const chunks: Uint8Array[] = [];
    const hash = createHash(alg);
    let length = 0;
    for await (const chunk of blobBody(client, loc, digest, size, options)) {
      length += chunk.byteLength;
      if (length > size) break;
      hash.update(chunk);
      chunks.push(chunk);
    }
    const actual = `${alg}:${hash.digest('hex')}`;
    if (length === size && actual === digest) return chunks;
    const reason = length !== size ? `it gave ${length} of ${size} bytes` : `its bytes hash to ${actual}`;
    if (attempt >= attempts) {
      throw new KubePkgError(
        length !== size ? 'BLOB_SIZE_MISMATCH' : 'BLOB_DIGEST_MISMATCH',
        `Image ${options.reference}: blob ${digest} from ${loc.registry}/${loc.repository}: ${reason}, ${attempt} ${attempt === 1 ? 'try' : 'tries'}.`,
        { subject: digest },
      );
    }
    const delayMs = retryDelay(DEFAULT_RETRY, attempt);
    options.onRetry?.({ reference: options.reference, digest, attempt, offset: 0, delayMs, reason });
    await sleep(delayMs, undefined, options.signal ? { signal: options.signal } : {});
  }
}

function describe(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
