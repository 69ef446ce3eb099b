import { IMAGEHUB_GROUP, IMAGEHUB_VERSION } from '@hub/api-types';
import { CustomObjectsApi, type KubeConfig, setHeaderOptions } from '@kubernetes/client-node';
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

const PLURAL = 'repositories';
const MAX_CONFLICT_RETRIES = 5;

/**
 * Writes downloadCount with a merge patch on the status subresource, guarded by the resourceVersion it read
 * (a 409 re-reads and retries), so concurrent writers never lose counts. A deleted Repository drops its count.
 */
export function kubernetesDownloadCountWriter(
  kubeConfig: KubeConfig,
  options: { fieldManager?: string } = {},
): DownloadCountWriter {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const fieldManager = options.fieldManager ?? 'hub-registry-token';
  const target = { group: IMAGEHUB_GROUP, version: IMAGEHUB_VERSION, plural: PLURAL };
  return async (name, delta) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const current = (await api.getClusterCustomObjectStatus({ ...target, name })) as {
          metadata?: { resourceVersion?: string };
          status?: { downloadCount?: number };
        };
        await api.patchClusterCustomObjectStatus(
          {
            ...target,
            name,
            fieldManager,
            body: {
              metadata: { resourceVersion: current.metadata?.resourceVersion },
              status: { downloadCount: (current.status?.downloadCount ?? 0) + delta },
            },
          },
          setHeaderOptions('Content-Type', 'application/merge-patch+json'),
        );
        return;
      } catch (error) {
        const code = (error as { code?: unknown } | undefined)?.code;
        if (code === 404) return;
        if (code === 409 && attempt < MAX_CONFLICT_RETRIES) continue;
        throw new RegistryAuthError(
          'DOWNLOAD_COUNT_FAILED',
          `cannot update downloadCount of Repository ${name}`,
          {
            cause: error,
            retryable: true,
          },
        );
      }
    }
  };
}
