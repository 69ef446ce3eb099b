/** The least an object needs for the cache: a name, maybe a namespace, a resourceVersion and labels. */
export interface CachedObject {
  metadata?: {
    name?: string | undefined;
    namespace?: string | undefined;
    resourceVersion?: string | undefined;
    labels?: Record<string, string> | undefined;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(object: CachedObject): string {
  const meta = object.metadata ?? {};
  return meta.namespace ? `${meta.namespace}/${meta.name ?? ''}` : (meta.name ?? '');
}

/**
 * Objects by key with an index over every `label=value` pair, so a label-selector list touches only
 * matching objects (the DataPack reads and the reconcilers list Images by organization and repository).
 */
export class ObjectStore<T extends CachedObject> {
  readonly #items = new Map<string, T>();
  readonly #byLabel = new Map<string, Set<string>>();

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  values(): IterableIterator<T> {
    return this.#items.values();
  }

  /** Stores `object`; returns what it replaced. */
  put(object: T): T | undefined {
    const key = objectKey(object);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, object);
    for (const [label, value] of Object.entries(object.metadata?.labels ?? {})) {
      const pair = `${label}=${value}`;
      const keys = this.#byLabel.get(pair);
      if (keys) keys.add(key);
      else this.#byLabel.set(pair, new Set([key]));
    }
    return old;
  }

  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  /** Objects whose labels include every pair of `selector` (all objects for an empty one). */
  select(selector: Readonly<Record<string, string>> = {}): T[] {
    const pairs = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
    if (pairs.length === 0) return [...this.#items.values()];
    let smallest: Set<string> | undefined;
    for (const pair of pairs) {
      const keys = this.#byLabel.get(pair);
      if (!keys) return [];
      if (!smallest || keys.size < smallest.size) smallest = keys;
    }
    const out: T[] = [];
    for (const key of smallest ?? []) {
      const object = this.#items.get(key);
      const labels = object?.metadata?.labels ?? {};
      if (object && Object.entries(selector).every(([k, v]) => labels[k] === v)) out.push(object);
    }
    return out;
  }

  #unindex(key: string, object: T): void {
    for (const [label, value] of Object.entries(object.metadata?.labels ?? {})) {
      const pair = `${label}=${value}`;
      const keys = this.#byLabel.get(pair);
      keys?.delete(key);
      if (keys?.size === 0) this.#byLabel.delete(pair);
    }
  }
}
