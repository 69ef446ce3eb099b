import { createBackoff, jittered, sleep } from './backoff.ts';
import { isKubeApiError, KubeApiError } from './kube-api-error.ts';
import type { KubeTransport } from './kube-transport.ts';
import { type CachedObject, ObjectStore, objectKey } from './object-store.ts';
import { apiVersionOf, collectionPath, type KubeResource } from './resource.ts';

/** A change seen by an informer; `old` is the cached object before a MODIFIED or DELETED. */
export interface InformerEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
  old?: T;
}

export interface InformerOptions {
  resource: KubeResource;
  /** Only this namespace (namespaced kinds); all namespaces when absent. */
  namespace?: string;
  /** Server-side label selector in its string form (`a=b,c`). */
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of the list (default 500). */
  pageSize?: number;
  /**
   * Silence watchdog: when a watch delivers no event and no bookmark for this long the informer
   * drops it and relists (default 150 s; the apiserver sends a bookmark about every minute).
   */
  silenceMs?: number;
  /** Relist every this many ms, jittered ±20% (default 0: only after 410s, errors and silence). */
  relistIntervalMs?: number;
  /** Reconnect backoff after errors (default 800 ms doubling to 30 s, jittered). */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * Keep `metadata.managedFields` in cached objects (default false: they are dropped on arrival, as
   * controller-runtime's TransformStripManagedFields does; they are often the largest part of an object).
   */
  keepManagedFields?: boolean;
  /** Receives list and watch failures; the informer retries by itself. */
  onError?: (error: KubeApiError) => void;
}

/** Counters for tests, logs and metrics. */
export interface InformerStats {
  lists: number;
  watches: number;
  events: number;
  bookmarks: number;
  errors: number;
}

/**
 * A cache of one kind kept current by list + watch, with the resilience client-node's ListWatch
 * lacks: paginated lists, bookmarks, relist on 410, jittered reconnect backoff, a silence watchdog,
 * old and new objects on update, and label indexes. Objects it returns are shared: never mutate them.
 */
export interface Informer<T extends CachedObject = CachedObject> {
  readonly resource: KubeResource;
  /** Starts listing and watching (idempotent). */
  start(): void;
  /** Stops the watch; the cache keeps its last state. */
  stop(): void;
  /** True once the first list has been applied. */
  synced(): boolean;
  /** Resolves when synced; rejects when `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void>;
  get(name: string, namespace?: string): T | undefined;
  /** Cached objects whose labels match every pair of `selector` (served from the label index). */
  list(selector?: Readonly<Record<string, string>>): T[];
  readonly size: number;
  /**
   * Subscribes to changes. Objects already cached are replayed as ADDED first, so a late subscriber
   * sees everything. Returns the unsubscribe function. Handlers run synchronously; keep them cheap.
   */
  on(handler: (event: InformerEvent<T>) => void): () => void;
  stats(): InformerStats;
}

interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: CachedObject[];
}

interface WatchEvent {
  type?: string;
  object?: CachedObject & { code?: number; reason?: string; message?: string };
}

/** Creates an informer over `transport`; call `start()` (or let a SharedInformerFactory do it). */
export function createInformer<T extends CachedObject = CachedObject>(
  transport: KubeTransport,
  options: InformerOptions,
): Informer<T> {
  const { resource } = options;
  const apiVersion = apiVersionOf(resource);
  const path = collectionPath(resource, options.namespace);
  const pageSize = options.pageSize ?? 500;
  const silenceMs = options.silenceMs ?? 150_000;
  const store = new ObjectStore<T>();
  const handlers = new Set<(event: InformerEvent<T>) => void>();
  const stats: InformerStats = { lists: 0, watches: 0, events: 0, bookmarks: 0, errors: 0 };
  let running: AbortController | undefined;
  let isSynced = false;
  let markSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => {
    markSynced = resolve;
  });

  const emit = (event: InformerEvent<T>) => {
    stats.events++;
    for (const handler of handlers) {
      try {
        handler(event);
      } catch (error) {
        // A broken handler must not stop the cache for the others.
        options.onError?.(
          new KubeApiError('SERVER_ERROR', `an informer handler for ${resource.plural} threw`, {
            cause: error,
          }),
        );
      }
    }
  };
  // Lists and watch events on lists omit apiVersion and kind; reconcilers need them.
  const complete = (object: CachedObject): T => {
    object.apiVersion ??= apiVersion;
    object.kind ??= resource.kind;
    if (!options.keepManagedFields && object.metadata) delete object.metadata.managedFields;
    return object as T;
  };
  const selectors = {
    ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
    ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
  };

  async function relist(signal: AbortSignal): Promise<string> {
    stats.lists++;
    const fresh = new Map<string, T>();
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page: ListPage = await transport.request<ListPage>(path, {
        verb: 'list',
        signal,
        timeoutMs: 60_000,
        query: { limit: pageSize, ...selectors, ...(token ? { continue: token } : {}) },
      });
      // Every page of a paginated list shares the first page's snapshot; its resourceVersion is the list's.
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      for (const item of page.items ?? []) fresh.set(objectKey(item), complete(item));
      token = page.metadata?.continue || undefined;
    } while (token);
    for (const [key, object] of fresh) {
      const old = store.get(key);
      if (old?.metadata?.resourceVersion === object.metadata?.resourceVersion && old) continue;
      store.put(object);
      emit(old ? { type: 'MODIFIED', object, old } : { type: 'ADDED', object });
    }
    for (const object of [...store.values()]) {
      const key = objectKey(object);
      if (!fresh.has(key)) {
        store.remove(key);
        emit({ type: 'DELETED', object, old: object });
      }
    }
    if (!isSynced) {
      isSynced = true;
      markSynced();
    }
    return resourceVersion;
  }

  // The newest resourceVersion seen (list, event or bookmark): a broken watch resumes from here.
  let lastResourceVersion: string | undefined;

  /** Watches from `resourceVersion` until the stream ends or fails; events advance lastResourceVersion. */
  async function watch(resourceVersion: string, signal: AbortSignal): Promise<void> {
    stats.watches++;
    const stream = transport.stream(path, {
      signal,
      idleTimeoutMs: silenceMs,
      query: {
        watch: 1,
        allowWatchBookmarks: true,
        resourceVersion,
        // Like client-go: the server ends the watch after 5–10 min, spreading reconnects of many clients.
        timeoutSeconds: Math.round(300 + Math.random() * 300),
        ...selectors,
      },
    });
    for await (const raw of stream) {
      const event = raw as WatchEvent;
      const object = event.object;
      if (!object) continue;
      if (event.type === 'ERROR') {
        const code = typeof object.code === 'number' ? object.code : 500;
        throw new KubeApiError(
          code === 410 ? 'GONE' : 'SERVER_ERROR',
          `watch ${path}: the apiserver sent a ${code} error event`,
          {
            retryable: true,
            status: code,
            ...(typeof object.reason === 'string' ? { reason: object.reason } : {}),
            ...(typeof object.message === 'string' ? { detail: object.message } : {}),
          },
        );
      }
      lastResourceVersion = object.metadata?.resourceVersion ?? lastResourceVersion;
      if (event.type === 'BOOKMARK') {
        stats.bookmarks++;
        continue;
      }
      const item = complete(object);
      const key = objectKey(item);
      if (event.type === 'DELETED') {
        const old = store.remove(key);
        emit({ type: 'DELETED', object: item, ...(old ? { old } : {}) });
      } else if (event.type === 'ADDED' || event.type === 'MODIFIED') {
        const old = store.put(item);
        emit(old ? { type: 'MODIFIED', object: item, old } : { type: 'ADDED', object: item });
      }
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    const backoff = createBackoff(options.backoff ?? {});
    let relistAt = Number.POSITIVE_INFINITY;
    const scheduleRelist = () => {
      relistAt = options.relistIntervalMs
        ? Date.now() + jittered(options.relistIntervalMs, 0.2)
        : Number.POSITIVE_INFINITY;
    };
    while (!signal.aborted) {
      try {
        if (lastResourceVersion === undefined || Date.now() >= relistAt) {
          lastResourceVersion = await relist(signal);
          scheduleRelist();
        }
        const period = Number.isFinite(relistAt)
          ? AbortSignal.timeout(Math.max(1, relistAt - Date.now()))
          : undefined;
        const watchSignal = period ? AbortSignal.any([signal, period]) : signal;
        const before = stats.events + stats.bookmarks;
        try {
          await watch(lastResourceVersion, watchSignal);
        } catch (error) {
          if (!(period?.aborted && !signal.aborted)) throw error;
        }
        // A watch that delivered something was healthy; one that closed empty at once counts as a failure.
        if (stats.events + stats.bookmarks > before) backoff.reset();
        else await sleep(backoff.next(), signal);
      } catch (error) {
        if (signal.aborted) break;
        stats.errors++;
        const failure = isKubeApiError(error)
          ? error
          : new KubeApiError('NETWORK', `watch ${path} failed`, { retryable: true, cause: error });
        // 410: our resourceVersion is too old. Silence: the stream may be a zombie. Both: start over with a list.
        if (failure.code === 'GONE' || failure.code === 'TIMEOUT') lastResourceVersion = undefined;
        options.onError?.(failure);
        await sleep(failure.code === 'GONE' ? jittered(100, 0.5) : backoff.next(), signal);
      }
    }
  }

  const informer: Informer<T> = {
    resource,
    start() {
      if (running) return;
      running = new AbortController();
      void run(running.signal);
    },
    stop() {
      running?.abort();
      running = undefined;
    },
    synced: () => isSynced,
    waitForSync(signal) {
      if (isSynced) return Promise.resolve();
      if (!signal) return syncedPromise;
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        void syncedPromise.then(resolve);
      });
    },
    get(name, namespace) {
      return store.get(namespace ? `${namespace}/${name}` : name);
    },
    list: (selector) => store.select(selector),
    get size() {
      return store.size;
    },
    on(handler) {
      for (const object of [...store.values()]) handler({ type: 'ADDED', object });
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    stats: () => ({ ...stats }),
  };
  return informer;
}
