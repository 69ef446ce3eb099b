import { toHubError } from '@hub/api-types/errors';
import { sleep } from '@hub/api-types/retry';
import type { ImageStore } from '../hub-index/image-store.ts';
import { type IndexImagesResult, indexImages } from '../hub-index/index-images.ts';

/** What the periodic indexer logs through (the controller's Logger fits). */
export interface IndexerLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Options of {@link createPeriodicIndexer}. */
export interface PeriodicIndexerOptions {
  store: ImageStore;
  /** Registry `host[:port]` whose `_catalog` is indexed. */
  registry: string;
  /** Repository globs (default: all). */
  repositories?: readonly string[];
  /** Time between the end of one run and the start of the next. */
  intervalMs: number;
  /** Checked before every run: only the leader writes (default: always). */
  isLeader?: () => boolean;
  plainHttp?: readonly string[];
  /** Delete Images whose tags are gone (default false). */
  prune?: boolean;
  concurrency?: number;
  log?: IndexerLog;
  /** Called after each run (metrics, tests). */
  onRun?: (result: IndexImagesResult) => void;
}

/** A running periodic indexer. */
export interface PeriodicIndexer {
  /** Indexes once now (waits for a run in progress instead of overlapping it). */
  runOnce(): Promise<IndexImagesResult | undefined>;
  /** Stops the loop and aborts a run in progress. */
  stop(): Promise<void>;
}

/**
 * Indexes a registry every `intervalMs` (first run at once), so the catalogue follows pushes
 * without a CLI. Runs never overlap; a replica that is not the leader skips its turn, so exactly one
 * writer acts at a time. A failed run is logged and retried at the next tick. Idempotent runs make
 * no writes, so a short interval costs registry reads only.
 */
export function createPeriodicIndexer(options: PeriodicIndexerOptions): PeriodicIndexer {
  const stopper = new AbortController();
  let current: Promise<IndexImagesResult | undefined> | undefined;
  const runOnce = (): Promise<IndexImagesResult | undefined> => {
    if (current) return current;
    const run = (async () => {
      if (stopper.signal.aborted || !(options.isLeader?.() ?? true)) return undefined;
      try {
        const result = await indexImages({
          source: { kind: 'registry', registry: options.registry, repositories: options.repositories ?? [] },
          store: options.store,
          signal: stopper.signal,
          ...(options.plainHttp ? { plainHttp: options.plainHttp } : {}),
          ...(options.prune ? { prune: true } : {}),
          ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        });
        const s = result.summary;
        options.log?.info('indexed registry', {
          registry: options.registry,
          images: s.images,
          changed: s.changed,
          failed: s.failed,
          durationMs: s.durationMs,
        });
        for (const r of result.images)
          if (r.status === 'failed')
            options.log?.error('image not indexed', { reference: r.reference, error: r.error });
        options.onRun?.(result);
        return result;
      } catch (error) {
        if (!stopper.signal.aborted) {
          const e = toHubError(error);
          options.log?.error('indexing failed', {
            registry: options.registry,
            code: e.code,
            error: e.message,
          });
        }
        return undefined;
      }
    })();
    // Cleared after the run settles (a run that returns at once must not leave itself behind).
    current = run.finally(() => {
      current = undefined;
    });
    return current;
  };
  const loop = (async () => {
    while (!stopper.signal.aborted) {
      await runOnce();
      await sleep(options.intervalMs, stopper.signal).catch(() => undefined); // stopped: the loop ends
    }
  })();
  return {
    runOnce,
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}
