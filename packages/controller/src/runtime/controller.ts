import { isHubError, toHubError } from '@hub/api-types/errors';
import type { SharedInformerFactory } from '@hub/datapack';
import type {
  KubeObject,
  ReconcileClient,
  ReconcileLogger,
  ReconcileResult,
  WatchMapping,
} from '@hub/reconcilers';
import { resourceOfKind } from './kinds.ts';
import type { Logger } from './logger.ts';
import type { ControllerMetrics } from './metrics.ts';
import { createWorkQueue, type WorkQueue } from './work-queue.ts';

/**
 * What the runtime drives: a catalogue ReconcilerDefinition, or another package's reconciler with its own
 * client type (the KubePkg controller), watching any kind `resourceOfKind` knows.
 */
export interface RuntimeReconciler<C = ReconcileClient> {
  readonly name: string;
  /** The kind it reconciles (informational; the keys say which objects). */
  readonly kind?: string;
  reconcile(
    key: string,
    context: { client: C; signal: AbortSignal; now(): Date; log: ReconcileLogger },
  ): Promise<ReconcileResult | undefined>;
  readonly watches: readonly { readonly kind: string; map: WatchMapping['map'] }[];
}

export interface ControllerOptions<C = ReconcileClient> {
  definition: RuntimeReconciler<C>;
  factory: SharedInformerFactory;
  /** The client of every reconcile, or one per reconcile given its signal (so the signal reaches its requests). */
  client: C | ((signal: AbortSignal) => C);
  metrics: ControllerMetrics;
  log: Logger;
  /** Concurrent reconciles (async workers pulling from one queue). */
  concurrency: number;
  /** Per-reconcile timeout; its signal aborts (default 60 s). */
  reconcileTimeoutMs?: number;
  now?: () => Date;
}

/** One running reconciler: event mapping into a work queue, N workers, result handling and metrics. */
export interface Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  /** Subscribes to the informers (no work starts before `run`). */
  watch(): void;
  /**
   * Runs workers until `stop` aborts, then takes no new work and resolves when the in-flight
   * reconciles are done. `abortInFlight` aborts their signals (the drain deadline passed, or leadership
   * was lost).
   */
  run(stop: AbortSignal, abortInFlight: AbortSignal): Promise<void>;
}

export function createController<C = ReconcileClient>(options: ControllerOptions<C>): Controller {
  const { definition, metrics, log } = options;
  const name = definition.name;
  const queue = createWorkQueue<string>({ name, metrics });
  const timeoutMs = options.reconcileTimeoutMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  const labels = { controller: name };
  const unsubscribe: Array<() => void> = [];
  metrics.maxConcurrentReconciles.set(labels, options.concurrency);
  metrics.activeWorkers.set(labels, 0);

  async function reconcileOne(key: string, stop: AbortSignal, abortInFlight: AbortSignal): Promise<void> {
    const started = performance.now();
    const signal = AbortSignal.any([abortInFlight, AbortSignal.timeout(timeoutMs)]);
    const context = {
      client:
        typeof options.client === 'function'
          ? (options.client as (signal: AbortSignal) => C)(signal)
          : options.client,
      signal,
      now,
      log: log.with({ controller: name, name: key }),
    };
    metrics.activeWorkers.inc(labels);
    try {
      const result = await definition.reconcile(key, context);
      if (result?.requeueAfterMs !== undefined && result.requeueAfterMs > 0) {
        queue.forget(key);
        queue.addAfter(key, result.requeueAfterMs);
        metrics.reconcileTotal.inc({ ...labels, result: 'requeue_after' });
      } else {
        queue.forget(key);
        metrics.reconcileTotal.inc({ ...labels, result: 'success' });
      }
    } catch (thrown) {
      const error = toHubError(thrown);
      metrics.reconcileTotal.inc({ ...labels, result: 'error' });
      metrics.reconcileErrors.inc(labels);
      if (!isHubError(thrown)) metrics.reconcilePanics.inc(labels);
      if (signal.aborted && !abortInFlight.aborted) metrics.reconcileTimeouts.inc(labels);
      // A HubError that says retrying cannot help is terminal; a crash (non-HubError) or a retryable error backs off.
      if (isHubError(thrown) && !thrown.retryable && !stop.aborted) {
        metrics.terminalReconcileErrors.inc(labels);
        queue.forget(key);
        context.log.error('reconcile failed terminally', { error, code: error.code });
      } else if (!stop.aborted) {
        queue.addRateLimited(key);
        context.log.error('reconcile failed; retrying with backoff', {
          error,
          code: error.code,
          retries: queue.numRequeues(key),
        });
      }
    } finally {
      metrics.activeWorkers.dec(labels);
      metrics.reconcileTime.observe(labels, (performance.now() - started) / 1000);
    }
  }

  async function worker(stop: AbortSignal, abortInFlight: AbortSignal): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcileOne(key, stop, abortInFlight);
      } finally {
        queue.done(key);
      }
    }
  }

  return {
    name,
    queue,
    watch() {
      for (const mapping of definition.watches) {
        const informer = options.factory.informerFor<KubeObject>(resourceOfKind(mapping.kind));
        unsubscribe.push(
          informer.on((event) => {
            let names: readonly string[];
            try {
              names = mapping.map({
                type: event.type,
                object: event.object,
                ...(event.old ? { old: event.old } : {}),
              });
            } catch (error) {
              log.error('a watch mapping threw; event ignored', {
                controller: name,
                kind: mapping.kind,
                error,
              });
              return;
            }
            for (const key of names) queue.add(key);
          }),
        );
      }
    },
    async run(stop, abortInFlight) {
      const workers = Array.from({ length: Math.max(1, options.concurrency) }, () =>
        worker(stop, abortInFlight),
      );
      await new Promise<void>((resolve) => {
        if (stop.aborted) resolve();
        else stop.addEventListener('abort', () => resolve(), { once: true });
      });
      queue.shutDown();
      for (const off of unsubscribe.splice(0)) off();
      await Promise.all(workers);
    },
  };
}
