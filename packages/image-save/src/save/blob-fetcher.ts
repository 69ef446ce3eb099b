import type { RegistryClient, RepositoryLocation } from '../registry/registry-client.ts';
import { isRegistryError, RegistryError } from '../registry/registry-error.ts';
import { DEFAULT_RETRY, retryDelay, sleep } from '../registry/retry.ts';
import type { BlobUpload } from '../storage/blob-upload.ts';
import type { RegistryStorage } from '../storage/registry-storage.ts';
import { StorageError } from '../storage/storage-error.ts';
import type { SaveEvent } from './events.ts';

/** One blob to fetch, from the first repository that needs it. */
export interface BlobJob {
  digest: string;
  size: number;
  source: RepositoryLocation;
}

/** Outcome of one blob. */
export type BlobOutcome = { ok: true; fetched: number } | { ok: false; error: Error };

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
        .then(job.resolve, (error: unknown) => job.resolve({ ok: false, error: error as Error }))
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
      return { ok: true, fetched: 0 };
    }
    const upload = await this.#storage.beginBlob(job.digest, { size: job.size });
    // Another worker (or a previous run) may have finished it while we waited for the lock.
    if ((await this.#storage.blobSize(job.digest)) === job.size) {
      await upload.suspend();
      this.blobsSkipped++;
      this.#emit({ type: 'blob-skipped', digest: job.digest, size: job.size, reason: 'present' });
      return { ok: true, fetched: 0 };
    }
    let fetched = 0;
    this.#emit({ type: 'blob-start', digest: job.digest, size: job.size, offset: upload.offset });
    for (let attempt = 1; ; attempt++) {
      try {
        fetched += await this.#transfer(job, upload);
        await upload.commit();
        this.blobsFetched++;
        this.bytesFetched += fetched;
        this.#emit({ type: 'blob-done', digest: job.digest, size: job.size, fetched });
        return { ok: true, fetched };
      } catch (error) {
        if (
          error instanceof StorageError &&
          (error.code === 'digest-mismatch' || error.code === 'size-mismatch')
        ) {
          return { ok: false, error };
        }
        const retryable =
          !this.#signal?.aborted &&
          (isRegistryError(error) ? error.retryable : !(error instanceof StorageError));
        if (!retryable || attempt >= this.#attempts) {
          // Keep the partial file: the next run resumes it with Range.
          await upload.suspend().catch(() => undefined);
          return { ok: false, error: error as Error };
        }
        const delayMs = retryDelay(
          DEFAULT_RETRY,
          attempt,
          isRegistryError(error) ? error.retryAfterSeconds : undefined,
        );
        this.#emit({ type: 'blob-retry', digest: job.digest, attempt, delayMs, error: brief(error) });
        try {
          await sleep(delayMs, this.#signal);
        } catch {
          await upload.suspend().catch(() => undefined);
          return { ok: false, error: error as Error };
        }
      }
    }
  }

  /** One GET from the upload's current offset; returns bytes received. */
  async #transfer(job: Queued, upload: BlobUpload): Promise<number> {
    if (upload.offset === job.size) return 0;
    const res = await this.#client.getBlob(job.source, job.digest, {
      offset: upload.offset,
      ...(this.#signal ? { signal: this.#signal } : {}),
    });
    if (res.start !== upload.offset) {
      if (res.start !== 0) {
        res.body.destroy();
        throw new RegistryError(
          'unexpected-status',
          `The registry resumed blob ${job.digest} at the wrong offset.`,
          {
            retryable: true,
          },
        );
      }
      await upload.restart();
    }
    let received = 0;
    let lastEmit = 0;
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
      if (error instanceof StorageError) throw error;
      throw new RegistryError(
        'network',
        `The transfer of blob ${job.digest} broke off after ${upload.offset} bytes.`,
        {
          retryable: true,
          cause: error,
          host: job.source.registry,
        },
      );
    }
    if (upload.offset < job.size) {
      throw new RegistryError(
        'network',
        `The transfer of blob ${job.digest} ended early at ${upload.offset} of ${job.size} bytes.`,
        {
          retryable: true,
          host: job.source.registry,
        },
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
