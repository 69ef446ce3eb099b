import type { Result } from '@hub/api-types/reference';
import { networkError } from '../registry/error-mapping.ts';
import type { RegistryClient } from '../registry/registry-client.ts';
import { RegistryError } from '../registry/registry-error.ts';
import type { RepositoryLocation } from '../registry/registry-types.ts';
import { DEFAULT_RETRY, withRetry } from '../registry/retry.ts';
import type { BlobUpload } from '../storage/blob-upload.ts';
import type { RegistryStorage } from '../storage/registry-storage.ts';
import { isStorageError } from '../storage/storage-error.ts';
import type { SaveEvent } from './events.ts';

/** One blob to fetch, from the first repository that needs it. */
export interface BlobJob {
  digest: string;
  size: number;
  source: RepositoryLocation;
}

/** Outcome of one blob: the bytes fetched (0 when already stored), or why it failed. */
export type BlobOutcome = Result<number, Error>;

interface Queued extends BlobJob {
  resolve: (o: BlobOutcome) => void;
}

/**
 * Fetches blobs into storage: each digest once (global in-flight map), largest first, at most
 * `concurrency` transfers per source host, resuming partial files with Range and retrying body
 * failures from the last byte written, within a bounded number of tries.
 */
export class BlobFetcher {
  #storage: RegistryStorage;
  #client: RegistryClient;
  #concurrency: number;
  #attempts: number;
  #emit: (e: SaveEvent) => void;
  #signal: AbortSignal | undefined;
  #inflight = new Map<string, Promise<BlobOutcome>>();
  #queues = new Map<string, { pending: Queued[]; running: number }>();
  bytesFetched = 0;
  blobsFetched = 0;
  blobsSkipped = 0;

  constructor(opts: {
    storage: RegistryStorage;
    client: RegistryClient;
    concurrency: number;
    attempts?: number;
    emit: (e: SaveEvent) => void;
    signal?: AbortSignal | undefined;
  }) {
    this.#storage = opts.storage;
    this.#client = opts.client;
    this.#concurrency = Math.max(1, opts.concurrency);
    this.#attempts = opts.attempts ?? DEFAULT_RETRY.attempts;
    this.#emit = opts.emit;
    this.#signal = opts.signal;
  }

  /** Enqueues a blob (deduplicated by digest); call {@link start} after enqueuing a batch. */
  fetch(job: BlobJob): Promise<BlobOutcome> {
    const existing = this.#inflight.get(job.digest);
    if (existing) return existing;
    const promise = new Promise<BlobOutcome>((resolve) => {
      const q = this.#queue(job.source.registry);
      q.pending.push({ ...job, resolve });
    });
    this.#inflight.set(job.digest, promise);
    return promise;
  }

  /** Sorts every host queue largest-first and starts workers. */
  start(): void {
    for (const [host, q] of this.#queues) {
      q.pending.sort((a, b) => b.size - a.size || a.digest.localeCompare(b.digest));
      this.#pump(host);
    }
  }

  #queue(host: string) {
    let q = this.#queues.get(host);
    if (!q) {
      q = { pending: [], running: 0 };
      this.#queues.set(host, q);
    }
    return q;
  }

  #pump(host: string): void {
    const q = this.#queue(host);
    while (q.running < this.#concurrency && q.pending.length > 0) {
      const job = q.pending.shift() as Queued;
      q.running++;
      this.#run(job)
        .then(job.resolve, (error: unknown) => job.resolve({ success: false, error: error as Error }))
        .finally(() => {
          q.running--;
          this.#pump(host);
        });
    }
  }

  async #run(job: Queued): Promise<BlobOutcome> {
    const present = await this.#storage.blobSize(job.digest);
    if (present === job.size) {
      this.blobsSkipped++;
      this.#emit({ type: 'blob-skipped', digest: job.digest, size: job.size, reason: 'present' });
      return { success: true, data: 0 };
    }
    const upload = await this.#storage.beginBlob(job.digest, { size: job.size });
    // Another worker (or a previous run) may have finished it while we waited for the lock.
    if ((await this.#storage.blobSize(job.digest)) === job.size) {
      await upload.suspend();
      this.blobsSkipped++;
      this.#emit({ type: 'blob-skipped', digest: job.digest, size: job.size, reason: 'present' });
      return { success: true, data: 0 };
    }
    let fetched = 0;
    this.#emit({ type: 'blob-start', digest: job.digest, size: job.size, offset: upload.offset });
    try {
      // Each try resumes from the last byte written (Range), on the shared retry path.
      await withRetry(
        async () => {
          fetched += await this.#transfer(job, upload);
          await upload.commit();
        },
        {
          policy: { attempts: this.#attempts },
          signal: this.#signal,
          onRetry: ({ attempt, delayMs, error }) =>
            this.#emit({
              type: 'blob-retry',
              digest: job.digest,
              attempt,
              delayMs,
              offset: upload.offset,
              error: brief(error),
            }),
        },
      );
    } catch (error) {
      // A blob that hashed wrong is gone already; anything else keeps its partial file for the next run.
      await upload.suspend().catch(() => undefined);
      return { success: false, error: error as Error };
    }
    this.blobsFetched++;
    this.bytesFetched += fetched;
    this.#emit({ type: 'blob-done', digest: job.digest, size: job.size, fetched });
    return { success: true, data: fetched };
  }

  /** One GET from the upload's current offset; returns bytes received. */
  async #transfer(job: Queued, upload: BlobUpload): Promise<number> {
    if (upload.offset === job.size) return 0;
    const res = await this.#client.getBlob(job.source, job.digest, {
      offset: upload.offset,
      retry: false,
      ...(this.#signal ? { signal: this.#signal } : {}),
    });
    if (res.start !== upload.offset) {
      // A registry that ignores Range sends the whole blob again: start the file over.
      if (res.start !== 0) {
        res.body.destroy();
        throw new RegistryError(
          'NETWORK',
          `${job.source.registry} resumed blob ${job.digest} at byte ${res.start}, not ${upload.offset}`,
          { host: job.source.registry, reference: job.digest },
        );
      }
      await upload.restart();
    }
    let received = 0;
    let lastEmit = 0;
    const context = { method: 'GET', reference: job.digest, what: `blob ${job.digest}` };
    try {
      for await (const chunk of res.body) {
        await upload.write(chunk as Uint8Array);
        received += (chunk as Uint8Array).byteLength;
        const now = Date.now();
        if (now - lastEmit >= 250) {
          lastEmit = now;
          this.#emit({
            type: 'blob-progress',
            digest: job.digest,
            size: job.size,
            transferred: upload.offset,
          });
        }
      }
    } catch (error) {
      res.body.destroy();
      if (isStorageError(error)) throw error;
      throw networkError(error, job.source.registry, context, 'mid-body');
    }
    if (upload.offset < job.size) {
      throw new RegistryError(
        'SIZE_MISMATCH',
        `blob ${job.digest} from ${job.source.registry} ended early at byte ${upload.offset} of ${job.size}`,
        { host: job.source.registry, reference: job.digest },
      );
    }
    return received;
  }
}

export function brief(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'error',
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
}
