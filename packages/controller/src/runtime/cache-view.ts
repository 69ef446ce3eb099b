import type { SharedInformerFactory } from '@hub/datapack';
import type { CacheView, CatalogueKind, CatalogueKinds, KubeObject } from '@hub/reconcilers';
import { resourceOfKind } from './kinds.ts';

/** The kinds every manager caches: the catalogue plus the RBAC objects the Organization reconciler owns. */
export const CACHED_KINDS = [
  'Image',
  'Repository',
  'Organization',
  'DataPack',
  'ClusterRole',
  'ClusterRoleBinding',
] as const;

/** A CacheView over the shared informers (synchronous, possibly slightly stale, shared objects). */
export function informerCacheView(factory: SharedInformerFactory): CacheView {
  const informer = (kind: string) => factory.informerFor<KubeObject>(resourceOfKind(kind));
  return {
    get<K extends CatalogueKind>(kind: K, name: string) {
      return informer(kind).get(name) as CatalogueKinds[K] | undefined;
    },
    list<K extends CatalogueKind>(kind: K, selector?: Readonly<Record<string, string>>) {
      return informer(kind).list(selector) as unknown as readonly CatalogueKinds[K][];
    },
    getObject(ref) {
      return informer(ref.kind).get(ref.name, ref.namespace);
    },
  };
}
