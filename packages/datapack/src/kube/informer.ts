import { createBackoff, retryDelay, sleep } from '@hub/api-types/retry';
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

/** What the steps of one informer share: its settings, its cache and subscribers, and where the watch is. */
interface InformerState<T extends CachedObject> {
  transport: KubeTransport;
  options: InformerOptions;
  apiVersion: string;
  path: string;
  pageSize: number;
  silenceMs: number;
  selectors: { labelSelector?: string; fieldSelector?: string };
  store: ObjectStore<T>;
  handlers: Set<(event: InformerEvent<T>) => void>;
  stats: InformerStats;
  isSynced: boolean;
  markSynced: () => void;
  /** The newest resourceVersion seen (list, event or bookmark): a broken watch resumes from here. */
  lastResourceVersion: string | undefined;
}

/** Creates an informer over `transport`; call `start()` (or let a SharedInformerFactory do it). */
export function createInformer<T extends CachedObject = CachedObject>(
  transport: KubeTransport,
  options: InformerOptions,
): Informer<T> {
  let markSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const state = initialState<T>(transport, options, markSynced);
  let running: AbortController | undefined;
  return {
    resource: options.resource,
    start() {
      if (running) return;
      running = new AbortController();
      void run(state, running.signal);
    },
    stop() {
      running?.abort();
      running = undefined;
    },
    synced: () => state.isSynced,
    waitForSync(signal) {
      if (state.isSynced) return Promise.resolve();
      if (!signal) return syncedPromise;
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        void syncedPromise.then(resolve);
      });
    },
    get(name, namespace) {
      return state.store.get(namespace ? `${namespace}/${name}` : name);
    },
    list: (selector) => state.store.select(selector),
    get size() {
      return state.store.size;
    },
    on(handler) {
      for (const object of [...state.store.values()]) handler({ type: 'ADDED', object });
      state.handlers.add(handler);
      return () => state.handlers.delete(handler);
    },
    stats: () => ({ ...state.stats }),
  };
}

function initialState<T extends CachedObject>(
  transport: KubeTransport,
  options: InformerOptions,
  markSynced: () => void,
): InformerState<T> {
  return {
    transport,
    options,
    apiVersion: apiVersionOf(options.resource),
    path: collectionPath(options.resource, options.namespace),
    pageSize: options.pageSize ?? 500,
    silenceMs: options.silenceMs ?? 150_000,
    selectors: {
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
    },
    store: new ObjectStore<T>(),
    handlers: new Set(),
    stats: { lists: 0, watches: 0, events: 0, bookmarks: 0, errors: 0 },
    isSynced: false,
    markSynced,
    lastResourceVersion: undefined,
  };
}

/** Lists, then watches from the list's resourceVersion, until `signal` aborts; every failure is retried. */
async function run<T extends CachedObject>(state: InformerState<T>, signal: AbortSignal): Promise<void> {
  const { options } = state;
  // Half of each delay is random: replicas and kinds spread out, yet none reconnects right after a failure.
  const backoff = createBackoff({
    baseDelayMs: options.backoff?.initialMs ?? 800,
    maxDelayMs: options.backoff?.maxMs ?? 30_000,
    jitter: 0.5,
  });
  let relistAt = Number.POSITIVE_INFINITY;
  while (!signal.aborted) {
    let delayMs = 0;
    try {
      if (state.lastResourceVersion === undefined || Date.now() >= relistAt) {
        state.lastResourceVersion = await relist(state, signal);
        relistAt = options.relistIntervalMs
          ? Date.now() + options.relistIntervalMs * (0.8 + Math.random() * 0.4)
          : Number.POSITIVE_INFINITY;
      }
      const before = state.stats.events + state.stats.bookmarks;
      await watchUntil(state, state.lastResourceVersion, relistAt, signal);
      // A watch that delivered something was healthy; one that closed empty at once counts as a failure.
      if (state.stats.events + state.stats.bookmarks > before) backoff.reset();
      else delayMs = backoff.next();
    } catch (error) {
      if (signal.aborted) break;
      state.stats.errors++;
      const failure = isKubeApiError(error)
        ? error
        : new KubeApiError('NETWORK', `watch ${state.path} failed`, { retryable: true, cause: error });
      // 410: our resourceVersion is too old. Silence: the stream may be a zombie. Both: start over with a list.
      if (failure.code === 'GONE' || failure.code === 'TIMEOUT') state.lastResourceVersion = undefined;
      options.onError?.(failure);
      delayMs =
        failure.code === 'GONE'
          ? retryDelay({ baseDelayMs: 100, maxDelayMs: 100, jitter: 0.5 }, 1)
          : backoff.next();
    }
    try {
      if (delayMs > 0) await sleep(delayMs, signal);
    } catch {
      break; // sleep rejects once `signal` aborts: that is the loop's end, not a failure
    }
  }
}

/** Watches until the stream ends or fails, or until `relistAt` (a periodic relist is due: not a failure). */
async function watchUntil<T extends CachedObject>(
  state: InformerState<T>,
  resourceVersion: string,
  relistAt: number,
  signal: AbortSignal,
): Promise<void> {
  const period = Number.isFinite(relistAt)
    ? AbortSignal.timeout(Math.max(1, relistAt - Date.now()))
    : undefined;
  try {
    await watch(state, resourceVersion, period ? AbortSignal.any([signal, period]) : signal);
  } catch (error) {
    if (!(period?.aborted && !signal.aborted)) throw error;
  }
}

/** Lists every page, then makes the cache that snapshot (emitting the differences); returns its resourceVersion. */
async function relist<T extends CachedObject>(state: InformerState<T>, signal: AbortSignal): Promise<string> {
  state.stats.lists++;
  const fresh = new Map<string, T>();
  let token: string | undefined;
  let resourceVersion = '';
  do {
    const page: ListPage = await state.transport.request<ListPage>(state.path, {
      verb: 'list',
      signal,
      timeoutMs: 60_000,
      query: { limit: state.pageSize, ...state.selectors, ...(token ? { continue: token } : {}) },
    });
    // Every page of a paginated list shares the first page's snapshot; its resourceVersion is the list's.
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    for (const item of page.items ?? []) fresh.set(objectKey(item), complete(state, item));
    token = page.metadata?.continue || undefined;
  } while (token);
  replaceAll(state, fresh);
  if (!state.isSynced) {
    state.isSynced = true;
    state.markSynced();
  }
  return resourceVersion;
}

/** Makes the cache exactly `fresh`: ADDED and MODIFIED for what is new or changed, DELETED for what is gone. */
function replaceAll<T extends CachedObject>(state: InformerState<T>, fresh: ReadonlyMap<string, T>): void {
  const { store } = state;
  for (const [key, object] of fresh) {
    const old = store.get(key);
    if (old?.metadata?.resourceVersion === object.metadata?.resourceVersion && old) continue;
    store.put(object);
    emit(state, old ? { type: 'MODIFIED', object, old } : { type: 'ADDED', object });
  }
  for (const object of [...store.values()]) {
    const key = objectKey(object);
    if (!fresh.has(key)) {
      store.remove(key);
      emit(state, { type: 'DELETED', object, old: object });
    }
  }
}

/** Watches from `resourceVersion` until the stream ends or fails; events advance lastResourceVersion. */
async function watch<T extends CachedObject>(
  state: InformerState<T>,
  resourceVersion: string,
  signal: AbortSignal,
): Promise<void> {
  state.stats.watches++;
  const stream = state.transport.stream(state.path, {
    signal,
    idleTimeoutMs: state.silenceMs,
    query: {
      watch: 1,
      allowWatchBookmarks: true,
      resourceVersion,
      // Like client-go: the server ends the watch after 5–10 min, spreading reconnects of many clients.
      timeoutSeconds: Math.round(300 + Math.random() * 300),
      ...state.selectors,
    },
  });
  for await (const raw of stream) {
    const event = raw as WatchEvent;
    const object = event.object;
    if (!object) continue;
    if (event.type === 'ERROR') throw watchErrorEvent(state.path, object);
    state.lastResourceVersion = object.metadata?.resourceVersion ?? state.lastResourceVersion;
    if (event.type === 'BOOKMARK') {
      state.stats.bookmarks++;
      continue;
    }
    applyWatchEvent(state, event.type, complete(state, object));
  }
}

/** An ERROR event of a watch as a KubeApiError (GONE for 410: relist). */
function watchErrorEvent(path: string, object: NonNullable<WatchEvent['object']>): KubeApiError {
  const code = typeof object.code === 'number' ? object.code : 500;
  return new KubeApiError(
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

function applyWatchEvent<T extends CachedObject>(
  state: InformerState<T>,
  type: string | undefined,
  item: T,
): void {
  const key = objectKey(item);
  if (type === 'DELETED') {
    const old = state.store.remove(key);
    emit(state, { type: 'DELETED', object: item, ...(old ? { old } : {}) });
  } else if (type === 'ADDED' || type === 'MODIFIED') {
    const old = state.store.put(item);
    emit(state, old ? { type: 'MODIFIED', object: item, old } : { type: 'ADDED', object: item });
  }
}

/** Lists and watch events on lists omit apiVersion and kind; reconcilers need them. */
function complete<T extends CachedObject>(state: InformerState<T>, object: CachedObject): T {
  object.apiVersion ??= state.apiVersion;
  object.kind ??= state.options.resource.kind;
  if (!state.options.keepManagedFields && object.metadata) delete object.metadata.managedFields;
  return object as T;
}

function emit<T extends CachedObject>(state: InformerState<T>, event: InformerEvent<T>): void {
  state.stats.events++;
  for (const handler of state.handlers) {
    try {
      handler(event);
    } catch (error) {
      // A broken handler must not stop the cache for the others.
      state.options.onError?.(
        new KubeApiError('SERVER_ERROR', `an informer handler for ${state.options.resource.plural} threw`, {
          cause: error,
        }),
      );
    }
  }
}
