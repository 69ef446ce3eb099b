import { type RetryPolicy, withRetry } from '@hub/api-types/retry';
import { isKubeApiError, KUBE_RESOURCES, type KubeTransport, objectPath } from '@hub/datapack';
import { RegistryAuthError } from './errors.ts';

/** Adds `delta` to one Repository's `status.downloadCount`. */
export type DownloadCountWriter = (repositoryMetadataName: string, delta: number) => Promise<void>;

/** Counts granted pulls in memory and writes them in batches. */
export interface DownloadCounter {
  /** Counts one download of the Repository with this metadata.name. */
  record(repositoryMetadataName: string): void;
  /** Writes every pending count now (one write per repository); failed ones stay pending. */
  flush(): Promise<void>;
  /** Counts not written yet. */
  pending(): ReadonlyMap<string, number>;
  /** Stops the timer and flushes once more. */
  stop(): Promise<void>;
}

/** Options of {@link createDownloadCounter}. */
export interface DownloadCounterOptions {
  write: DownloadCountWriter;
  /** At most one write per repository per interval. Default 10 s. */
  intervalMs?: number;
  onError?: (repositoryMetadataName: string, error: unknown) => void;
}

/**
 * Batches download counts: `record` only bumps a number; every `intervalMs` each repository with pending
 * downloads gets one status write. A failed write keeps its count for the next round.
 */
export function createDownloadCounter(options: DownloadCounterOptions): DownloadCounter {
  let pending = new Map<string, number>();
  let flushing: Promise<void> | undefined;
  const flushOnce = async () => {
    const batch = pending;
    pending = new Map();
    for (const [name, delta] of batch) {
      try {
        await options.write(name, delta);
      } catch (error) {
        pending.set(name, (pending.get(name) ?? 0) + delta);
        options.onError?.(name, error);
      }
    }
  };
  const flush = (): Promise<void> => {
    // Never two rounds at once: that would mean two writes for one repository in one interval.
    flushing ??= flushOnce().finally(() => {
      flushing = undefined;
    });
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.intervalMs ?? 10_000);
  timer.unref();
  return {
    record(name) {
      pending.set(name, (pending.get(name) ?? 0) + 1);
    },
    flush,
    pending: () => pending,
    async stop() {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}

/**
 * Writes downloadCount with a merge patch on the status subresource, guarded by the resourceVersion it read,
 * so concurrent writers never lose counts: a 409 re-reads and retries with backoff (`withRetry`, which also
 * retries 429s, 5xx and resets). A deleted Repository drops its count.
 */
export function kubernetesDownloadCountWriter(
  transport: KubeTransport,
  options: { fieldManager?: string; retry?: Partial<RetryPolicy> } = {},
): DownloadCountWriter {
  const fieldManager = options.fieldManager ?? 'hub-registry-token';
  return async (name, delta) => {
    const path = objectPath(KUBE_RESOURCES.Repository, name, undefined, 'status');
    try {
      await withRetry(
        async () => {
          const current = await transport.request<{
            metadata?: { resourceVersion?: string };
            status?: { downloadCount?: number };
          }>(path, { verb: 'get' });
          await transport.request(path, {
            verb: 'patch',
            method: 'PATCH',
            contentType: 'application/merge-patch+json',
            query: { fieldManager },
            body: {
              metadata: { resourceVersion: current.metadata?.resourceVersion },
              status: { downloadCount: (current.status?.downloadCount ?? 0) + delta },
            },
          });
        },
        { policy: { attempts: 6, ...options.retry } },
      );
    } catch (error) {
      if (isKubeApiError(error) && error.code === 'NOT_FOUND') return;
      throw new RegistryAuthError(
        'DOWNLOAD_COUNT_FAILED',
        `cannot update downloadCount of Repository ${name}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
  };
}
