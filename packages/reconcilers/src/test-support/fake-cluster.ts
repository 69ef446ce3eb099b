// The one in-memory fake of the runtime for unit tests: a store with a small server-side-apply
// model, the CacheView and ReconcileClient over it, and a driver that runs the reconcilers' watch
// mappings like the controller's work queue would. Not exported from the package entry.
import { isDeepStrictEqual } from 'node:util';
import type {
  ApplyOptions,
  CacheView,
  CatalogueKind,
  CatalogueKinds,
  DeleteOptions,
  EventRecord,
  KubeObject,
  LabelSelector,
  ObjectRef,
  ReconcileClient,
  ReconcileContext,
  ReconcilerDefinition,
} from '../client.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface ChangeEvent {
  type: WatchEventType;
  object: KubeObject;
  old?: KubeObject;
}
export interface ClientCall {
  verb: 'apply' | 'applyStatus' | 'delete';
  kind: string;
  name: string;
  body?: KubeObject;
}

/** An apiserver-like failure: 404 NotFound, 409 Conflict. */
export class FakeApiError extends Error {
  readonly status: 404 | 409;
  constructor(status: 404 | 409, message: string) {
    super(message);
    this.status = status;
  }
}

type Json = Record<string, unknown>;

function clone<T>(value: T): T {
  return structuredClone(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const key = (kind: string, name: string) => `${kind}/${name}`;

/** Which fields the controller's field manager owns on one object. */
interface Ownership {
  labels: Set<string>;
  annotations: Set<string>;
  ownerUids: Set<string>;
  status: Set<string>;
}

/**
 * An in-memory cluster. "User" writes (`create`, `update`, `remove`) are not counted; the
 * controller's writes through {@link FakeCluster.client} are, in `calls`.
 */
export class FakeCluster implements CacheView {
  readonly calls: ClientCall[] = [];
  readonly events: { about: ObjectRef; event: EventRecord }[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private readonly owned = new Map<string, Ownership>();
  private readonly listeners: ((event: ChangeEvent) => void)[] = [];
  private resourceVersion = 0;
  private uids = 0;
  clock = new Date('2026-01-01T00:00:00Z');

  onChange(listener: (event: ChangeEvent) => void): void {
    this.listeners.push(listener);
  }

  // ---- CacheView
  get<K extends CatalogueKind>(kind: K, name: string): CatalogueKinds[K] | undefined {
    return this.objects.get(key(kind, name)) as CatalogueKinds[K] | undefined;
  }

  list<K extends CatalogueKind>(kind: K, selector: LabelSelector = {}): readonly CatalogueKinds[K][] {
    return [...this.objects.values()].filter(
      (object) =>
        object.kind === kind &&
        Object.entries(selector).every(([label, value]) => object.metadata.labels?.[label] === value),
    ) as CatalogueKinds[K][];
  }

  getObject(ref: Omit<ObjectRef, 'uid'>): KubeObject | undefined {
    return this.objects.get(key(ref.kind, ref.name));
  }

  /** All stored objects of a kind (any kind, including RBAC). */
  all(kind: string): KubeObject[] {
    return [...this.objects.values()].filter((object) => object.kind === kind);
  }

  // ---- user writes (like kubectl; not counted)
  create(object: KubeObject): KubeObject {
    const name = object.metadata.name ?? '';
    if (this.objects.has(key(object.kind, name)))
      throw new FakeApiError(409, `${object.kind} ${name} exists`);
    const stored: KubeObject = clone(object);
    stored.metadata = {
      ...stored.metadata,
      uid: `uid-${++this.uids}`,
      generation: 1,
      creationTimestamp: new Date(this.clock.getTime() + this.uids * 1000)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    };
    return this.store(stored, undefined);
  }

  update(kind: string, name: string, change: (draft: KubeObject) => void): KubeObject {
    const existing = this.objects.get(key(kind, name));
    if (existing === undefined) throw new FakeApiError(404, `${kind} ${name} not found`);
    const draft = clone(existing);
    change(draft);
    if (!isDeepStrictEqual(draft.spec, existing.spec))
      draft.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    return this.store(draft, existing);
  }

  remove(kind: string, name: string): void {
    const existing = this.objects.get(key(kind, name));
    if (existing === undefined) return;
    this.objects.delete(key(kind, name));
    this.owned.delete(key(kind, name));
    this.emit({ type: 'DELETED', object: existing, old: existing });
  }

  // ---- the controller's client
  readonly client: ReconcileClient = {
    cache: this,
    apply: async <T extends KubeObject>(object: T, _options?: ApplyOptions): Promise<T> => {
      this.calls.push({
        verb: 'apply',
        kind: object.kind,
        name: object.metadata.name ?? '',
        body: clone(object),
      });
      return this.serverSideApply(object) as T;
    },
    applyStatus: async <T extends KubeObject>(object: T, _options?: ApplyOptions): Promise<T> => {
      this.calls.push({
        verb: 'applyStatus',
        kind: object.kind,
        name: object.metadata.name ?? '',
        body: clone(object),
      });
      return this.applyStatusNow(object) as T;
    },
    delete: async (ref: ObjectRef, options?: DeleteOptions): Promise<void> => {
      this.calls.push({ verb: 'delete', kind: ref.kind, name: ref.name });
      const existing = this.objects.get(key(ref.kind, ref.name));
      if (existing === undefined) return;
      const pre = options?.preconditions;
      if (
        (pre?.uid !== undefined && pre.uid !== existing.metadata.uid) ||
        (pre?.resourceVersion !== undefined && pre.resourceVersion !== existing.metadata.resourceVersion)
      ) {
        throw new FakeApiError(409, `precondition failed deleting ${ref.kind} ${ref.name}`);
      }
      this.remove(ref.kind, ref.name);
    },
    recordEvent: (about: ObjectRef, event: EventRecord): void => {
      this.events.push({ about, event });
    },
  };

  context(): ReconcileContext {
    return {
      client: this.client,
      signal: new AbortController().signal,
      now: () => this.clock,
      log: { info: () => {}, error: () => {} },
    };
  }

  /** The calls made since `mark` (an index into `calls`). */
  callsSince(mark: number): ClientCall[] {
    return this.calls.slice(mark);
  }

  private ownership(objectKey: string): Ownership {
    let entry = this.owned.get(objectKey);
    if (entry === undefined) {
      entry = { labels: new Set(), annotations: new Set(), ownerUids: new Set(), status: new Set() };
      this.owned.set(objectKey, entry);
    }
    return entry;
  }

  // A small SSA model for one field manager: maps merge key by key, keys this manager set before and
  // omits now are removed, owner references merge by uid, spec and other top-level fields merge shallowly.
  private serverSideApply(body: KubeObject): KubeObject {
    const name = body.metadata.name ?? '';
    const objectKey = key(body.kind, name);
    const existing = this.objects.get(objectKey);
    const owned = this.ownership(objectKey);
    const next: KubeObject =
      existing === undefined
        ? { apiVersion: body.apiVersion, kind: body.kind, metadata: { name } }
        : clone(existing);
    const mergeMap = (field: 'labels' | 'annotations') => {
      const given = body.metadata[field];
      const current: Record<string, string> = { ...(next.metadata[field] ?? {}) };
      for (const stale of owned[field]) if (!(given !== undefined && stale in given)) delete current[stale];
      Object.assign(current, given ?? {});
      owned[field] = new Set(Object.keys(given ?? {}));
      if (Object.keys(current).length > 0) next.metadata[field] = current;
      else delete next.metadata[field];
    };
    mergeMap('labels');
    mergeMap('annotations');
    if (body.metadata.ownerReferences !== undefined) {
      const given = body.metadata.ownerReferences as Json[];
      const kept = ((next.metadata.ownerReferences ?? []) as Json[]).filter(
        (ref) => !owned.ownerUids.has(String(ref.uid)) && !given.some((g) => g.uid === ref.uid),
      );
      next.metadata.ownerReferences = [...kept, ...clone(given)];
      owned.ownerUids = new Set(given.map((ref) => String(ref.uid)));
    }
    for (const [field, value] of Object.entries(body)) {
      if (field === 'metadata' || field === 'apiVersion' || field === 'kind' || field === 'status') continue;
      next[field] =
        field === 'spec' && typeof value === 'object' && value !== null
          ? { ...((next.spec as Json | undefined) ?? {}), ...clone(value as Json) }
          : clone(value);
    }
    if (existing === undefined) {
      next.metadata.uid = `uid-${++this.uids}`;
      next.metadata.generation = 1;
      next.metadata.creationTimestamp = this.clock.toISOString().replace(/\.\d{3}Z$/, 'Z');
    } else if (!isDeepStrictEqual(next.spec, existing.spec)) {
      next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    }
    return clone(this.store(next, existing));
  }

  private applyStatusNow(body: KubeObject): KubeObject {
    const name = body.metadata.name ?? '';
    const objectKey = key(body.kind, name);
    const existing = this.objects.get(objectKey);
    if (existing === undefined) throw new FakeApiError(404, `${body.kind} ${name} not found`);
    const owned = this.ownership(objectKey);
    const given = (body.status ?? {}) as Json;
    const status: Json = { ...((existing.status as Json | undefined) ?? {}) };
    for (const stale of owned.status) if (!(stale in given)) delete status[stale];
    Object.assign(status, clone(given));
    owned.status = new Set(Object.keys(given));
    return clone(this.store({ ...clone(existing), status }, existing));
  }

  private store(next: KubeObject, existing: KubeObject | undefined): KubeObject {
    if (
      existing !== undefined &&
      isDeepStrictEqual(
        { ...next, metadata: { ...next.metadata, resourceVersion: undefined } },
        { ...existing, metadata: { ...existing.metadata, resourceVersion: undefined } },
      )
    ) {
      return existing; // a no-op write changes nothing and sends no watch event, like the apiserver
    }
    next.metadata.resourceVersion = String(++this.resourceVersion);
    const frozen = deepFreeze(next);
    this.objects.set(key(next.kind, next.metadata.name ?? ''), frozen);
    this.emit(
      existing === undefined
        ? { type: 'ADDED', object: frozen }
        : { type: 'MODIFIED', object: frozen, old: existing },
    );
    return frozen;
  }

  private emit(event: ChangeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/**
 * Drives reconcilers like the controller does: every change is mapped through each reconciler's
 * watches to keys, keys are deduplicated, and `settle()` reconciles until nothing is queued.
 */
export class FakeRuntime {
  private readonly queue = new Set<string>();
  readonly requeues: { key: string; afterMs: number }[] = [];
  reconciles = 0;

  readonly cluster: FakeCluster;
  readonly reconcilers: readonly ReconcilerDefinition[];

  constructor(cluster: FakeCluster, reconcilers: readonly ReconcilerDefinition[]) {
    this.cluster = cluster;
    this.reconcilers = reconcilers;
    cluster.onChange((event) => {
      for (const reconciler of reconcilers) {
        for (const watch of reconciler.watches) {
          if (watch.kind !== event.object.kind) continue;
          const mapped = watch.map(
            event.old === undefined ? { type: event.type, object: event.object } : event,
          );
          for (const name of mapped) this.queue.add(`${reconciler.name}\u0000${name}`);
        }
      }
    });
  }

  /** Queues every cached object of each reconciler's kind (the informers' initial list). */
  enqueueAll(): void {
    for (const reconciler of this.reconcilers) {
      for (const object of this.cluster.all(reconciler.kind))
        this.queue.add(`${reconciler.name}\u0000${object.metadata.name}`);
    }
  }

  /** Reconciles until the queue is empty; throws if it does not settle (a hot loop). */
  async settle(limit = 1000): Promise<number> {
    let count = 0;
    while (this.queue.size > 0) {
      if (++count > limit)
        throw new Error(`did not settle after ${limit} reconciles; queued: ${[...this.queue].join(', ')}`);
      const next = this.queue.values().next().value as string;
      this.queue.delete(next);
      const [reconcilerName = '', name = ''] = next.split('\u0000');
      const reconciler = this.reconcilers.find((r) => r.name === reconcilerName);
      const result = await reconciler?.reconcile(name, this.cluster.context());
      if (result?.requeueAfterMs !== undefined)
        this.requeues.push({ key: next, afterMs: result.requeueAfterMs });
    }
    this.reconciles += count;
    return count;
  }

  /** Reconciles every object once more and returns the writes that caused (should be none). */
  async reconcileEverything(limit?: number): Promise<ClientCall[]> {
    const mark = this.cluster.calls.length;
    this.enqueueAll();
    await this.settle(limit);
    return this.cluster.callsSince(mark);
  }
}
