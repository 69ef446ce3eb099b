import {
  type Image,
  type Organization,
  type Repository,
  validateImage,
  validateOrganization,
  validateRepository,
} from '@hub/api-types';
import { loadKubeconfig } from '@hub/api-types/kubeconfig';
import type { InformerEvent } from '../kube/informer.ts';
import type { KubeApiError } from '../kube/kube-api-error.ts';
import type { KubeConnectionSource } from '../kube/kube-connection.ts';
import { createKubeTransport } from '../kube/kube-transport.ts';
import type { CachedObject } from '../kube/object-store.ts';
import { KUBE_RESOURCES } from '../kube/resource.ts';
import { createSharedInformerFactory, type SharedInformerFactory } from '../kube/shared-informer-factory.ts';
import type { CatalogueObject, CatalogueReader } from './catalogue-reader.ts';
import { type CatalogueChange, createCatalogueStore } from './catalogue-store.ts';

export interface CatalogueOptions {
  /**
   * Where to watch (a client-node KubeConfig, or `loadKubeconfig()`'s result); ignored when `informers` is
   * given. Default: `loadKubeconfig()`, kubectl's order ($KUBECONFIG, ~/.kube/config, in-cluster).
   */
  kubeConfig?: KubeConnectionSource | undefined;
  /** Share the informers (one watch per kind) of a process that already has them, e.g. hub-controller. */
  informers?: SharedInformerFactory | undefined;
  /** Objects the schema rejects are left out and reported here, as are list/watch failures (retried). */
  onError?: ((error: Error) => void) | undefined;
}

/** A watch cache of Images, Repositories and Organizations with indexes, kept current by informers. */
export interface Catalogue extends CatalogueReader {
  /** Resolves once every kind has been listed; rejects when `signal` aborts first or the config is unusable. */
  ready(signal?: AbortSignal): Promise<void>;
  synced(): boolean;
  /** Called after each change to the cache. */
  subscribe(listener: (change: CatalogueChange) => void): () => void;
  size(): { images: number; repositories: number; organizations: number };
  /** Stops the watches it started (not those of a shared factory) and closes its connections. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const KINDS = ['Image', 'Repository', 'Organization'] as const;

// The apiserver already applied the CRD schema; parsing again fills the defaults an object written
// before a schema change lacks, and keeps one malformed object from breaking every read.
function parse(kind: (typeof KINDS)[number], object: CachedObject): CatalogueObject | Error {
  const result =
    kind === 'Image'
      ? validateImage(object)
      : kind === 'Repository'
        ? validateRepository(object)
        : validateOrganization(object);
  if (result.success) return result.data as Image | Repository | Organization;
  const issue = result.issues[0];
  return new Error(
    `${kind} ${String(object.metadata?.name)} is malformed and left out: ${issue?.path}: ${issue?.message}`,
  );
}

/**
 * Creates the catalogue and starts watching at once; `ready()` resolves when synced. Resilient as
 * the controller's informers are (paginated lists, bookmarks, relist on 410, jittered reconnects),
 * because it is built on them.
 */
export function createCatalogue(options: CatalogueOptions = {}): Catalogue {
  const store = createCatalogueStore();
  const onError = options.onError ?? (() => {});
  const owned = options.informers === undefined;
  const unsubscribes: (() => void)[] = [];
  let watched: readonly { synced(): boolean }[] = [];

  const factoryPromise: Promise<SharedInformerFactory> = (async () => {
    if (options.informers !== undefined) return options.informers;
    const kubeConfig = options.kubeConfig ?? loadKubeconfig();
    const transport = await createKubeTransport(kubeConfig, { userAgent: 'hub-datapack-catalogue' });
    return createSharedInformerFactory(transport, { onError: (error: KubeApiError) => onError(error) });
  })();
  factoryPromise.catch(() => {}); // surfaced by ready()

  const started = factoryPromise.then((factory) => {
    const informers = KINDS.map((kind) => {
      const informer = factory.informerFor(KUBE_RESOURCES[kind]);
      unsubscribes.push(
        informer.on((event: InformerEvent<CachedObject>) => {
          if (event.type === 'DELETED') {
            const gone = parse(kind, event.object);
            if (!(gone instanceof Error)) store.remove(gone);
            else if (event.old !== undefined) {
              const old = parse(kind, event.old);
              if (!(old instanceof Error)) store.remove(old);
            }
            return;
          }
          const parsed = parse(kind, event.object);
          if (parsed instanceof Error) onError(parsed);
          else store.upsert(parsed);
        }),
      );
      return informer;
    });
    watched = informers;
    if (owned) factory.start();
    else for (const informer of informers) informer.start();
    return { factory, informers };
  });
  started.catch(() => {});

  return {
    get revision() {
      return store.revision;
    },
    image: store.image,
    repository: store.repository,
    organization: store.organization,
    repositories: store.repositories,
    images: store.images,
    keywords: store.keywords,
    subscribe: store.subscribe,
    size: store.size,
    async ready(signal) {
      const { informers } = await started;
      await Promise.all(informers.map((informer) => informer.waitForSync(signal)));
    },
    synced: () => watched.length > 0 && watched.every((informer) => informer.synced()),
    async close() {
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
      if (!owned) return;
      const factory = await factoryPromise.catch(() => undefined);
      factory?.stop();
      await factory?.transport.close();
    },
    async [Symbol.asyncDispose]() {
      await this.close();
    },
  };
}
