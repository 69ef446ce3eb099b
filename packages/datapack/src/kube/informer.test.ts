import { describe, expect, it } from 'vitest';
import { createInformer, type InformerEvent } from './informer.ts';
import { KubeApiError } from './kube-api-error.ts';
import type { KubeRequestOptions, KubeTransport } from './kube-transport.ts';
import { type CachedObject, ObjectStore } from './object-store.ts';
import { KUBE_RESOURCES } from './resource.ts';

const obj = (name: string, rv: string, labels: Record<string, string> = {}): CachedObject => ({
  metadata: { name, resourceVersion: rv, labels },
});

/** A scripted apiserver: list pages by call, and watch streams as queues the test feeds. */
function fakeTransport(script: {
  lists: Array<Array<{ items: CachedObject[]; rv: string; continue?: string }>>;
}) {
  const calls: Array<{ path: string; query: KubeRequestOptions['query'] }> = [];
  let listCall = 0;
  let page = 0;
  const watches: Array<{
    push(event: unknown): void;
    fail(error: unknown): void;
    query: KubeRequestOptions['query'];
  }> = [];
  const transport: KubeTransport = {
    server: 'https://fake',
    async request<T>(path: string, options: KubeRequestOptions): Promise<T> {
      calls.push({ path, query: options.query });
      const pages = script.lists[Math.min(listCall, script.lists.length - 1)] ?? [];
      const current = pages[page] ?? { items: [], rv: '0' };
      page++;
      if (!current.continue) {
        listCall++;
        page = 0;
      }
      return {
        metadata: { resourceVersion: current.rv, continue: current.continue },
        items: structuredClone(current.items),
      } as T;
    },
    async *stream(_path, options) {
      const queue: unknown[] = [];
      let wake: (() => void) | undefined;
      let failure: unknown;
      watches.push({
        push: (e) => {
          queue.push(e);
          wake?.();
        },
        fail: (e) => {
          failure = e;
          wake?.();
        },
        query: options.query,
      });
      for (;;) {
        if (failure) throw failure;
        if (options.signal.aborted) return;
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          options.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    },
    onRequest: () => () => {},
    close: async () => {},
  };
  return { transport, calls, watches };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await tick();
  }
  throw new Error('condition not reached');
}

describe('createInformer', () => {
  it('lists page by page, then watches from the list resourceVersion with bookmarks', async () => {
    const fake = fakeTransport({
      lists: [
        [
          { items: [obj('a', '1')], rv: '10', continue: 'next' },
          { items: [obj('b', '2')], rv: '10' },
        ],
      ],
    });
    const informer = createInformer(fake.transport, { resource: KUBE_RESOURCES.Image, pageSize: 1 });
    informer.start();
    await informer.waitForSync();
    expect(
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(fake.calls[1]?.query).toMatchObject({ limit: 1, continue: 'next' });
    expect(informer.get('a')).toMatchObject({ apiVersion: 'imagehub.sealos.io/v1', kind: 'Image' });
    const watch = await waitFor(() => fake.watches[0]);
    expect(watch.query).toMatchObject({ watch: 1, allowWatchBookmarks: true, resourceVersion: '10' });
    informer.stop();
  });

  it('delivers old and new objects, deletions, and keeps label indexes current', async () => {
    const fake = fakeTransport({ lists: [[{ items: [obj('a', '1', { org: 'x' })], rv: '10' }]] });
    const informer = createInformer(fake.transport, { resource: KUBE_RESOURCES.Image });
    const events: InformerEvent<CachedObject>[] = [];
    informer.start();
    await informer.waitForSync();
    informer.on((e) => events.push(e));
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
    const watch = await waitFor(() => fake.watches[0]);
    watch.push({ type: 'MODIFIED', object: obj('a', '11', { org: 'y' }) });
    watch.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } });
    watch.push({ type: 'ADDED', object: obj('b', '13', { org: 'y' }) });
    watch.push({ type: 'DELETED', object: obj('b', '14', { org: 'y' }) });
    await waitFor(() => (events.length === 4 ? true : undefined));
    expect(events[1]).toMatchObject({
      type: 'MODIFIED',
      old: { metadata: { resourceVersion: '1' } },
      object: { metadata: { resourceVersion: '11' } },
    });
    expect(events[3]).toMatchObject({ type: 'DELETED', old: { metadata: { name: 'b' } } });
    expect(informer.list({ org: 'x' })).toEqual([]);
    expect(informer.list({ org: 'y' }).map((o) => o.metadata?.name)).toEqual(['a']);
    expect(informer.stats().bookmarks).toBe(1);
    informer.stop();
  });

  it('relists on 410 Gone and emits only the differences', async () => {
    const fake = fakeTransport({
      lists: [
        [{ items: [obj('a', '1'), obj('b', '2')], rv: '10' }],
        [{ items: [obj('a', '1'), obj('c', '30')], rv: '40' }],
      ],
    });
    const informer = createInformer(fake.transport, { resource: KUBE_RESOURCES.Image });
    const events: string[] = [];
    informer.on((e) => events.push(`${e.type} ${e.object.metadata?.name}`));
    informer.start();
    await informer.waitForSync();
    const watch = await waitFor(() => fake.watches[0]);
    watch.push({ type: 'ERROR', object: { code: 410, reason: 'Expired', metadata: {} } });
    const second = await waitFor(() => fake.watches[1]);
    expect(second.query).toMatchObject({ resourceVersion: '40' });
    expect(events).toEqual(['ADDED a', 'ADDED b', 'ADDED c', 'DELETED b']);
    expect(informer.stats().lists).toBe(2);
    informer.stop();
  });

  it('re-watches from its last resourceVersion after a network error, and relists after silence', async () => {
    const fake = fakeTransport({ lists: [[{ items: [obj('a', '1')], rv: '10' }]] });
    const errors: string[] = [];
    const informer = createInformer(fake.transport, {
      resource: KUBE_RESOURCES.Image,
      backoff: { initialMs: 1, maxMs: 2 },
      onError: (e) => errors.push(e.code),
    });
    informer.start();
    await informer.waitForSync();
    const first = await waitFor(() => fake.watches[0]);
    first.push({ type: 'MODIFIED', object: obj('a', '15') });
    await waitFor(() => (informer.get('a')?.metadata?.resourceVersion === '15' ? true : undefined));
    first.fail(new KubeApiError('NETWORK', 'reset', { retryable: true }));
    const second = await waitFor(() => fake.watches[1]);
    expect(second.query).toMatchObject({ resourceVersion: '15' });
    expect(informer.stats().lists).toBe(1);
    second.fail(new KubeApiError('TIMEOUT', 'silent', { retryable: true }));
    await waitFor(() => fake.watches[2]);
    expect(informer.stats().lists).toBe(2);
    expect(errors).toEqual(['NETWORK', 'TIMEOUT']);
    informer.stop();
  });
});

describe('ObjectStore', () => {
  it('selects by every label pair through the index', () => {
    const store = new ObjectStore<CachedObject>();
    store.put(obj('a', '1', { o: 'x', r: '1' }));
    store.put(obj('b', '1', { o: 'x', r: '2' }));
    store.put(obj('c', '1', { o: 'y', r: '1' }));
    expect(store.select({ o: 'x', r: '1' }).map((o) => o.metadata?.name)).toEqual(['a']);
    store.put(obj('a', '2', { o: 'y', r: '1' }));
    expect(store.select({ o: 'x' }).map((o) => o.metadata?.name)).toEqual(['b']);
    store.remove('b');
    expect(store.select({ o: 'x' })).toEqual([]);
    expect(store.select({ missing: 'z' })).toEqual([]);
  });
});
